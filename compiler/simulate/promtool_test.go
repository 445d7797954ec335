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
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/simulate"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec"
	"github.com/stackc/stackc/tools"
)

// workbookPage is the workbook's ideal time from the start of an incident
// that makes share of the requests bad, after a clean history, to the
// page: the earliest page tier whose long window's ratio reaches the
// tier's threshold (its short window's does sooner) while the incident
// lasts. ok is false when no page tier sees the incident in time.
func workbookPage(o model.SLO, share float64, lasts time.Duration) (at time.Duration, ok bool) {
	for _, t := range slo.AlertingTiers(o) {
		if t.Severity != slo.Page || t.Threshold(o) >= share {
			continue
		}
		d := time.Duration(float64(t.Long) * t.Threshold(o) / share)
		if d > lasts {
			continue
		}
		if !ok || d < at {
			at, ok = d, true
		}
	}
	return at, ok
}

// TestAgreesWithPromtool runs the simulation and promtool on the same
// input series and the same rules (without annotations, which decide
// nothing) and checks that every alert the simulation says fires, fires in
// promtool at the same evaluation, and not one evaluation before. Both
// evaluate every group at the global evaluation interval here (promtool
// ignores the groups' own intervals). Both then agree with the workbook:
// the page fires within one evaluation interval plus one scrape interval
// of the workbook's ideal time (issue #12's bound), for availability and
// latency SLOs over 30, 28 and 7 days.
func TestAgreesWithPromtool(t *testing.T) {
	promtool, err := tools.Path("promtool")
	if err != nil {
		t.Fatal(err)
	}
	res, err := spec.Load("promtool.jsonnet", []byte(simulate.PeriodsSpec), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := build.Compile(res.Stack)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Stack.Services[0].SLOs {
		for sc := range 2 { // the full outage and 15% errors
			t.Run(fmt.Sprintf("%s/%s", o.Name, simulate.Scenarios[sc].Name), func(t *testing.T) {
				t.Parallel()
				tr, err := simulate.TraceScenario(res.Stack, out, "pay", o.Name, sc)
				if err != nil || tr == nil {
					t.Fatalf("trace: %v", err)
				}
				share := simulate.Scenarios[sc].Share(o.ErrorBudget())
				ideal, pages := workbookPage(o, share, time.Duration(simulate.Scenarios[sc].Duration))
				page := slo.BurnAlertName(o) + "{" + string(slo.Page) + "}"
				got, fired := tr.Timeline.FirstFiring[page]
				switch {
				case !pages && fired:
					t.Errorf("%s fires at %s, but no page tier can see %g bad", page, time.Duration(got), share)
				case pages && !fired:
					t.Fatalf("%s never fires; the workbook pages after %s: %+v", page, ideal, tr.Timeline)
				case pages:
					bound := tr.Eval + tr.Scrape
					if d := time.Duration(got) - ideal; d.Abs() > bound {
						t.Errorf("%s fires %s into the incident, the workbook's ideal is %s: off by %s, more than one evaluation plus one scrape (%s)",
							page, time.Duration(got), ideal, d, bound)
					} else {
						t.Logf("%s: simulation and promtool fire after %s, the workbook after %s", page, time.Duration(got), ideal.Round(time.Second))
					}
				}
				if len(tr.Timeline.FirstFiring) == 0 {
					return
				}
				dir := t.TempDir()
				ruleFile := "pay-" + o.Name + ".yml"
				if err := os.WriteFile(filepath.Join(dir, ruleFile),
					withoutAnnotations(t, out["prometheus/rules/pay/slo-"+o.Name+".yml"]), 0o644); err != nil {
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
