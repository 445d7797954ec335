package build

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/spec"
)

// TestCompileTargets: a subset of the targets writes, byte for byte, what
// a whole build writes at the same paths; the targets they need run too,
// the others do not.
func TestCompileTargets(t *testing.T) {
	res, err := spec.LoadFile(repoSpec, spec.Options{Profile: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	full, err := Compile(res.Stack)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		targets []string
		want    []string // paths the subset writes
		not     []string // paths it must not write
		err     string
	}{
		{
			name:    "the native demo's configs",
			targets: []string{"stack", "python", "prometheus", "alertmanager"},
			want:    []string{"stack.json", "prometheus/prometheus.yml", "alertmanager/alertmanager.yml"},
			not:     []string{"REVIEW.md", "compose.yaml", Marker},
		},
		{
			name:    "review brings the targets it needs",
			targets: []string{"review"},
			want:    []string{"REVIEW.md", "prometheus/prometheus.yml", "alertmanager/alertmanager.yml"},
			not:     []string{"stack.json", "compose.yaml"},
		},
		{
			name:    "unknown target",
			targets: []string{"prometheus", "nope"},
			err:     `no target "nope"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CompileTargets(res.Stack, tt.targets...)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for p, data := range got {
				if !bytes.Equal(data, full[p]) {
					t.Errorf("%s differs from the whole build's", p)
				}
			}
			for _, p := range tt.want {
				if _, ok := got[p]; !ok {
					t.Errorf("%s is missing", p)
				}
			}
			for _, p := range tt.not {
				if _, ok := got[p]; ok {
					t.Errorf("%s was written", p)
				}
			}
		})
	}
}
