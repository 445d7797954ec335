// Package artifact is what every emitter returns: generated files with
// paths relative to the output directory.
package artifact

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// File is one generated file. Path is slash-separated and relative to out/.
type File struct {
	Path string
	Data []byte
}

// Set is the complete output of a build, keyed by path.
type Set map[string][]byte

// Add puts files into the set; two emitters writing one path is a compiler bug.
func (s Set) Add(files ...File) error {
	for _, f := range files {
		clean := path.Clean(f.Path)
		if clean != f.Path || strings.HasPrefix(clean, "../") || strings.HasPrefix(clean, "/") || clean == "." {
			return fmt.Errorf("internal: artifact path %q is not a clean relative path", f.Path)
		}
		if _, dup := s[f.Path]; dup {
			return fmt.Errorf("internal: two targets write %s", f.Path)
		}
		s[f.Path] = f.Data
	}
	return nil
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
