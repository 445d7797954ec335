package prometheus

import (
	"bytes"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/golden"
	"github.com/stackc/stackc/compiler/spec/spectest"
)

// goldenSpecs are the specs whose rule files and scrape config are kept as
// golden files: the demo (30d, 28d and 7d SLOs on one service) and
// testdata/periods.jsonnet (28d and 7d SLOs, a disabled tier, a service
// without runbook) and testdata/byom.jsonnet (the registry beside three
// exporter presets, a scrape job and selector of its own, static labels).
var goldenSpecs = map[string]string{
	"stack":   "../../stack.jsonnet",
	"periods": "testdata/periods.jsonnet",
	"byom":    "testdata/byom.jsonnet",
}

func TestGolden(t *testing.T) {
	names := make([]string, 0, len(goldenSpecs))
	for n := range goldenSpecs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			files, err := artifact.Files(Emit, spectest.Load(t, goldenSpecs[name], ""), nil)
			if err != nil {
				t.Fatal(err)
			}
			var kept []artifact.File
			for _, f := range files {
				if strings.HasPrefix(f.Path, "prometheus/rules/") || f.Path == "prometheus/prometheus.yml" {
					kept = append(kept, f)
				}
			}
			golden.Dir(t, filepath.Join("testdata", "golden", name), kept)
		})
	}
}

// TestDeterministic emits twice and compares every byte.
func TestDeterministic(t *testing.T) {
	st := spectest.Load(t, goldenSpecs["stack"], "")
	a, err := artifact.Files(Emit, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := artifact.Files(Emit, st, nil)
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
