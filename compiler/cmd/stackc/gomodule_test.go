package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/build"
	"github.com/stackc/stackc/compiler/internal/testtree"
	"github.com/stackc/stackc/tools"
)

// TestRegistryBuildsInAnotherModule is the registry as an application in
// another Go module uses it: `stackc build -o monitoring` inside that module
// (testdata/gomodule, which requires this repository through a replace)
// writes a registry whose import paths are the application's, importing only
// the runtime package of this module; the application builds, vets and runs.
func TestRegistryBuildsInAnotherModule(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	root, err := tools.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	app := t.TempDir()
	err = filepath.WalkDir("testdata/gomodule", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("testdata/gomodule", path)
		if rel == "go.mod" {
			data = []byte(strings.Replace(string(data), "=> ../../../../..", "=> "+root, 1))
		}
		testtree.WriteFile(t, filepath.Join(app, rel), data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The application's go.sum starts as this module's, which covers every
	// module the runtime package can need; -mod=mod lets the go command
	// add the requirements the application's imports imply.
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	testtree.WriteFile(t, filepath.Join(app, "go.sum"), sum)

	if code, _, stderr := stackc(t, "build", "-o", filepath.Join(app, "monitoring"), filepath.Join(app, "stack.jsonnet")); code != exitOK {
		t.Fatalf("stackc build: exit %d\n%s", code, stderr)
	}
	index, err := os.ReadFile(filepath.Join(app, "monitoring", "metrics", "metrics.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"example.com/ordersapp/monitoring/metrics/orders"`, `"github.com/stackc/stackc/runtime/instrument"`} {
		if !strings.Contains(string(index), want) {
			t.Errorf("the index package does not import %s:\n%s", want, index)
		}
	}

	goCmd := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = app
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s in the application's module: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	goCmd("build", "./...")
	goCmd("vet", "./...")
	// One request served (201 with its own series), plus the zero-initialised
	// series of the other endpoints and of unmatched requests.
	if out := goCmd("run", "./cmd/orders"); !strings.Contains(out, "created=1 ") {
		t.Errorf("the application did not count its order:\n%s", out)
	}
}

// TestGoImportPath derives the registry's import path from the go.mod
// enclosing the output directory.
func TestGoImportPath(t *testing.T) {
	dir := t.TempDir()
	testtree.WriteFile(t, filepath.Join(dir, "mod", "go.mod"), []byte("// comment\nmodule \"example.com/x\"\n\ngo 1.26\n"))
	testtree.WriteFile(t, filepath.Join(dir, "nomodule", "go.mod"), []byte("go 1.26\n"))
	testtree.WriteFile(t, filepath.Join(dir, "bad", "go.mod"), []byte("module example.com/bad\n"))
	for _, tc := range []struct {
		name, out, want string
		found           bool
		wantErr         string
	}{
		{"module root", filepath.Join(dir, "mod"), "example.com/x/metrics", true, ""},
		{"nested, not yet created", filepath.Join(dir, "mod", "internal", "gen"), "example.com/x/internal/gen/metrics", true, ""},
		{"go.mod without a module line", filepath.Join(dir, "nomodule", "out"), "", false, "has no module line"},
		{"a directory Go refuses", filepath.Join(dir, "bad", "my out"), "", false, "pass --go-import-path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, found, err := build.GoImportPath(tc.out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want || found != tc.found {
				t.Errorf("got %q, %v, %v; want %q, %v", got, found, err, tc.want, tc.found)
			}
		})
	}
}

// TestGoImportPathFlag: --go-import-path wins over go.mod, and a path Go
// refuses is a usage error.
func TestGoImportPathFlag(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	mustBuild(t, "-o", out, "--go-import-path", "example.org/mon/metrics", repoSpec)
	index, err := os.ReadFile(filepath.Join(out, "metrics", "metrics.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(index), `"example.org/mon/metrics/shop"`) {
		t.Errorf("the index package does not use the flag's import path:\n%s", index)
	}
	if code, _, stderr := stackc(t, "check", "-o", out, "--go-import-path", "example.org/mon/metrics", repoSpec); code != exitOK {
		t.Errorf("check with the same flag: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := stackc(t, "build", "-o", out, "--go-import-path", "not a path", repoSpec); code != exitUsage || !strings.Contains(stderr, "--go-import-path") {
		t.Errorf("a bad import path: exit %d\n%s", code, stderr)
	}
}
