// Package golden compares test output with golden files kept under a
// package's testdata, and rewrites them instead when the test binary runs
// with -update:
//
//	go test ./compiler/grafana -update
//
// The -update flag is registered here, once, for every test package that
// imports golden; such a package must not define its own. Review the
// rewritten files with git diff before committing them.
package golden

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/testtree"
)

var update = flag.Bool("update", false, "rewrite the golden files instead of comparing with them")

// Compare fails t when got differs from the golden file at path, naming
// the first line that differs. With -update it writes got to path instead,
// creating the directories it needs.
func Compare(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		testtree.WriteFile(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s at %s\n(run go test with -update and review the diff)", path, FirstDiff(got, want))
	}
}

// Dir compares files, whose paths are taken relative to dir, with the
// golden directory dir: every file must match and dir must hold
// nothing else, so a golden file that nothing generates any more fails the
// test. With -update it replaces dir with exactly files.
func Dir(t testing.TB, dir string, files []artifact.File) {
	t.Helper()
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{}
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		want[path] = true
		Compare(t, path, f.Data)
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !want[p] {
			t.Errorf("stale golden file %s: nothing generates it any more (run go test with -update)", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// FirstDiff describes the first line where got and want differ.
func FirstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, gl, wl)
		}
	}
	return "no line (lengths differ)"
}
