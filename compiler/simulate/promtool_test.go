package simulate_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"go.yaml.in/yaml/v3"

	"github.com/stackc/stackc/compiler/build"
	"github.com/stackc/stackc/compiler/simulate"
	"github.com/stackc/stackc/compiler/spec"
	"github.com/stackc/stackc/tools"
)

// promtoolSpec has an availability and a latency SLO with page tiers only,
// so that the history longer than the longest window the alerts read (6h)
// stays short enough for promtool.
const promtoolSpec = `local s = import 'stackc.libsonnet';
s.stack {
  services: [
    s.service('pay', team='payments', port=8081) {
      latencyBuckets: [0.1, 0.25, 0.5, 1],
      endpoints: [
        s.endpoint('POST', '/pay', name='pay', sim={ latency: '120ms', latencyP99: '200ms', errorRate: 0.0005, weight: 1 }),
        s.endpoint('GET', '/status', name='status', sim={ latency: '20ms', errorRate: 0.0002, weight: 3 }),
      ],
      slos: [
        s.availability('pay-availability', endpoint='pay', objective=99.9, disabledTiers=['ticket-fast', 'ticket-slow']),
        s.latency('pay-latency', endpoint='pay', threshold='500ms', objective=99.9, disabledTiers=['ticket-fast', 'ticket-slow']),
      ],
    },
  ],
  alerting: {
    defaultReceiver: 'tickets',
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts'), tickets: s.webhook('http://127.0.0.1:9095/tickets') },
    routes: [s.route({ severity: 'page' }, 'oncall'), s.route({ severity: 'ticket' }, 'tickets')],
  },
}
`

// TestAgreesWithPromtool runs the simulation and promtool on the same
// input series and the same rules (without annotations, which decide
// nothing) and checks that every alert the simulation says fires, fires in
// promtool at the same evaluation, and not one evaluation before. Both
// evaluate every group at the global evaluation interval here (promtool
// ignores the groups' own intervals).
func TestAgreesWithPromtool(t *testing.T) {
	promtool, err := tools.Path("promtool")
	if err != nil {
		t.Fatal(err)
	}
	res, err := spec.Load("promtool.jsonnet", []byte(promtoolSpec), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := build.Compile(res.Stack)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		slo      string
		scenario int
	}{
		{"pay-availability", 0}, {"pay-availability", 1},
		{"pay-latency", 0}, {"pay-latency", 1},
	} {
		t.Run(fmt.Sprintf("%s/%s", tc.slo, simulate.Scenarios[tc.scenario].Name), func(t *testing.T) {
			tr, err := simulate.TraceScenario(res.Stack, out, "pay", tc.slo, tc.scenario)
			if err != nil || tr == nil {
				t.Fatalf("trace: %v", err)
			}
			if len(tr.Timeline.FirstFiring) == 0 {
				t.Fatalf("the simulation fires nothing: %+v", tr.Timeline)
			}
			dir := t.TempDir()
			if d := os.Getenv("KEEP"); d != "" {
				dir = d
			}
			ruleFile := "pay-" + tc.slo + ".yml"
			if err := os.WriteFile(filepath.Join(dir, ruleFile),
				withoutAnnotations(t, out["prometheus/rules/pay/slo-"+tc.slo+".yml"]), 0o644); err != nil {
				t.Fatal(err)
			}
			test := promtoolTest(t, tr, ruleFile)
			if err := os.WriteFile(filepath.Join(dir, "test.yml"), test, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(promtool, "test", "rules", "test.yml")
			cmd.Dir = dir
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("promtool disagrees with the simulation: %v\n%s", err, msg)
			}
		})
	}
}

func withoutAnnotations(t *testing.T, data []byte) []byte {
	t.Helper()
	var doc struct {
		Groups []struct {
			Name     string           `yaml:"name"`
			Interval string           `yaml:"interval,omitempty"`
			Rules    []map[string]any `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			delete(r, "annotations")
		}
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// promtoolTest writes a promtool test of the trace: its raw series, and at
// every time an alert begins firing in the simulation, and one evaluation
// before, exactly the alerts the simulation has firing then.
func promtoolTest(t *testing.T, tr *simulate.Trace, ruleFile string) []byte {
	t.Helper()
	type expAlert struct {
		ExpLabels map[string]string `yaml:"exp_labels"`
	}
	type alertTest struct {
		EvalTime  string     `yaml:"eval_time"`
		Alertname string     `yaml:"alertname"`
		ExpAlerts []expAlert `yaml:"exp_alerts"`
	}
	type series struct {
		Series string `yaml:"series"`
		Values string `yaml:"values"`
	}
	var in []series
	for i, ls := range tr.Series {
		vals := make([]string, len(tr.Values[i]))
		for j, v := range tr.Values[i] {
			vals[j] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		in = append(in, series{Series: ls.String(), Values: strings.Join(vals, " ")})
	}
	names := map[string]bool{}
	var checks []time.Duration
	for at, ls := range tr.Firing {
		for _, l := range ls {
			names[l.Get(labels.AlertName)] = true
		}
		if _, before := tr.Firing[at-tr.Eval]; !before || len(tr.Firing[at-tr.Eval]) < len(ls) {
			checks = append(checks, at-tr.Eval, at)
		}
	}
	sort.Slice(checks, func(i, j int) bool { return checks[i] < checks[j] })
	checks = slices.Compact(checks)
	var tests []alertTest
	for _, at := range checks {
		for name := range names {
			at := alertTest{EvalTime: prommodel.Duration(at).String(), Alertname: name, ExpAlerts: []expAlert{}}
			for _, l := range tr.Firing[time.Duration(mustDuration(t, at.EvalTime))] {
				if l.Get(labels.AlertName) != name {
					continue
				}
				m := l.Map()
				delete(m, labels.AlertName)
				at.ExpAlerts = append(at.ExpAlerts, expAlert{ExpLabels: m})
			}
			tests = append(tests, at)
		}
	}
	doc := map[string]any{
		"rule_files":          []string{ruleFile},
		"evaluation_interval": prommodel.Duration(tr.Eval).String(),
		"tests": []map[string]any{{
			"interval":        prommodel.Duration(tr.Scrape).String(),
			"input_series":    in,
			"alert_rule_test": tests,
		}},
	}
	data, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustDuration(t *testing.T, s string) prommodel.Duration {
	d, err := prommodel.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
