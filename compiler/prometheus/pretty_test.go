package prometheus

import (
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/spec/spectest"
)

// TestPrettyMemoMatchesPretty checks that shared layouts print every rule
// expression of the test specs, and edge cases, exactly as the parser's
// Pretty does, and that the memo does share them.
func TestPrettyMemoMatchesPretty(t *testing.T) {
	var exprs []string
	for _, path := range []string{"../../stack.jsonnet", "testdata/periods.jsonnet"} {
		for _, g := range Rules(spectest.Load(t, path, "")) {
			for _, r := range g.Rules {
				exprs = append(exprs, r.Expr)
			}
		}
	}
	long := strings.Repeat("x", 60)
	exprs = append(exprs,
		// Values of other lengths move the line breaks.
		`sum(rate(http_requests_total{job="a",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="a"}[5m])) > 0.001`,
		`sum(rate(http_requests_total{job="`+long+`",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="a"}[5m])) > 0.001`,
		`sum(rate(http_requests_total{job="`+long+`b",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="a"}[5m])) > 0.001`,
		// One label matched twice: matchers sort by their values.
		`up{job="b",job="a"} or up{job="a",job="b"}`,
		`up{job!="b",job="a"}`,
		// Upper-case values and strings that are not matcher values.
		`up{method="GET",job="svc"}`,
		`up{method="POST",job="svc"}`,
		`label_replace(up{job="svc"}, "dst", "$1", "instance", "(.*)")`,
		`label_replace(up{job="svc"}, "DST", "$1", "instance", "(.*)")`,
		`count_values("VALUE", up{job="A"})`,
		`up{job=~"svc|other",team="A-b_9"} unless up{job='single'}`,
		`{__name__="up",job="svc"}`,
		`up{job = "a" , team != "b"}`,
		`sum by (job) (up{job=""})`,
	)
	var memo prettyMemo
	for round := range 2 {
		for _, e := range exprs {
			want, err := prettyExpr(e)
			if err != nil {
				t.Fatalf("%s: %v", e, err)
			}
			got, err := memo.pretty(e)
			if err != nil {
				t.Fatalf("%s: memo: %v", e, err)
			}
			if got != want {
				t.Errorf("round %d, %s:\nmemo:\n%s\nPretty:\n%s", round, e, got, want)
			}
		}
	}
	// Expressions that differ in same-length values share one layout.
	var shared prettyMemo
	for _, svc := range []string{"svc1", "svc2", "svc3"} {
		e := `sum(rate(http_requests_total{job="` + svc + `",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="` + svc + `"}[5m])) > 0.001`
		want, _ := prettyExpr(e)
		if got, err := shared.pretty(e); err != nil || got != want {
			t.Errorf("%s: got %q, %v, want %q", e, got, err, want)
		}
	}
	if len(shared.layouts) != 1 {
		t.Errorf("%d layouts for three expressions of one layout", len(shared.layouts))
	}
}

func TestLayoutKey(t *testing.T) {
	for _, tt := range []struct {
		expr, key string
		ok        bool
	}{
		{`up{job="svc1",team="t"}`, `up{job="AAAA",team="B"}`, true},
		{`up{job="svc1"} / up{job="svc1"}`, `up{job="AAAA"} / up{job="AAAA"}`, true},
		{`up{le="0.25",job="a"}`, `up{le="0.25",job="A"}`, true},
		{`up{job="a",job="b"}`, "", false},
		{`label_replace(up, "ABC", "$1", "a", "(.*)")`, "", false},
		{`up{job='a'}`, "", false},
	} {
		key, _, ok := layoutKey(tt.expr)
		if ok != tt.ok || ok && key != tt.key {
			t.Errorf("layoutKey(%s) = %q, %v; want %q, %v", tt.expr, key, ok, tt.key, tt.ok)
		}
	}
}
