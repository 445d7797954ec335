package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stackc/stackc/compiler/artifact"
)

// recorder collects the failures of a comparison instead of failing the
// test that runs it.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(r)
}

func (r *recorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

// failures runs check against a recorder, the way a test would run it, and
// returns what it reported.
func failures(check func(t testing.TB)) []string {
	r := &recorder{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() {
			if p := recover(); p != nil && p != r {
				panic(p)
			}
		}()
		check(r)
	}()
	wg.Wait()
	return r.failures
}

func TestCompareAndDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("one\ntwo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "stale.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		check func(t testing.TB)
		want  []string // a substring of each failure, in order
	}{
		{"same bytes", func(t testing.TB) { Compare(t, filepath.Join(dir, "a.txt"), []byte("one\ntwo\n")) }, nil},
		{"second line differs", func(t testing.TB) { Compare(t, filepath.Join(dir, "a.txt"), []byte("one\nthree\n")) }, []string{"line 2:\n got: three\nwant: two"}},
		{"missing file", func(t testing.TB) { Compare(t, filepath.Join(dir, "none.txt"), nil) }, []string{"-update to create it"}},
		{"stale file", func(t testing.TB) {
			Dir(t, dir, []artifact.File{{Path: "a.txt", Data: []byte("one\ntwo\n")}})
		}, []string{"stale golden file " + filepath.Join(dir, "stale.txt")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := failures(tt.check)
			if len(got) != len(tt.want) {
				t.Fatalf("failures %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("failure %q lacks %q", got[i], w)
				}
			}
		})
	}
}

func TestFirstDiff(t *testing.T) {
	tests := []struct{ got, want, diff string }{
		{"a\nb\n", "a\nc\n", "line 2:\n got: b\nwant: c"},
		{"a\n", "a\nb\n", "line 2:\n got: \nwant: b"},
		{"a", "a\n", "no line (lengths differ)"},
	}
	for _, tt := range tests {
		if d := FirstDiff([]byte(tt.got), []byte(tt.want)); d != tt.diff {
			t.Errorf("FirstDiff(%q, %q) = %q, want %q", tt.got, tt.want, d, tt.diff)
		}
	}
}
