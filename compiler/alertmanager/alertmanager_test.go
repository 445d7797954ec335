package alertmanager

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/alert"
	amcommoncfg "github.com/prometheus/alertmanager/config/common"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/alertmanager/eventrecorder"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/alertmanager/labelset"
	"github.com/prometheus/alertmanager/provider/mem"
	"github.com/prometheus/client_golang/prometheus"
	prommodel "github.com/prometheus/common/model"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/amconfig"
	"github.com/stackc/stackc/compiler/internal/golden"
	"github.com/stackc/stackc/compiler/internal/testtree"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec"
	"github.com/stackc/stackc/compiler/spec/spectest"
	"github.com/stackc/stackc/tools"
)

func emit(t testing.TB, st *model.Stack) map[string][]byte {
	t.Helper()
	files, err := artifact.Files(Emit, st, nil)
	if err != nil {
		t.Fatalf("Emit: %v", err)
	}
	set := artifact.Set{}
	if err := set.Add(files...); err != nil {
		t.Fatal(err)
	}
	return set
}

// writeOut writes the emitted files into a fresh directory laid out like
// out/ and returns the config's path there.
func writeOut(t testing.TB, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	testtree.WriteSet(t, dir, files)
	return filepath.Join(dir, filepath.FromSlash(ConfigPath))
}

