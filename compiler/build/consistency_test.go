package build

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"testing"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/stackc/stackc/compiler/alertmanager"
	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec"
)

// objectiveSpec is a one-SLO stack with the given objective.
func objectiveSpec(objective float64) string {
	return fmt.Sprintf(`local s = import 'stackc.libsonnet';
s.stack {
  services: [
    s.service('api', team='core', port=8080) {
      endpoints: [s.endpoint('GET', '/items', name='items')],
      slos: [s.availability('items-availability', endpoint='items', objective=%g)],
    },
  ],
  alerting: {
    defaultReceiver: 'tickets',
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts'), tickets: s.webhook('http://127.0.0.1:9095/tickets') },
    routes: [s.route({ severity: 'page' }, 'oncall'), s.route({ severity: 'ticket' }, 'tickets')],
  },
}
`, objective)
}

// ruleAlerts are the alerts the generated rule files define, as
// "alertname (tier)" or "alertname".
func ruleAlerts(t *testing.T, out artifact.Set) []string {
	t.Helper()
	var got []string
	for _, p := range out.Paths() {
		if !strings.HasPrefix(p, slo.PrometheusRulesDir+"/") {
			continue
		}
		groups, errs := rulefmt.Parse(out[p], false, prommodel.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
		if len(errs) > 0 {
			t.Fatalf("%s: %v", p, errs)
		}
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				if r.Alert == "" {
					continue
				}
				got = append(got, slo.Alert{Name: r.Alert, Labels: r.Labels}.Display())
			}
		}
	}
	sort.Strings(got)
	return got
}

// TestAlertsAgreeAcrossTargets: the alerts routing.md routes (and names as
// silencers) are exactly the alerts the Prometheus rules emit, also when a
// low objective leaves tiers out (at 90% the 14.4x page-fast tier would need
// 144% errors, so no rule emits it).
func TestAlertsAgreeAcrossTargets(t *testing.T) {
	for _, tt := range []struct {
		objective float64
		absent    []string
	}{
		{99.9, nil},
		{90, []string{"page-fast"}},
		{80, []string{"page-fast", "page-slow"}},
	} {
		t.Run(fmt.Sprint(tt.objective), func(t *testing.T) {
			res, err := spec.Load("objective.jsonnet", []byte(objectiveSpec(tt.objective)), spec.Options{})
			if err != nil {
				t.Fatal(err)
			}
			out, err := Compile(res.Stack)
			if err != nil {
				t.Fatal(err)
			}
			rules := ruleAlerts(t, out)
			rows, err := alertmanager.ParseRouting(out[alertmanager.RoutingPath])
			if err != nil {
				t.Fatal(err)
			}
			var routed []string
			for _, r := range rows {
				labels := map[string]string{}
				for k, v := range r.Labels {
					labels[string(k)] = string(v)
				}
				routed = append(routed, slo.Alert{Name: labels["alertname"], Labels: labels}.Display())
			}
			sort.Strings(routed)
			if strings.Join(rules, "\n") != strings.Join(routed, "\n") {
				t.Errorf("rules emit\n\t%s\nrouting.md routes\n\t%s", strings.Join(rules, "\n\t"), strings.Join(routed, "\n\t"))
			}
			for _, tier := range tt.absent {
				for _, p := range []string{alertmanager.RoutingPath, "REVIEW.md"} {
					for _, line := range strings.Split(string(out[p]), "\n") {
						if strings.Contains(line, "("+tier+")") {
							t.Errorf("%s names the %s alert, which no rule emits: %s", p, tier, line)
						}
					}
				}
			}
		})
	}
}
