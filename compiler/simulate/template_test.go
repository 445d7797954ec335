package simulate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/rulefmt"
)

// readsOf describes reads for comparison: each selector and how far back.
func readsOf(rds []read) []string {
	var out []string
	for _, rd := range rds {
		out = append(out, fmt.Sprintf("%s %s", rd.sel, rd.back))
	}
	return out
}

// TestTemplateReads checks that a rule read through its expression's
// template has the selectors of the expression parsed in full.
func TestTemplateReads(t *testing.T) {
	for _, expr := range []string{
		`sum(rate(http_requests_total{job="svc1",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="svc1"}[5m]))`,
		`sum_over_time(slo:sli_errors:increase5m{service="svc1",slo="svc1-ep0"}[23h] offset 1h) or on () vector(0)`,
		`max_over_time(rate(x{job='single',endpoint="a\"b"}[5m])[1h:1m] offset 5m)`,
		"histogram_quantile(0.99, sum by (le) (rate(h_bucket{job=`raw\\d`}[5m])))",
		`label_replace(up{job="svc1"}, "dst", "$1", "instance", "(.*):.*")`,
		"up{job=\"svc1\"} # a comment with a \" quote\n  > 0",
		`{__name__="up",job="svc1"}`,
		`{"up",job="svc1"}`,
		`absent(x{job="a"}) unless on () (max(up{job="a"}) == 0)`,
		// Placeholder-like text: parsed as it is.
		`up{job="stackc_literal_0"}`,
		`stackc_literal_0{job="a"}`,
	} {
		t.Run(expr, func(t *testing.T) {
			parsed, err := promParser.ParseExpr(expr)
			if err != nil {
				t.Fatal(err)
			}
			want := readsOf(reads(parsed))
			r := &rule{Rule: rulefmt.Rule{Expr: expr}}
			ts := newTemplates()
			if err := ts.parseRule(r); err != nil {
				t.Fatal(err)
			}
			if templated := len(ts.byText) > 0; templated == strings.Contains(expr, placeholderPrefix) {
				t.Errorf("read through a template: %v", templated)
			}
			got := readsOf(r.reads)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("reads\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestTemplateCanonical checks that two expressions share a canonical form
// exactly when they differ only in the values of identity labels.
func TestTemplateCanonical(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{`rate(x{job="svc1",endpoint="ep0"}[5m])`, `rate(x{job="svc2",endpoint="ep7"}[5m])`, true},
		{`x{service="a",slo="a-1"} > 0.001`, `x{service="b",slo="b-2"} > 0.001`, true},
		{`x{service="a"} > 0.001`, `x{service="a"} > 0.002`, false},
		{`x{job="a",le="0.25"}`, `x{job="a",le="0.5"}`, false},
		{`x{job="a",code=~"5.."}`, `x{job="a",code=~"4.."}`, false},
		{`label_replace(x{job="a"}, "dst", "a", "src", "(.*)")`, `label_replace(x{job="a"}, "dst", "b", "src", "(.*)")`, false},
		{`x{job="a"}[5m]`, `x{job="a"}[10m]`, false},
		{`x{job="a"}`, `y{job="a"}`, false},
		// The same expression written differently.
		{`x{job="a"}`, `x{job='b'}`, true},
		{`sum(x{job="a"})`, "sum(\n  x{job=\"a\"}\n)", true},
	} {
		t.Run(c.a+" "+c.b, func(t *testing.T) {
			ts := newTemplates()
			var canon [2]string
			for i, expr := range []string{c.a, c.b} {
				r := &rule{Rule: rulefmt.Rule{Expr: expr}}
				if err := ts.parseRule(r); err != nil {
					t.Fatal(err)
				}
				canon[i] = r.canonical
			}
			if got := canon[0] == canon[1]; got != c.same {
				t.Errorf("same canonical form = %v, want %v:\n  %s\n  %s", got, c.same, canon[0], canon[1])
			}
		})
	}
}

// TestTemplateErrors checks that an expression the parser rejects for a
// literal's value is rejected through its template too.
func TestTemplateErrors(t *testing.T) {
	for _, expr := range []string{
		`{job=""}`,
		`x{code=~"("}`,
		`x{job="a"`,
		`x{job="a\q"}`,
	} {
		t.Run(expr, func(t *testing.T) {
			if _, err := promParser.ParseExpr(expr); err == nil {
				t.Fatalf("the parser accepts %s", expr)
			}
			r := &rule{Rule: rulefmt.Rule{Expr: expr}}
			if err := newTemplates().parseRule(r); err == nil {
				t.Errorf("parseRule accepts %s: reads %q", expr, readsOf(r.reads))
			}
		})
	}
}
