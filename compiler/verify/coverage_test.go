package verify

import (
	"encoding/json"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/stackc/stackc/compiler/build"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec"
)

// TestContractCoversGeneratedQueries compiles specs and reads every query
// the generated rules and dashboards make of a service's scraped series
// (the selectors with its job): each must be a series verify checks, with
// the labels it matches on among the ones verify requires. A target that
// starts reading a new series or label fails here until verify checks it.
func TestContractCoversGeneratedQueries(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, path := range []string{
		filepath.Join("testdata", "verify.jsonnet"),
		filepath.Join(root, "stack.jsonnet"),
		filepath.Join(root, "compiler", "prometheus", "testdata", "byom.jsonnet"),
	} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			res, err := spec.LoadFile(path, spec.Options{})
			if err != nil {
				t.Fatal(err)
			}
			files, err := build.Compile(res.Stack)
			if err != nil {
				t.Fatal(err)
			}
			exprs := generatedQueries(t, files)
			if len(exprs) < 10 {
				t.Fatalf("found %d queries in the generated files", len(exprs))
			}
			for _, svc := range res.Stack.Services {
				c, err := newContract(res.Stack, svc)
				if err != nil {
					t.Fatal(err)
				}
				checked := 0
				for _, e := range exprs {
					checked += c.covers(t, e.where, e.expr)
				}
				if checked == 0 {
					t.Errorf("no generated query reads service %s's series", svc.Name)
				}
			}
		})
	}
}

type query struct{ where, expr string }

// generatedQueries are the expressions of every rule file and every
// dashboard panel, Grafana's interval macros replaced by a duration.
func generatedQueries(t *testing.T, files map[string][]byte) []query {
	t.Helper()
	var out []query
	macros := strings.NewReplacer("$__rate_interval", "5m", "$__interval", "5m", "$__range", "5m")
	for _, p := range slices.Sorted(func(yield func(string) bool) {
		for p := range files {
			if !yield(p) {
				return
			}
		}
	}) {
		switch {
		case strings.HasPrefix(p, "prometheus/rules/") && strings.HasSuffix(p, ".yml"):
			groups, errs := rulefmt.Parse(files[p], false, prommodel.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
			if len(errs) > 0 {
				t.Fatalf("%s: %v", p, errs)
			}
			for _, g := range groups.Groups {
				for _, r := range g.Rules {
					out = append(out, query{p + ": " + r.Record + r.Alert, r.Expr})
				}
			}
		case strings.HasPrefix(p, slo.GrafanaDashboardDir+"/") && strings.HasSuffix(p, ".json"):
			var doc any
			if err := json.Unmarshal(files[p], &doc); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			walkExprs(doc, func(e string) { out = append(out, query{p, macros.Replace(e)}) })
		}
	}
	return out
}

func walkExprs(v any, f func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "expr" {
				f(s)
				continue
			}
			walkExprs(x, f)
		}
	case []any:
		for _, x := range v {
			walkExprs(x, f)
		}
	}
}

// covers checks the selectors of expr that read the service's scraped
// series and returns how many it checked.
func (c *contract) covers(t *testing.T, where, expr string) int {
	t.Helper()
	node, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		t.Errorf("%s: %v\n%s", where, err, expr)
		return 0
	}
	n := 0
	parser.Inspect(node, func(nd parser.Node, _ []parser.Node) error {
		vs, ok := nd.(*parser.VectorSelector)
		if !ok || !c.selects(vs) {
			return nil
		}
		name := slo.MetricOf(vs)
		if name == "up" || strings.HasPrefix(name, "scrape_") {
			return nil // written by Prometheus for every target, not exposed by the app
		}
		n++
		allowed, ok := c.seriesLabels(name)
		if !ok {
			t.Errorf("%s reads %s of service %s, which verify does not check\n%s", where, name, c.svc.Name, expr)
			return nil
		}
		for _, m := range vs.LabelMatchers {
			if m.Name == labels.MetricName || c.targetLabels[m.Name] || allowed == nil {
				continue
			}
			if !slices.Contains(allowed, m.Name) {
				t.Errorf("%s matches %s{%s} of service %s, a label verify does not require (%v)", where, name, m.Name, c.svc.Name, allowed)
			}
		}
		return nil
	})
	return n
}

// selects reports whether vs reads the service's scraped series: it
// matches the service's job.
func (c *contract) selects(vs *parser.VectorSelector) bool {
	for _, m := range vs.LabelMatchers {
		if m.Name == "job" && m.Type == labels.MatchEqual && m.Value == slo.Job(c.svc) {
			return true
		}
	}
	return false
}

// seriesLabels returns the labels verify requires of a series it checks
// (le and quantile included where the type has them; nil: a raw SLO's
// series, whose matchers verify takes from the query itself).
func (c *contract) seriesLabels(series string) ([]string, bool) {
	for _, f := range c.families {
		switch {
		case series == f.name:
			if f.typ == model.Summary {
				return append(slices.Clone(f.labels), "quantile"), true
			}
			return f.labels, true
		case f.typ == model.Histogram && series == f.name+"_bucket":
			return append(slices.Clone(f.labels), "le"), true
		case (f.typ == model.Histogram || f.typ == model.Summary) && (series == f.name+"_count" || series == f.name+"_sum"):
			return f.labels, true
		}
	}
	for _, s := range c.selectors {
		if s.series == series {
			return nil, true
		}
	}
	return nil, false
}
