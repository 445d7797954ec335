package prometheus

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenSpecs are the specs whose rule files and scrape config are kept as
// golden files: the demo (30d, 28d and 7d SLOs on one service) and
// testdata/periods.jsonnet (28d and 7d SLOs, a disabled tier, a service
// without runbook).
var goldenSpecs = map[string]string{
	"stack":   "../../stack.jsonnet",
	"periods": "testdata/periods.jsonnet",
}

func TestGolden(t *testing.T) {
	names := make([]string, 0, len(goldenSpecs))
	for n := range goldenSpecs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			files, err := Emit(loadStack(t, goldenSpecs[name]))
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join("testdata", "golden", name)
			want := map[string]bool{}
			for _, f := range files {
				if !strings.HasPrefix(f.Path, "prometheus/rules/") && f.Path != "prometheus/prometheus.yml" {
					continue
				}
				p := filepath.Join(dir, filepath.FromSlash(f.Path))
				want[p] = true
				if *update {
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				got, err := os.ReadFile(p)
				if err != nil {
					t.Errorf("%v (run go test ./compiler/prometheus -run TestGolden -update)", err)
					continue
				}
				if !bytes.Equal(got, f.Data) {
					t.Errorf("%s differs from the generated file; review the change and run with -update", p)
				}
			}
			// A golden file nothing generates any more is stale.
			_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || want[p] {
					return err
				}
				if *update {
					return os.Remove(p)
				}
				t.Errorf("%s is not generated any more", p)
				return nil
			})
		})
	}
}

// TestDeterministic emits twice and compares every byte.
func TestDeterministic(t *testing.T) {
	st := loadStack(t, goldenSpecs["stack"])
	a, err := Emit(st)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Emit(st)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s differs between two runs", a[i].Path)
		}
	}
}