func TestGolden(t *testing.T) {
	for _, profile := range spec.Profiles {
		t.Run(profile, func(t *testing.T) {
			files := emit(t, spectest.Repo(t, profile))
			for _, p := range []string{ConfigPath, RoutingPath} {
				golden.Compare(t, filepath.Join("testdata", "stack-"+profile, filepath.Base(p)), files[p])
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	st := spectest.Repo(t, "default")
	first := emit(t, st)
	for i := 0; i < 5; i++ {
		if again := emit(t, st); !reflect.DeepEqual(first, again) {
			t.Fatal("two runs of Emit differ")
		}
	}
}

func TestAlertsCoverEveryTierAndService(t *testing.T) {
	st := spectest.Repo(t, "default")
	st.Services[0].SLOs[0].DisabledTiers = []string{"ticket-slow"}
	alerts := Alerts(st)
	count := map[string]int{}
	for _, a := range alerts {
		count[a.Name]++
		for _, l := range []string{slo.LabelSeverity, slo.LabelService, slo.LabelTeam} {
			if a.Labels[l] == "" {
				t.Errorf("%s has no %s label", a.Display(), l)
			}
		}
	}
	svc := st.Services[0]
	for _, s := range svc.SLOs {
		// One page and one ticket: disabling one ticket tier keeps the
		// ticket, which carries the other.
		if got := count[slo.BurnAlertName(s)]; got != 2 {
			t.Errorf("%s: %d alerts, want 2 (page and ticket)", slo.BurnAlertName(s), got)
		}
	}
	st.Services[0].SLOs[0].DisabledTiers = []string{"ticket-slow", "ticket-fast"}
	for _, a := range Alerts(st) {
		if a.Name == slo.BurnAlertName(svc.SLOs[0]) && a.Labels[slo.LabelSeverity] == string(slo.Ticket) {
			t.Errorf("%s: a ticket alert although both ticket tiers are disabled", a.Display())
		}
	}
	for _, name := range []string{slo.TargetDownAlertName(svc), slo.MetricsAbsentAlertName(svc)} {
		if count[name] != 1 {
			t.Errorf("%s: %d alerts, want 1", name, count[name])
		}
	}
}

// specReceivers is the spec's routing semantics, written independently of
// the config: routes in order, a route matches when every label is equal,
// the first match stops unless it continues, and no match goes to the
// default receiver.
func specReceivers(a model.Alerting, labels prommodel.LabelSet) []string {
	var out []string
	for _, r := range a.Routes {
		match := true
		for k, v := range r.Match {
			if string(labels[prommodel.LabelName(k)]) != v {
				match = false
			}
		}
		if match {
			out = append(out, r.Receiver)
			if !r.Continue {
				break
			}
		}
	}
	if len(out) == 0 {
		out = []string{a.DefaultReceiver}
	}
	return out
}

// verifyRouting checks a config against the spec: every alert reaches
// exactly the receivers the spec's routes name, and every receiver it
// reaches has a notifier (a receiver without one sends nowhere).
func verifyRouting(st *model.Stack, data []byte) error {
	cfg, err := LoadConfig(data)
	if err != nil {
		return err
	}
	integrations := map[string]int{}
	for _, r := range cfg.Receivers {
		integrations[r.Name] = len(r.WebhookConfigs) + len(r.EmailConfigs) + len(r.SlackConfigs) + len(r.PagerdutyConfigs)
	}
	tree := dispatch.NewRoute(cfg.Route, nil)
	var problems []string
	for _, a := range Alerts(st) {
		var got []string
		for _, r := range tree.Match(a.LabelSet()) {
			got = append(got, r.RouteOpts.Receiver)
		}
		want := specReceivers(st.Alerting, a.LabelSet())
		if !reflect.DeepEqual(got, want) {
			problems = append(problems, fmt.Sprintf("%s reaches %v, want %v", a.Display(), got, want))
		}
		for _, r := range got {
			if integrations[r] == 0 {
				problems = append(problems, fmt.Sprintf("%s reaches %s, which notifies nobody", a.Display(), r))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

func TestRoutingMatchesSpec(t *testing.T) {
	for _, profile := range spec.Profiles {
		st := spectest.Repo(t, profile)
		if err := verifyRouting(st, emit(t, st)[ConfigPath]); err != nil {
			t.Errorf("%s: %v", profile, err)
		}
	}
}

// TestBrokenRouteTreesFail proves the routing check can fail: each
// mutation of the generated route tree must be caught.
func TestBrokenRouteTreesFail(t *testing.T) {
	st := spectest.Repo(t, "default")
	pageRoute := func(c *amconfig.Config) *amconfig.Route {
		for i, r := range c.Route.Routes {
			if len(r.Matchers) == 1 && r.Matchers[0] == `severity="page"` {
				return &c.Route.Routes[i]
			}
		}
		t.Fatal("no severity=page route in the generated config")
		return nil
	}
	cases := []struct {
		name   string
		mutate func(c *amconfig.Config)
		want   string
	}{
		{"page route dropped", func(c *amconfig.Config) {
			r := pageRoute(c)
			r.Matchers = []string{`severity="never"`}
		}, "want [oncall]"},
		{"page sent to a receiver without notifiers", func(c *amconfig.Config) {
			c.Receivers = append(c.Receivers, amconfig.Receiver{Name: "blackhole"})
			pageRoute(c).Receiver = "blackhole"
		}, "notifies nobody"},
		{"page sent to the ticket queue", func(c *amconfig.Config) {
			pageRoute(c).Receiver = "tickets"
		}, "want [oncall]"},
		{"continue lost", func(c *amconfig.Config) {
			for i := range c.Route.Routes {
				c.Route.Routes[i].Continue = false
			}
		}, "want [storefront-email tickets]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := configFor(st)
			if err != nil {
				t.Fatal(err)
			}
			tc.mutate(&c)
			data, err := encode(st, c)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := LoadConfig(data); err != nil {
				t.Fatalf("mutated config must still load, so routing is what fails: %v", err)
			}
			err = verifyRouting(st, data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("routing check: got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestRoutingFileMatchesModule checks routing.md row by row against the
// module's route tree and the spec semantics.
func TestRoutingFileMatchesModule(t *testing.T) {
	st := spectest.Repo(t, "default")
	files := emit(t, st)
	rows, err := ParseRouting(files[RoutingPath])
	if err != nil {
		t.Fatal(err)
	}
	alerts := Alerts(st)
	if len(rows) != len(alerts) {
		t.Fatalf("routing.md has %d alert rows, want %d", len(rows), len(alerts))
	}
	for i, a := range alerts {
		if !reflect.DeepEqual(rows[i].Labels, a.LabelSet()) {
			t.Errorf("row %d: labels %v, want %v", i+1, rows[i].Labels, a.LabelSet())
		}
		if want := specReceivers(st.Alerting, a.LabelSet()); !reflect.DeepEqual(rows[i].Receivers, want) {
			t.Errorf("%s: routing.md says %v, the spec says %v", a.Display(), rows[i].Receivers, want)
		}
	}
}

// TestAmtool runs the real amtool (pinned, built once into .cache/bin) on
// the generated files: check-config, and a routes test for every alert.
func TestAmtool(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the amtool integration test")
	}
	amtool, err := tools.Built("amtool")
	if err != nil {
		t.Fatal(err)
	}
	st := spectest.Repo(t, "default")
	cfgPath := writeOut(t, emit(t, st))
	run := func(args ...string) (string, error) { return runTool(amtool, args...) }
	if out, err := run("check-config", cfgPath); err != nil {
		t.Fatalf("amtool check-config: %v\n%s", err, out)
	} else if !strings.Contains(out, "Found:") || !strings.Contains(out, "templates") {
		t.Errorf("amtool check-config did not report the templates:\n%s", out)
	}
	for _, a := range Alerts(st) {
		want := strings.Join(specReceivers(st.Alerting, a.LabelSet()), ",")
		args := append([]string{"config", "routes", "test", "--config.file=" + cfgPath, "--verify.receivers=" + want}, a.Args()...)
		if out, err := run(args...); err != nil {
			t.Errorf("%s: amtool %s: %v\n%s", a.Display(), strings.Join(args, " "), err, out)
		}
	}

	// The same check on a tree that sends pages to the ticket queue fails.
	c, err := configFor(st)
	if err != nil {
		t.Fatal(err)
	}
	for i := range c.Route.Routes {
		if c.Route.Routes[i].Receiver == "oncall" {
			c.Route.Routes[i].Receiver = "tickets"
		}
	}
	data, err := encode(st, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	page := Alerts(st)[0]
	out, err := run(append([]string{"config", "routes", "test", "--config.file=" + cfgPath, "--verify.receivers=oncall"}, page.Args()...)...)
	if err == nil {
		t.Errorf("amtool accepted a page routed to tickets:\n%s", out)
	}
}

// startInhibitor runs a real inhibit.Inhibitor over the given firing alerts.
func startInhibitor(t *testing.T, rules []amcommoncfg.InhibitRule, firing ...Alert) *inhibit.Inhibitor {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	provider, err := mem.NewAlerts(ctx, time.Hour, 0, nil, logger, eventrecorder.NopRecorder(), prometheus.NewRegistry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, a := range firing {
		am := alert.New(prommodel.Alert{Labels: a.LabelSet(), StartsAt: now.Add(-time.Minute), EndsAt: now.Add(time.Hour)}, now, false)
		if err := provider.Put(ctx, am); err != nil {
			t.Fatal(err)
		}
	}
	ih := inhibit.NewInhibitor(provider, rules, logger, eventrecorder.NopRecorder())
	done := make(chan struct{})
	go func() { ih.Run(); close(done) }()
	ih.WaitForLoading()
	t.Cleanup(func() {
		ih.Stop()
		<-done
		cancel()
		provider.Close()
	})
	return ih
}

func mutes(ih *inhibit.Inhibitor, target Alert) bool {
	return ih.Mutes(context.Background(), labelset.FromModel(target.LabelSet()))
}

// TestInhibitions checks every inhibit rule with a real Inhibitor: a pair
// that must be silenced and pairs that must not.
func TestInhibitions(t *testing.T) {
	st := spectest.Repo(t, "default")
	cfg, err := LoadConfig(emit(t, st)[ConfigPath])
	if err != nil {
		t.Fatal(err)
	}
	find := func(name, tier string) Alert {
		for _, a := range Alerts(st) {
			if a.Name == name && a.Labels[slo.LabelTier] == tier {
				return a
			}
		}
		t.Fatalf("no alert %s %s", name, tier)
		return Alert{}
	}
	svc := st.Services[0]
	checkout, catalog := slo.BurnAlertName(svc.SLOs[0]), slo.BurnAlertName(svc.SLOs[2])
	other := func(a Alert, service string) Alert {
		a.Labels = copyLabels(a.Labels)
		a.Labels[slo.LabelService] = service
		return a
	}
	type inhibitCase struct {
		rule           string
		source, target Alert
		muted          bool
	}
	cases := []inhibitCase{
		{"page-silences-ticket", find(checkout, "page"), find(checkout, "ticket"), true},
		{"page-silences-ticket", find(checkout, "page"), find(catalog, "ticket"), false},
		{"page-silences-ticket", find(checkout, "ticket"), find(checkout, "page"), false},
	}
	// Each service's target-down alert silences its own SLOs' alerts, and
	// nothing of another service nor its own absent-metrics alert.
	for i, svc := range st.Services {
		if len(svc.SLOs) == 0 {
			continue
		}
		rule := svc.Name + "-target-down-silences-slos"
		burn := slo.BurnAlertName(svc.SLOs[0])
		down, absent := slo.TargetDownAlertName(svc), slo.MetricsAbsentAlertName(svc)
		cases = append(cases,
			inhibitCase{rule, find(down, ""), find(burn, "page"), true},
			inhibitCase{rule, find(down, ""), find(burn, "ticket"), true},
			inhibitCase{rule, other(find(down, ""), "cart"), find(burn, "page"), false},
			inhibitCase{rule, find(down, ""), other(find(burn, "page"), "cart"), false},
			inhibitCase{rule, find(down, ""), find(absent, ""), false},
			inhibitCase{rule, find(absent, ""), find(down, ""), false},
		)
		if len(svc.SLOs) > 2 {
			cases = append(cases, inhibitCase{rule, find(down, ""), find(slo.BurnAlertName(svc.SLOs[2]), "ticket"), true})
		}
		// Another service's SLO keeps paging while this one is down.
		next := st.Services[(i+1)%len(st.Services)]
		if next.Name != svc.Name && len(next.SLOs) > 0 {
			cases = append(cases, inhibitCase{rule, find(down, ""), find(slo.BurnAlertName(next.SLOs[0]), "page"), false})
		}
	}
	for _, tc := range cases {
		name := fmt.Sprintf("%s/%s→%s", tc.rule, tc.source.Display(), tc.target.Display())
		t.Run(name, func(t *testing.T) {
			ih := startInhibitor(t, cfg.InhibitRules, tc.source)
			if got := mutes(ih, tc.target); got != tc.muted {
				t.Errorf("muted = %v, want %v", got, tc.muted)
			}
		})
	}
	// Every named rule is exercised above.
	tested := map[string]bool{}
	for _, tc := range cases {
		tested[tc.rule] = true
	}
	for _, r := range cfg.InhibitRules {
		if !tested[r.Name] {
			t.Errorf("inhibit rule %s has no test case", r.Name)
		}
	}
}

// threeServices has several SLOs per service, disabled tiers and a
// service without SLOs, so silencers within and across services can mix.
const threeServices = `local s = import 'stackc.libsonnet';
s.stack {
  services: [
    s.service('shop', team='storefront', port=8080) {
      endpoints: [s.endpoint('POST', '/checkout', name='checkout'), s.endpoint('GET', '/items', name='items')],
      slos: [
        s.availability('checkout-availability', endpoint='checkout', objective=99.9) { disabledTiers: ['ticket-slow'] },
        s.latency('checkout-latency', endpoint='checkout', threshold='250ms', objective=99, period='7d'),
        s.availability('items-availability', endpoint='items', objective=99.5),
      ],
    },
    s.service('cart', team='basket', port=8081) {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      slos: [s.availability('cart-availability', endpoint='get_cart', objective=99.5, period='28d') { disabledTiers: ['page-fast'] }],
    },
    s.service('quiet', team='basket', port=8082) {
      endpoints: [s.endpoint('GET', '/ping', name='ping')],
    },
  ],
  alerting: {
    defaultReceiver: 'tickets',
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts'), tickets: s.webhook('http://127.0.0.1:9095/tickets') },
    routes: [s.route({ severity: 'page' }, 'oncall')],
  },
}
`

// silencerStacks are the stacks whose silencers the tests check.
func silencerStacks(t *testing.T) map[string]*model.Stack {
	t.Helper()
	res, err := spec.Load("three.jsonnet", []byte(threeServices), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*model.Stack{"stack.jsonnet": spectest.Repo(t, "default"), "three services": res.Stack}
}

// TestSilencedByMatchesInhibitor checks the "silenced while firing" column
// of routing.md against a real Inhibitor for every pair of alerts.
func TestSilencedByMatchesInhibitor(t *testing.T) {
	for name, st := range silencerStacks(t) {
		t.Run(name, func(t *testing.T) {
			cfg, err := LoadConfig(emit(t, st)[ConfigPath])
			if err != nil {
				t.Fatal(err)
			}
			alerts := Alerts(st)
			want := map[string][]string{}
			for _, src := range alerts {
				ih := startInhibitor(t, cfg.InhibitRules, src)
				for _, target := range alerts {
					if target.String() != src.String() && mutes(ih, target) {
						want[target.String()] = append(want[target.String()], src.String())
					}
				}
			}
			silenced := 0
			for _, e := range Expectations(st, cfg) {
				var got []string
				for _, s := range e.SilencedBy {
					got = append(got, s.String())
				}
				silenced += len(got)
				w := want[e.Alert.String()]
				sort.Strings(got)
				sort.Strings(w)
				if !reflect.DeepEqual(got, w) {
					t.Errorf("%s: routing.md says silenced by %v, the Inhibitor by %v", e.Alert.Display(), got, w)
				}
			}
			if silenced == 0 {
				t.Error("no alert is silenced by any other: the comparison proves nothing")
			}
		})
	}
}

// mutesPairwise is the definition silencedBy implements with grouping:
// src firing mutes target under one of rules, per Inhibitor.Mutes.
func mutesPairwise(rules []*inhibit.InhibitRule, src, target Alert) bool {
	s, t := src.LabelSet(), target.LabelSet()
	for _, r := range rules {
		if !r.TargetMatchers.Matches(t) || !r.SourceMatchers.Matches(s) {
			continue
		}
		if r.SourceMatchers.Matches(t) && r.TargetMatchers.Matches(s) {
			continue
		}
		equal := true
		for l := range r.Equal {
			if s[l] != t[l] {
				equal = false
			}
		}
		if equal {
			return true
		}
	}
	return false
}

// TestSilencedByMatchesPairwise checks the grouped evaluation against the
// pairwise definition, in order, for every pair of alerts.
func TestSilencedByMatchesPairwise(t *testing.T) {
	for name, st := range silencerStacks(t) {
		t.Run(name, func(t *testing.T) {
			cfg, err := LoadConfig(emit(t, st)[ConfigPath])
			if err != nil {
				t.Fatal(err)
			}
			rules := make([]*inhibit.InhibitRule, len(cfg.InhibitRules))
			for i, r := range cfg.InhibitRules {
				rules[i] = inhibit.NewInhibitRule(r)
			}
			alerts := Alerts(st)
			for i, e := range Expectations(st, cfg) {
				var want []Alert
				for j, src := range alerts {
					if i != j && mutesPairwise(rules, src, alerts[i]) {
						want = append(want, src)
					}
				}
				if !reflect.DeepEqual(e.SilencedBy, want) {
					t.Errorf("%s: silenced by %v, pairwise %v", e.Alert.Display(), e.SilencedBy, want)
				}
			}
		})
	}
}

func copyLabels(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// BenchmarkEmit measures the whole target for stack.jsonnet: building the
// config, loading it back with the module, routing and inhibiting every alert.
func BenchmarkEmit(b *testing.B) {
	st := spectest.Repo(b, "default")
	for b.Loop() {
		if _, err := artifact.Files(Emit, st, nil); err != nil {
			b.Fatal(err)
		}
	}
}
