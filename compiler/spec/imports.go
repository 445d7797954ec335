package spec

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MaxImportBytes bounds one imported file: a spec's imports are code and
// small data tables, and a bound keeps `importstr` of a device or a huge
// file from exhausting memory before the evaluation limits can act.
const MaxImportBytes = 32 << 20

// Files reads the files a spec imports. Paths are absolute and clean; an
// error that satisfies errors.Is(err, fs.ErrNotExist) lets the search go
// on to the next import directory.
type Files interface {
	ReadFile(path string) ([]byte, error)
}

// OSFiles reads imports from the file system. It follows symbolic links
// only to files inside the allowed directories, reads only regular files
// and at most MaxImportBytes of them.
type OSFiles struct{}

// ReadFile implements Files.
func (OSFiles) ReadFile(path string) ([]byte, error) {
	// Stat before opening: opening a FIFO would wait for a writer.
	if info, err := os.Stat(path); err != nil {
		return nil, err
	} else if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", filepath.Base(path))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", filepath.Base(path))
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxImportBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxImportBytes {
		return nil, fmt.Errorf("%s is larger than %d MiB", filepath.Base(path), MaxImportBytes>>20)
	}
	return data, nil
}

// resolver finds the file an import names and reads it, confined to the
// spec's own directory tree and the directories the user allowed. It is
// the only code that reads a spec's imports, whether the evaluation runs
// in this process or in a sandboxed child (which asks the parent).
type resolver struct {
	main  string   // the spec's path, anchor of its own imports
	roots []string // absolute directories imports may come from: the spec's, then ImportDirs
	// search are the extra directories searched after the importing
	// file's own directory, like jsonnet -J.
	search []string
	files  Files
	// lexical is set when files are not read from the file system (git),
	// where there are no links to resolve.
	lexical bool
}

func newResolver(path string, opts Options) (*resolver, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	r := &resolver{main: abs, files: opts.Files, lexical: opts.Files != nil}
	if r.files == nil {
		r.files = OSFiles{}
	}
	r.roots = append(r.roots, filepath.Dir(abs))
	for _, d := range opts.ImportDirs {
		a, err := filepath.Abs(d)
		if err != nil {
			return nil, err
		}
		r.roots = append(r.roots, a)
		r.search = append(r.search, a)
	}
	if !r.lexical {
		for i, root := range r.roots {
			// A root that does not exist holds nothing to import.
			if real, err := filepath.EvalSymlinks(root); err == nil {
				r.roots[i] = real
			}
		}
	}
	return r, nil
}

// errOutside is the error of an import outside the allowed directories.
var errOutside = errors.New("it is outside the spec's directory tree")

// resolve returns where an import of importedPath from the file
// importedFrom ("" for the spec itself) is found, and its content.
func (r *resolver) resolve(importedFrom, importedPath string) (foundAt string, data []byte, err error) {
	if importedFrom == "" {
		importedFrom = r.main
	}
	var candidates []string
	if filepath.IsAbs(importedPath) {
		candidates = []string{filepath.Clean(importedPath)}
	} else {
		candidates = append(candidates, filepath.Join(filepath.Dir(importedFrom), importedPath))
		for _, d := range r.search {
			candidates = append(candidates, filepath.Join(d, importedPath))
		}
	}
	outside := false
	for _, c := range candidates {
		if !r.inside(c) {
			outside = true
			continue
		}
		real := c
		if !r.lexical {
			real, err = filepath.EvalSymlinks(c)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return "", nil, err
			}
			if !r.inside(real) {
				return "", nil, fmt.Errorf("%s is a link to a file outside the spec's directory tree, and stackc reads imports only from there and from --jpath directories", importedPath)
			}
		}
		data, err := r.files.ReadFile(real)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		return c, data, nil
	}
	if outside {
		return "", nil, fmt.Errorf("%w, and stackc reads imports only from there and from --jpath directories", errOutside)
	}
	return "", nil, fmt.Errorf("no such file in the spec's directory tree or the --jpath directories")
}

// inside reports whether path is one of the allowed roots or below one.
func (r *resolver) inside(path string) bool {
	for _, root := range r.roots {
		rel, err := filepath.Rel(root, path)
		if err == nil && (rel == "." || filepath.IsLocal(rel)) {
			return true
		}
	}
	return false
}

// hintForImport is the fix line of an import error.
func hintForImport(msg string) string {
	switch {
	case strings.Contains(msg, errOutside.Error()), strings.Contains(msg, "a link to a file outside"):
		return "move the file into the spec's directory, or allow its directory with stackc --jpath DIR"
	}
	return ""
}
