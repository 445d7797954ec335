// Package artifact is what every emitter produces: generated files with
// paths relative to the output directory, handed to a Writer one at a time
// as they are made, and read back by later targets through a Reader.
package artifact

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/stackc/stackc/compiler/model"
)

// File is one generated file. Path is slash-separated and relative to out/.
type File struct {
	Path string
	Data []byte
}

// Writer receives a target's files as the target produces them, so a
// build need not hold every file in memory at once. Implementations are
// safe for concurrent use: a target may write from several goroutines.
type Writer interface {
	Write(File) error
}

// Reader gives a target the artifacts of the targets it needs.
type Reader interface {
	// Paths returns the paths of the artifacts, sorted.
	Paths() []string
	// Read returns an artifact's content; an error wrapping fs.ErrNotExist
	// when there is no such artifact.
	Read(path string) ([]byte, error)
}

// CheckPath refuses a path that is not clean, relative and inside out/.
func CheckPath(p string) error {
	clean := path.Clean(p)
	if clean != p || strings.HasPrefix(clean, "../") || strings.HasPrefix(clean, "/") || clean == "." || clean == ".." {
		return fmt.Errorf("internal: artifact path %q is not a clean relative path", p)
	}
	return nil
}

// WriteAll writes files to w in order.
func WriteAll(w Writer, files ...File) error {
	for _, f := range files {
		if err := w.Write(f); err != nil {
			return err
		}
	}
	return nil
}

// Set is a complete output held in memory, keyed by path. It is a Writer
// and a Reader, but not safe for concurrent use.
type Set map[string][]byte

// Add puts files into the set; two emitters writing one path is a compiler bug.
func (s Set) Add(files ...File) error {
	for _, f := range files {
		if err := CheckPath(f.Path); err != nil {
			return err
		}
		if _, dup := s[f.Path]; dup {
			return fmt.Errorf("internal: two targets write %s", f.Path)
		}
		s[f.Path] = f.Data
	}
	return nil
}

// Write adds one file (Writer).
func (s Set) Write(f File) error { return s.Add(f) }

// Read returns the content at p (Reader).
func (s Set) Read(p string) ([]byte, error) {
	data, ok := s[p]
	if !ok {
		return nil, fmt.Errorf("artifact %s: %w", p, fs.ErrNotExist)
	}
	return data, nil
}

// Paths returns the set's paths in sorted order.
func (s Set) Paths() []string {
	paths := make([]string, 0, len(s))
	for p := range s {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// Emitter is the signature of every target (see package build): it reads
// the validated model and the artifacts of the targets it needs (prior),
// and writes its files to out as it produces them.
type Emitter func(st *model.Stack, prior Reader, out Writer) error

// Files runs one emitter over st and prior (nil for none) and returns its
// files sorted by path: a target on its own, for tests and tools.
func Files(emit Emitter, st *model.Stack, prior Reader) ([]File, error) {
	if prior == nil {
		prior = Set{}
	}
	var c collector
	if err := emit(st, prior, &c); err != nil {
		return nil, err
	}
	sort.Slice(c.files, func(i, j int) bool { return c.files[i].Path < c.files[j].Path })
	for i := 1; i < len(c.files); i++ {
		if c.files[i].Path == c.files[i-1].Path {
			return nil, fmt.Errorf("internal: %s is written twice", c.files[i].Path)
		}
	}
	return c.files, nil
}

type collector struct {
	mu    sync.Mutex
	files []File
}

func (c *collector) Write(f File) error {
	if err := CheckPath(f.Path); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files = append(c.files, f)
	return nil
}

// ReadSet reads every artifact of r into memory, for a target that
// consults many of them.
func ReadSet(r Reader) (Set, error) {
	s := Set{}
	for _, p := range r.Paths() {
		data, err := r.Read(p)
		if err != nil {
			return nil, err
		}
		s[p] = data
	}
	return s, nil
}
