package prometheus

import (
	"fmt"
	"testing"
	"time"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
)

// slothRules is what Sloth generates for one 30d availability SLO (its SLI
// recording rules at every window, the 30d ratio averaged from the 5m
// ratio, metadata, and two alerts), written out here only to calibrate the
// cost model against DESIGN.md's ~447,000 samples per minute.
func slothRules() []rulefmt.RuleGroup {
	sli := rulefmt.RuleGroup{Name: "sloth-slo-sli-recordings-checkout"}
	for _, w := range []string{"5m", "30m", "1h", "2h", "6h", "1d", "3d"} {
		sli.Rules = append(sli.Rules, rulefmt.Rule{
			Record: "slo:sli_error:ratio_rate" + w,
			Expr: fmt.Sprintf(`(sum(rate(http_requests_total{job="shop",endpoint="checkout",code=~"5.."}[%s])))`+
				` / (sum(rate(http_requests_total{job="shop",endpoint="checkout"}[%s])))`, w, w),
		})
	}
	sli.Rules = append(sli.Rules, rulefmt.Rule{
		Record: "slo:sli_error:ratio_rate30d",
		Expr: `sum_over_time(slo:sli_error:ratio_rate5m{sloth_id="shop-checkout"}[30d])` +
			` / ignoring (sloth_window) count_over_time(slo:sli_error:ratio_rate5m{sloth_id="shop-checkout"}[30d])`,
	})
	meta := rulefmt.RuleGroup{Name: "sloth-slo-meta-recordings-checkout"}
	for _, e := range []string{
		`vector(0.999)`, `vector(1-0.999)`, `vector(30)`,
		`slo:sli_error:ratio_rate30d{sloth_id="shop-checkout"} / on (sloth_id) group_left slo:error_budget:ratio{sloth_id="shop-checkout"}`,
		`1 - slo:sli_error:ratio_rate30d{sloth_id="shop-checkout"}`,
		`slo:sli_error:ratio_rate30d{sloth_id="shop-checkout"}`,
		`vector(1)`,
	} {
		meta.Rules = append(meta.Rules, rulefmt.Rule{Record: "sloth_meta", Expr: e})
	}
	alerts := rulefmt.RuleGroup{Name: "sloth-slo-alerts-checkout"}
	for _, w := range [][4]string{{"1h", "5m", "6h", "30m"}, {"1d", "2h", "3d", "6h"}} {
		alerts.Rules = append(alerts.Rules, rulefmt.Rule{Alert: "CheckoutBurn", Expr: fmt.Sprintf(
			`(slo:sli_error:ratio_rate%s{sloth_id="shop-checkout"} > (14.4 * 0.001) and ignoring (sloth_window) slo:sli_error:ratio_rate%s{sloth_id="shop-checkout"} > (14.4 * 0.001))`+
				` or ignoring (sloth_window) (slo:sli_error:ratio_rate%s{sloth_id="shop-checkout"} > (6 * 0.001) and ignoring (sloth_window) slo:sli_error:ratio_rate%s{sloth_id="shop-checkout"} > (6 * 0.001))`,
			w[0], w[1], w[2], w[3])})
	}
	return []rulefmt.RuleGroup{sli, meta, alerts}
}

// oneSLO is a 30d availability SLO on one endpoint, as in stack.jsonnet.
func oneSLO(name string) (*model.Stack, model.Service, model.SLO) {
	s := model.SLO{Name: name, Kind: model.Availability, Endpoints: []string{"checkout"}, Objective: 99.9,
		Period: model.Duration(30 * 24 * time.Hour), MinEventRate: 0.1}
	svc := model.Service{Name: "shop", Team: "storefront", Port: 8080, Targets: []string{"127.0.0.1:8080"},
		Endpoints: []model.Endpoint{{Name: "checkout", Method: "POST", Route: "/checkout"}}, SLOs: []model.SLO{s}}
	st := &model.Stack{ScrapeInterval: model.Duration(15 * time.Second), EvaluationInterval: model.Duration(30 * time.Second),
		Network: model.Network{GrafanaURL: "http://127.0.0.1:3000"}, Services: []model.Service{svc}}
	return st, svc, s
}

