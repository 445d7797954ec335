package build

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
)

// Write replaces dir with exactly the files of out. It builds the new tree
// in a temporary sibling directory and swaps it in with renames, so a failure
// at any point leaves the previous dir as it was.
func Write(dir string, out artifact.Set) error {
	return replace(dir, func(tmp string) error {
		sink := newDirSink(tmp)
		for _, p := range out.Paths() {
			if err := sink.Write(artifact.File{Path: p, Data: out[p]}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Build compiles st straight into dir: every file goes to disk as its
// target produces it, so memory holds one service's files at a time, not
// the whole output. Like Write, it builds in a temporary sibling directory
// and swaps it in, so a failed build leaves the previous dir as it was. It
// returns the number of files written.
func Build(dir string, st *model.Stack) (int, error) {
	n := 0
	err := replace(dir, func(tmp string) error {
		var err error
		n, err = CompileTo(st, newDirSink(tmp))
		return err
	})
	return n, err
}

// Check compiles st into a temporary directory and compares dir with it
// (see Stale). It returns the stale paths and the number of files a build
// writes.
func Check(dir string, st *model.Stack) ([]string, int, error) {
	tmp, err := os.MkdirTemp("", "stackc-check-")
	if err != nil {
		return nil, 0, err
	}
	defer os.RemoveAll(tmp)
	sink := newDirSink(tmp)
	n, err := CompileTo(st, sink)
	if err != nil {
		return nil, 0, err
	}
	stale, err := Stale(dir, sink)
	return stale, n, err
}

// replace runs fill on a new temporary sibling of dir and swaps it in for
// dir with renames; on any failure the previous dir stays as it was.
func replace(dir string, fill func(tmp string) error) error {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".new-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := fill(tmp); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	old := ""
	if _, err := os.Stat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("moving the previous %s aside: %w", dir, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			if rerr := os.Rename(old, dir); rerr != nil {
				return fmt.Errorf("%w (and restoring the previous output failed: %v)", err, rerr)
			}
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

// dirSink is a Sink that writes every file under root as it arrives and
// reads it back from there; it remembers only the paths.
type dirSink struct {
	root  string
	mu    sync.Mutex
	paths map[string]bool
}

func newDirSink(root string) *dirSink { return &dirSink{root: root, paths: map[string]bool{}} }

func (d *dirSink) Write(f artifact.File) error {
	if err := artifact.CheckPath(f.Path); err != nil {
		return err
	}
	full := filepath.Join(d.root, filepath.FromSlash(f.Path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(full, f.Data, 0o644); err != nil {
		return err
	}
	d.mu.Lock()
	d.paths[f.Path] = true
	d.mu.Unlock()
	return nil
}

func (d *dirSink) Read(p string) ([]byte, error) {
	d.mu.Lock()
	ok := d.paths[p]
	d.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("artifact %s: %w", p, fs.ErrNotExist)
	}
	return os.ReadFile(filepath.Join(d.root, filepath.FromSlash(p)))
}

func (d *dirSink) Paths() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Sorted(maps.Keys(d.paths))
}

// Marker is the file every build writes; a directory without it was not
// written by stackc.
const Marker = "stack.json"

// CheckReplaceable refuses to let Write replace a directory that holds
// something other than stackc's output, such as a mistyped -o pointing at
// the repository or a home directory. A missing or empty directory is fine.
func CheckReplaceable(dir string) error {
	info, err := os.Stat(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("%s is a file, not an output directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, Marker)); err != nil {
		return fmt.Errorf("refusing to replace %s: it is not empty and has no %s, so it is not stackc output; remove it or choose another -o", dir, Marker)
	}
	return nil
}

// Stale compares dir with out and lists, sorted, every path that differs:
// changed, missing from dir, or in dir but no longer generated.
func Stale(dir string, out artifact.Reader) ([]string, error) {
	paths := out.Paths()
	want := make(map[string]bool, len(paths))
	for _, p := range paths {
		want[p] = true
	}
	var stale []string
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && path == dir {
				return fs.SkipDir
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		if !want[rel] {
			stale = append(stale, rel+" (no longer generated)")
			return nil
		}
		got, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		data, err := out.Read(rel)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, data) {
			stale = append(stale, rel+" (changed)")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, p := range paths {
		if !seen[p] {
			stale = append(stale, p+" (missing)")
		}
	}
	sort.Strings(stale)
	return stale, nil
}
