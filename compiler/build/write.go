package build

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/stackc/stackc/compiler/artifact"
)

// Write replaces dir with exactly the files of out. It builds the new tree
// in a temporary sibling directory and swaps it in with renames, so a failure
// at any point leaves the previous dir as it was.
func Write(dir string, out artifact.Set) error {
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
	for _, p := range out.Paths() {
		full := filepath.Join(tmp, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, out[p], 0o644); err != nil {
			return err
		}
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
func Stale(dir string, out artifact.Set) ([]string, error) {
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
		want, ok := out[rel]
		if !ok {
			stale = append(stale, rel+" (no longer generated)")
			return nil
		}
		got, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			stale = append(stale, rel+" (changed)")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, p := range out.Paths() {
		if !seen[p] {
			stale = append(stale, p+" (missing)")
		}
	}
	sort.Strings(stale)
	return stale, nil
}