// TestSamplesPerMinute compares the rules of one 30d SLO with Sloth's for
// the same SLO: 15s scrape, 30s evaluation, one series per selector.
func TestSamplesPerMinute(t *testing.T) {
	scrape, eval := 15*time.Second, 30*time.Second
	sloth, err := SamplesPerMinute(slothRules(), scrape, eval)
	if err != nil {
		t.Fatal(err)
	}
	// Calibration: the cost model reproduces DESIGN.md's figure for Sloth.
	if sloth < 440_000 || sloth > 450_000 {
		t.Errorf("Sloth's rules read %.0f samples/min, want ~447,000", sloth)
	}
	st, svc, s := oneSLO("checkout-availability")
	fast, slow := sloRules(st, svc, s)
	ours, err := SamplesPerMinute([]rulefmt.RuleGroup{fast, slow}, scrape, eval)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("samples read per minute for one 30d SLO: stackc %.0f, Sloth %.0f (%.1f%%); rules: %d recording + %d alerting",
		ours, sloth, 100*ours/sloth, countRules(fast, slow, true), countRules(fast, slow, false))
	// The goal in DESIGN.md: a tenth of Sloth's cost or less.
	if ours > sloth/10 {
		t.Errorf("stackc's rules read %.0f samples/min, more than a tenth of Sloth's %.0f", ours, sloth)
	}
}

func TestSamplesPerMinuteCounts(t *testing.T) {
	g := []rulefmt.RuleGroup{
		{Name: "a", Rules: []rulefmt.Rule{{Record: "r:x:rate5m", Expr: `sum(rate(x_total[5m]))`}}},
		{Name: "b", Interval: prommodel.Duration(5 * time.Minute), Rules: []rulefmt.Rule{{Record: "r:x:rate1h", Expr: `avg_over_time(r:x:rate5m[1h]) + r:x:rate5m`}}},
	}
	got, err := SamplesPerMinute(g, 15*time.Second, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// a: 20 samples x 2 evaluations; b: (120 + 1) samples x 0.2 evaluations.
	if want := 40 + 121*0.2; got != want {
		t.Errorf("SamplesPerMinute = %v, want %v", got, want)
	}
}

func countRules(fast, slow rulefmt.RuleGroup, recording bool) int {
	n := 0
	for _, g := range []rulefmt.RuleGroup{fast, slow} {
		for _, r := range g.Rules {
			if (r.Record != "") == recording {
				n++
			}
		}
	}
	return n
}

// thousandSLOs is 100 services with ten 30d availability SLOs each.
func thousandSLOs() *model.Stack {
	st, _, _ := oneSLO("x")
	st.Services = nil
	for i := range 100 {
		_, svc, _ := oneSLO("x")
		svc.Name = fmt.Sprintf("svc%03d", i)
		svc.SLOs = nil
		for j := range 10 {
			_, _, s := oneSLO(fmt.Sprintf("slo%d", j))
			svc.SLOs = append(svc.SLOs, s)
		}
		st.Services = append(st.Services, svc)
	}
	return st
}

// BenchmarkRules builds the rule groups of 1,000 SLOs and reports the
// number of rules per SLO (service-level RED and health rules included).
func BenchmarkRules(b *testing.B) {
	st := thousandSLOs()
	b.ReportAllocs()
	rules := 0
	for b.Loop() {
		rules = 0
		for _, g := range Rules(st) {
			rules += len(g.Rules)
		}
	}
	b.ReportMetric(float64(rules)/1000, "rules/SLO")
}

// BenchmarkEmit is the whole target for the same 1,000 SLOs: rules, promlint
// on every expression, YAML, rulefmt parsing them back, and the generated
// tests.
func BenchmarkEmit(b *testing.B) {
	st := thousandSLOs()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := artifact.Files(Emit, st, nil); err != nil {
			b.Fatal(err)
		}
	}
}
