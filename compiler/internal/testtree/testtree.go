// Package testtree writes and reads directory trees in tests: generated
// files laid out as `stackc build` lays them out, and whatever a command
// left behind in a directory. Any I/O error fails the test.
package testtree

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stackc/stackc/compiler/artifact"
)

// WriteFile writes data to path, creating the directories it needs.
func WriteFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Write writes each file below dir at its slash-separated path.
func Write(t testing.TB, dir string, files ...artifact.File) {
	t.Helper()
	for _, f := range files {
		WriteFile(t, filepath.Join(dir, filepath.FromSlash(f.Path)), f.Data)
	}
}

// WriteSet writes a whole build output below dir, in path order.
func WriteSet(t testing.TB, dir string, set artifact.Set) {
	t.Helper()
	for _, p := range set.Paths() {
		Write(t, dir, artifact.File{Path: p, Data: set[p]})
	}
}

// Read returns every file below dir, keyed by its slash-separated path
// relative to dir.
func Read(t testing.TB, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
