package grafana

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec/spectest"
)

// jsonPanel is the part of a dashboard panel these tests read.
type jsonPanel struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Targets     []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	FieldConfig struct {
		Defaults struct {
			Unit       string `json:"unit"`
			Thresholds struct {
				Steps []struct {
					Value *float64 `json:"value"`
					Color string   `json:"color"`
				} `json:"steps"`
			} `json:"thresholds"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
}

// panelsOf returns the panels of every dashboard of svc, by title, and
// fails on a title used twice.
func panelsOf(t *testing.T, st *model.Stack, svc string) map[string]jsonPanel {
	t.Helper()
	out := map[string]jsonPanel{}
	for _, f := range emit(t, st) {
		if !strings.HasPrefix(f.Path, DashboardDir+"/stackc-"+svc+"-") {
			continue
		}
		var d struct{ Panels []jsonPanel }
		if err := json.Unmarshal(f.Data, &d); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		for _, p := range d.Panels {
			if p.Title == "" || len(p.Targets) == 0 {
				continue // rows
			}
			key := p.Title
			if _, dup := out[key]; dup {
				key = f.Path + ": " + p.Title
			}
			out[key] = p
		}
	}
	return out
}

// parse parses a panel expression with Grafana's variables filled in.
func parse(t *testing.T, expr string) parser.Expr {
	t.Helper()
	e := strings.NewReplacer("$__rate_interval", "5m", "$instance", ".*").Replace(expr)
	node, err := parser.NewParser(parser.Options{}).ParseExpr(e)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return node
}

// nanGuarded reports whether expr drops NaN samples at its top level.
func nanGuarded(node parser.Expr) bool {
	for {
		p, ok := node.(*parser.ParenExpr)
		if !ok {
			break
		}
		node = p.Expr
	}
	b, ok := node.(*parser.BinaryExpr)
	if !ok || b.Op != parser.GTR || b.ReturnBool {
		return false
	}
	n, ok := b.RHS.(*parser.NumberLiteral)
	return ok && math.IsInf(n.Val, -1)
}

func TestQuantilePanelsDropNaN(t *testing.T) {
	for _, tc := range []struct {
		spec, svc string
		panels    []string
	}{
		{"../../stack.jsonnet", "shop", []string{"Latency p99", "shop_order_value_euros quantiles", "shop_cart_items quantiles"}},
		{"testdata/small.jsonnet", "cafe", []string{"Latency p99", "cafe_brew_seconds quantiles", "cafe_tip_euros quantiles"}},
	} {
		t.Run(tc.svc, func(t *testing.T) {
			panels := panelsOf(t, spectest.Load(t, tc.spec, ""), tc.svc)
			for _, title := range tc.panels {
				p, ok := panels[title]
				if !ok {
					t.Errorf("no panel %q", title)
					continue
				}
				for _, q := range p.Targets {
					node := parse(t, q.Expr)
					// Dropped before or after the aggregation (a summary's).
					guarded := nanGuarded(node)
					if agg, ok := node.(*parser.AggregateExpr); ok {
						guarded = guarded || nanGuarded(agg.Expr)
					}
					if !guarded {
						t.Errorf("%s: %s keeps NaN samples", title, q.Expr)
					}
				}
			}
		})
	}
}

func TestFiringAlertsPanelNamesTheService(t *testing.T) {
	st := spectest.Load(t, "../../stack.jsonnet", "")
	for _, svc := range st.Services {
		for title, p := range panelsOf(t, st, svc.Name) {
			if !strings.HasPrefix(title, "Firing alerts") && !strings.HasSuffix(title, ": Firing alerts") {
				continue
			}
			found := false
			parser.Inspect(parse(t, p.Targets[0].Expr), func(n parser.Node, _ []parser.Node) error {
				vs, ok := n.(*parser.VectorSelector)
				if !ok || vs.Name != "ALERTS" {
					return nil
				}
				found = true
				m := matcher(vs.LabelMatchers, slo.LabelService)
				if m == nil || m.Type != labels.MatchEqual || m.Value != svc.Name {
					t.Errorf("%s: %s does not select %s=%q", title, p.Targets[0].Expr, slo.LabelService, svc.Name)
				}
				return nil
			})
			if !found {
				t.Errorf("%s: %s reads no ALERTS", title, p.Targets[0].Expr)
			}
		}
	}
}

func matcher(ms []*labels.Matcher, name string) *labels.Matcher {
	for _, m := range ms {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// TestRecordingRulePanelsSayInstanceIsIgnored: the RED recording rules sum
// instances away, so their panels cannot follow $instance and must say so.
func TestRecordingRulePanelsSayInstanceIsIgnored(t *testing.T) {
	rules := []string{slo.REDRequestsRate, slo.REDErrorRatio, slo.REDLatencyQuantile}
	st := spectest.Load(t, "../../stack.jsonnet", "")
	seen := 0
	for title, p := range panelsOf(t, st, "shop") {
		readsRule := false
		for _, q := range p.Targets {
			for _, r := range rules {
				readsRule = readsRule || strings.Contains(q.Expr, r)
			}
		}
		if !readsRule {
			continue
		}
		seen++
		if !strings.Contains(p.Description, ignoresInstance) {
			t.Errorf("%s reads a recording rule but its description does not say the instance variable is ignored: %q", title, p.Description)
		}
	}
	if seen == 0 {
		t.Fatal("no panel reads the RED recording rules")
	}
}

func TestTargetsUpIsAShare(t *testing.T) {
	for _, targets := range []int{1, 3} {
		t.Run(fmt.Sprint(targets, " targets"), func(t *testing.T) {
			st := spectest.Load(t, "testdata/small.jsonnet", "")
			svc := &st.Services[0]
			svc.Targets = svc.Targets[:1]
			for len(svc.Targets) < targets {
				svc.Targets = append(svc.Targets, fmt.Sprintf("127.0.0.1:%d", 9000+len(svc.Targets)))
			}
			p, ok := panelsOf(t, st, svc.Name)["Targets up"]
			if !ok {
				t.Fatal("no Targets up panel")
			}
			agg, ok := parse(t, p.Targets[0].Expr).(*parser.AggregateExpr)
			if !ok || agg.Op != parser.AVG {
				t.Errorf("Targets up: %s is not avg(up{...})", p.Targets[0].Expr)
			}
			if d := p.FieldConfig.Defaults; d.Unit != "percentunit" {
				t.Errorf("Targets up unit %q, want percentunit", d.Unit)
			}
			// Red below 100%: with one target of several up, the share is
			// below 1 whatever the number of targets.
			steps := p.FieldConfig.Defaults.Thresholds.Steps
			if len(steps) != 2 || steps[0].Color != "red" || steps[1].Value == nil || *steps[1].Value != 1 || steps[1].Color != "green" {
				t.Errorf("Targets up thresholds %+v, want red below 1, green at 1", steps)
			}
		})
	}
}
