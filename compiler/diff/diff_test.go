package diff

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/internal/golden"
	"github.com/stackc/stackc/compiler/spec/spectest"
)

func TestBaseToHead(t *testing.T) {
	r, err := Stacks(spectest.Load(t, "testdata/base.jsonnet", ""), spectest.Load(t, "testdata/head.jsonnet", ""))
	if err != nil {
		t.Fatal(err)
	}
	md := r.Markdown("base.jsonnet", "head.jsonnet")
	golden.Compare(t, filepath.Join("testdata", "base-to-head.md"), []byte(md))
	for _, want := range []string{
		// The new business metric is a new panel with its query.
		"- panel added: **bakery_ovens_hot** (stat, unit `short`) in row Business metrics",
		"`sum(bakery_ovens_hot{service=\"bakery\",instance=~\"$instance\"})`",
		// The raised objective changes every tier's threshold.
		"objective 99.5% → 99.9%",
		"tier page-fast: threshold 7.2% → 1.44%",
		// Pages go to the new receiver.
		"receivers oncall → pager",
		"-   severity=\"page\" -> oncall",
		"+   severity=\"page\" -> pager",
		"- receiver added: **pager** (webhook http://127.0.0.1:9095/pager)",
		"- receiver removed: **oncall**",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("diff does not show %q:\n%s", want, md)
		}
	}
}

func TestNoChanges(t *testing.T) {
	st := spectest.Load(t, "testdata/base.jsonnet", "")
	r, err := Stacks(st, spectest.Load(t, "testdata/base.jsonnet", ""))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Empty() {
		t.Fatalf("the same spec differs from itself: %+v", r)
	}
	if md := r.Markdown("a", "b"); !strings.HasSuffix(md, "no changes\n") {
		t.Errorf("Markdown of no changes: %q", md)
	}
}

func TestHeadToBaseIsTheReverse(t *testing.T) {
	r, err := Stacks(spectest.Load(t, "testdata/head.jsonnet", ""), spectest.Load(t, "testdata/base.jsonnet", ""))
	if err != nil {
		t.Fatal(err)
	}
	md := r.Markdown("head", "base")
	for _, want := range []string{"- panel removed: **bakery_ovens_hot** in row Business metrics", "objective 99.9% → 99.5%", "receivers pager → oncall"} {
		if !strings.Contains(md, want) {
			t.Errorf("reverse diff does not show %q:\n%s", want, md)
		}
	}
}

func TestLineDiff(t *testing.T) {
	tests := []struct {
		a, b []string
		want string
	}{
		{[]string{"x", "y"}, []string{"x", "y"}, "  x|  y"},
		{[]string{"x", "y"}, []string{"x", "z"}, "  x|- y|+ z"},
		{[]string{"x"}, []string{"w", "x"}, "+ w|  x"},
		{[]string{"x", "y"}, []string{"y"}, "- x|  y"},
	}
	for _, tt := range tests {
		if got := strings.Join(lineDiff(tt.a, tt.b), "|"); got != tt.want {
			t.Errorf("lineDiff(%v, %v) = %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}
