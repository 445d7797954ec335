package prometheus

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec/spectest"
)

func TestCounterValues(t *testing.T) {
	tests := []struct {
		name   string
		phases []phase
		inc    func(phase) float64
		want   string
	}{
		{"one phase", []phase{{3 * time.Minute, 1, 0}}, func(p phase) float64 { return p.rate * 60 }, "0+60x3"},
		{"rate change", []phase{{2 * time.Minute, 1, 0}, {3 * time.Minute, 2, 0}}, func(p phase) float64 { return p.rate * 60 }, "0+60x2 240+120x2"},
		{"bad share", []phase{{2 * time.Minute, 10, 0}, {2 * time.Minute, 10, 0.5}}, func(p phase) float64 { return p.rate * 60 * p.bad }, "0+0x2 300+300x1"},
		{"float increments", []phase{{2 * time.Minute, 0.09, 1}}, func(p phase) float64 { return p.rate * 60 * p.bad }, "0+5.4x2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := counterValues(tt.phases, tt.inc); got != tt.want {
				t.Errorf("counterValues = %q, want %q", got, tt.want)
			}
		})
	}
}

// oneMinus computes at run time, as the model does (constants are exact).
func oneMinus(x float64) float64 { return 1 - x }

func TestNumAndLe(t *testing.T) {
	tests := []struct {
		f        float64
		num, le  string
		describe string
	}{
		{oneMinus(0.999), "0.001", "0.0010000000000000009", "budget of 99.9"},
		{0.025, "0.025", "0.025", "25ms bucket"},
		{0.3, "0.3", "0.3", "300ms bucket"},
		{1, "1", "1.0", "whole number: Prometheus stores le=\"1.0\""},
		{5, "5", "5.0", "whole number"},
		{2.5, "2.5", "2.5", "2.5s bucket"},
		{14.4 * 0.001, "0.0144", "0.0144", "threshold"},
	}
	for _, tt := range tests {
		if got := num(tt.f); got != tt.num {
			t.Errorf("%s: num(%v) = %s, want %s", tt.describe, tt.f, got, tt.num)
		}
		if got := leValue(tt.f); got != tt.le {
			t.Errorf("%s: leValue(%v) = %s, want %s", tt.describe, tt.f, got, tt.le)
		}
	}
}

// TestBurnAbove checks the generated tests' burn rates: above the factor,
// below the next faster tier's, and printed stably.
func TestBurnAbove(t *testing.T) {
	for _, objective := range []float64{99.9, 99.5, 99, 95} {
		for _, period := range []time.Duration{7 * 24 * time.Hour, 28 * 24 * time.Hour, 30 * 24 * time.Hour} {
			s := model.SLO{Objective: objective, Period: model.Duration(period)}
			for i, tier := range slo.Tiers {
				if !tier.CanFire(s) {
					continue
				}
				f := tier.Factor(period)
				burn, ratio := burnAbove(s, f)
				name := fmt.Sprintf("%v%% %s %s", objective, period, tier.Name)
				if burn <= f || ratio >= 1 {
					t.Errorf("%s: burn %v ratio %v, want above factor %v and below 100%%", name, burn, ratio, f)
				}
				// Clamped factors can tie (both 7d ticket tiers fire at 1x);
				// only a faster tier with a higher factor must stay quiet.
				if faster := slo.Tiers[max(i-1, 0)].Factor(period); i > 0 && faster > f && burn >= faster {
					t.Errorf("%s: burn %v reaches the faster tier's factor", name, burn)
				}
				if below := burnBelow(f); below >= f || below <= 0 {
					t.Errorf("%s: burnBelow = %v for factor %v", name, below, f)
				}
			}
		}
	}
}

// TestCatalogCoversRules: every recorded series is in Catalog with the
// labels the rule gives it, so dashboards can query them through promlint.
func TestCatalogCoversRules(t *testing.T) {
	st := spectest.Load(t, goldenSpecs["stack"], "")
	cat := Catalog(st)
	for _, g := range Rules(st) {
		for _, r := range g.Rules {
			if r.Record == "" {
				continue
			}
			if !cat.Has(r.Record) {
				t.Errorf("recorded %s is not in Catalog", r.Record)
				continue
			}
			for l := range r.Labels {
				if !slices.Contains(cat.Labels(r.Record), l) {
					t.Errorf("recorded %s has label %s, Catalog does not know it", r.Record, l)
				}
			}
		}
	}
}

