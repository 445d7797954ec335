package build

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stackc/stackc/compiler/artifact"
)

// TestConcurrentWritesKeepOutputInPlace runs builds of one directory
// concurrently while a reader watches it: every build succeeds (the lock
// serialises them) and the directory, marker included, exists at every
// instant (the swap is one step), so a build killed at any point cannot
// leave no output behind.
func TestConcurrentWritesKeepOutputInPlace(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the atomic exchange is Linux-only; elsewhere Write falls back to two renames")
	}
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	if err := Write(out, marked(artifact.Set{"n.txt": []byte("start")})); err != nil {
		t.Fatal(err)
	}
	var done atomic.Bool
	var missing atomic.Int64
	reader := make(chan struct{})
	go func() {
		defer close(reader)
		for !done.Load() {
			if _, err := os.Stat(filepath.Join(out, Marker)); err != nil {
				missing.Add(1)
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				set := marked(artifact.Set{"n.txt": []byte(fmt.Sprintf("%d-%d", w, i))})
				for f := range 20 {
					set[fmt.Sprintf("d/%d.txt", f)] = []byte("x")
				}
				if err := Write(out, set); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	done.Store(true)
	<-reader
	close(errs)
	for err := range errs {
		t.Errorf("concurrent build failed: %v", err)
	}
	if n := missing.Load(); n > 0 {
		t.Errorf("the output's marker was missing %d times while builds swapped it in", n)
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("temporary directories left behind: %v", names(entries))
	}
}

// TestWriteSweepsStaleTemporaries: directories a killed build left behind
// are removed by the next build of the same output; others are kept.
func TestWriteSweepsStaleTemporaries(t *testing.T) {
	parent := t.TempDir()
	for _, d := range []string{".out.new-123/prometheus", ".out.new-456.old/grafana", ".other.new-1/x", "keep"} {
		if err := os.MkdirAll(filepath.Join(parent, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(filepath.Join(parent, "out"), marked(artifact.Set{"a.txt": []byte("a")})); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(entries), []string{".other.new-1", "keep", "out"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after the build the parent holds %v, want %v", got, want)
	}
}

// TestCheckReplaceable: only the compiler's own marker (or the output of
// stackc before the marker) makes a non-empty directory replaceable.
func TestCheckReplaceable(t *testing.T) {
	legacyStack := `{"profile": "default", "services": [], "alerting": {}}`
	cases := []struct {
		name  string
		files map[string]string
		link  string // a Marker that is a symbolic link to this file
		ok    bool
	}{
		{name: "empty", ok: true},
		{name: "marker", files: map[string]string{Marker: markerText, "x.yml": "x"}, ok: true},
		{name: "any stack.json", files: map[string]string{"stack.json": `{"name": "my package"}`, "src/main.go": "package main"}},
		{name: "stackc-like stack.json alone", files: map[string]string{"stack.json": legacyStack}},
		{name: "output before the marker", files: map[string]string{"stack.json": legacyStack, "REVIEW.md": "#", "prometheus/prometheus.yml": "x"}, ok: true},
		{name: "legacy names, foreign stack.json", files: map[string]string{"stack.json": `[1]`, "REVIEW.md": "#", "prometheus/prometheus.yml": "x"}},
		{name: "marker is a directory", files: map[string]string{Marker + "/x": "x"}},
		{name: "marker is a link", files: map[string]string{"notes.txt": "mine"}, link: "notes.txt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, data := range c.files {
				full := filepath.Join(dir, filepath.FromSlash(p))
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if c.link != "" {
				if err := os.Symlink(filepath.Join(dir, c.link), filepath.Join(dir, Marker)); err != nil {
					t.Fatal(err)
				}
			}
			err := CheckReplaceable(dir)
			if c.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !c.ok {
				var foreign *ForeignDirError
				if err == nil {
					t.Error("accepted a directory that is not stackc output")
				} else if !strings.Contains(err.Error(), "refusing to replace") || !errors.As(err, &foreign) {
					t.Errorf("error %v, want a *ForeignDirError", err)
				}
			}
		})
	}
}

// TestStaleNeverFollowsLinks: a link in the output directory, even one to
// a file whose content is exactly what would be generated, is stale, and
// is never read (a link to /dev/zero would otherwise exhaust memory).
func TestStaleNeverFollowsLinks(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	set := marked(artifact.Set{"a.txt": []byte("a"), "b.txt": []byte("b")})
	if err := Write(out, set); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(dir, "outside.txt")
	if err := os.WriteFile(outside, []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(out, "a.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(out, "a.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(out, "zero")); err != nil {
		t.Fatal(err)
	}
	got, err := Stale(out, set)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a.txt (not a regular file: L---------)", "zero (not a regular file: L---------)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Stale = %q, want %q", got, want)
	}

	// The output directory itself must not be a link either.
	link := filepath.Join(dir, "linked")
	if err := os.Symlink(out, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Stale(link, set); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("Stale of a linked directory: %v", err)
	}
}

func names(entries []os.DirEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