// TestLintNamesRule: a broken expression is reported as a compiler bug
// naming the group and the rule.
func TestLintNamesRule(t *testing.T) {
	st := spectest.Load(t, goldenSpecs["stack"], "")
	tests := []struct {
		name  string
		rule  rulefmt.Rule
		wants []string
	}{
		{"unknown metric", rulefmt.Rule{Record: "x:y:z", Expr: `sum(rate(http_request_total[5m]))`}, []string{"group g, rule x:y:z", `unknown metric "http_request_total"`}},
		{"unknown label", rulefmt.Rule{Alert: "Broken", Expr: `slo:sli_error:ratio_rate5m{endpoint="checkout"} > 0`}, []string{"rule Broken", `has no label "endpoint"`}},
		{"annotation query", rulefmt.Rule{Alert: "Tmpl", Expr: `up == 0`,
			Annotations: map[string]string{"description": `{{ with query "nope{job=\"shop\"}" }}{{ . }}{{ end }}`}}, []string{"rule Tmpl, annotation description", `unknown metric "nope"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := lintGroups([]rulefmt.RuleGroup{{Name: "g", Rules: []rulefmt.Rule{tt.rule}}}, Catalog(st))
			if err == nil {
				t.Fatal("lintGroups accepted a broken rule")
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestAlertLabelsAndTiers: one rule per enabled tier that can fire, with
// the labels Alertmanager routes and inhibits on.
func TestAlertLabelsAndTiers(t *testing.T) {
	st := spectest.Load(t, goldenSpecs["periods"], "")
	for _, svc := range st.Services {
		for _, s := range svc.SLOs {
			fast, _ := sloRules(st, svc, s)
			var tiers []string
			for _, r := range fast.Rules {
				if r.Alert == "" {
					continue
				}
				if r.Alert != slo.BurnAlertName(s) {
					t.Errorf("%s: alert %s, want %s", s.Name, r.Alert, slo.BurnAlertName(s))
				}
				for _, l := range []string{slo.LabelSeverity, slo.LabelTier, slo.LabelService, slo.LabelTeam, slo.LabelSLO} {
					if r.Labels[l] == "" {
						t.Errorf("%s %s: no %s label", s.Name, r.Labels[slo.LabelTier], l)
					}
				}
				for _, a := range []string{"summary", "description", "dashboard"} {
					if r.Annotations[a] == "" {
						t.Errorf("%s %s: no %s annotation", s.Name, r.Labels[slo.LabelTier], a)
					}
				}
				if strings.Contains(r.Annotations["summary"], "{{") {
					t.Errorf("%s: summary must be static: %s", s.Name, r.Annotations["summary"])
				}
				tiers = append(tiers, r.Labels[slo.LabelTier])
			}
			var want []string
			for _, a := range slo.BurnAlerts(s) {
				want = append(want, a.TierLabel())
			}
			if !slices.Equal(tiers, want) || len(want) == 0 {
				t.Errorf("%s: tiers %v, want %v", s.Name, tiers, want)
			}
			// Each enabled tier that can fire has its condition recorded
			// (the alerts OR them); a disabled one has none.
			var conds []string
			for _, r := range fast.Rules {
				if r.Record == slo.TierBurnRate {
					conds = append(conds, r.Labels[slo.LabelTier])
				}
			}
			var wantConds []string
			for _, tier := range emittedTiers(s) {
				wantConds = append(wantConds, tier.Name)
			}
			if !slices.Equal(conds, wantConds) {
				t.Errorf("%s: tier conditions %v, want %v", s.Name, conds, wantConds)
			}
			for _, d := range s.DisabledTiers {
				if slices.Contains(conds, d) {
					t.Errorf("%s: disabled tier %s recorded", s.Name, d)
				}
			}
		}
	}
}
