package alertmanager_test

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/stackc/stackc/compiler/alertmanager"
	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/testtree"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/prometheus"
	"github.com/stackc/stackc/compiler/spec"
	"github.com/stackc/stackc/compiler/spec/spectest"
	"github.com/stackc/stackc/tools"
)

// ruleAlerts parses rule files with Prometheus's rulefmt and returns every
// alerting rule as an Alert with its static labels. Those carry every
// label a route may match on (the spec refuses routes on other labels), so
// they decide routing; labels from the expression (job, instance) do not.
func ruleAlerts(t *testing.T, files map[string][]byte) []alertmanager.Alert {
	t.Helper()
	var out []alertmanager.Alert
	names := make([]string, 0, len(files))
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		groups, errs := rulefmt.Parse(files[p], false, prommodel.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
		if len(errs) > 0 {
			t.Fatalf("%s: %v", p, errs)
		}
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				if r.Alert == "" {
					continue
				}
				labels := map[string]string{}
				for k, v := range r.Labels {
					labels[k] = v
				}
				out = append(out, alertmanager.Alert{Name: r.Alert, Labels: labels})
			}
		}
	}
	return out
}

// sameAlerts compares two alert lists as sets of label sets.
func sameAlerts(t *testing.T, what string, got, want []alertmanager.Alert) {
	t.Helper()
	set := func(as []alertmanager.Alert) map[string]bool {
		m := map[string]bool{}
		for _, a := range as {
			m[a.String()] = true
		}
		return m
	}
	g, w := set(got), set(want)
	for k := range g {
		if !w[k] {
			t.Errorf("%s: the rules emit %s, which alertmanager.Alerts does not know (its routing is unchecked)", what, k)
		}
	}
	for k := range w {
		if !g[k] {
			t.Errorf("%s: alertmanager.Alerts expects %s, which no rule emits", what, k)
		}
	}
	if len(got) != len(g) {
		t.Errorf("%s: the rules emit %d alerting rules but only %d distinct label sets", what, len(got), len(g))
	}
}

const twoServices = `local s = import 'stackc.libsonnet';
s.stack {
  services: [
    s.service('shop', team='storefront', port=8080) {
      endpoints: [s.endpoint('POST', '/checkout', name='checkout')],
      slos: [
        s.availability('checkout-availability', endpoint='checkout', objective=99.9) { disabledTiers: ['ticket-slow'] },
        s.latency('checkout-latency', endpoint='checkout', threshold='250ms', objective=99, period='7d'),
      ],
    },
    s.service('cart', team='basket', port=8081) {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      slos: [s.availability('cart-availability', endpoint='get_cart', objective=99.5, period='28d') { disabledTiers: ['page-fast'] }],
    },
  ],
  alerting: {
    defaultReceiver: 'tickets',
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts'), tickets: s.webhook('http://127.0.0.1:9095/tickets') },
    routes: [s.route({ severity: 'page' }, 'oncall')],
  },
}
`

// TestAlertsMatchPrometheusRules builds the Prometheus target and checks
// that its alerting rules and alertmanager.Alerts are the same set.
func TestAlertsMatchPrometheusRules(t *testing.T) {
	root, err := tools.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	stack, err := os.ReadFile(filepath.Join(root, "stack.jsonnet"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, profile, src string }{
		{"stack.jsonnet", "default", string(stack)},
		{"stack.jsonnet demo", "demo", string(stack)},
		{"two services, disabled tiers", "default", twoServices},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := spec.Load(filepath.Join(root, "stack.jsonnet"), []byte(tc.src), spec.Options{Profile: tc.profile})
			if err != nil {
				t.Fatal(err)
			}
			sameAlerts(t, tc.name, ruleAlerts(t, prometheusRuleFiles(t, res.Stack)), alertmanager.Alerts(res.Stack))
		})
	}
}

func prometheusRuleFiles(t *testing.T, st *model.Stack) map[string][]byte {
	t.Helper()
	files, err := artifact.Files(prometheus.Emit, st, nil)
	if err != nil {
		t.Fatalf("prometheus.Emit: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		if strings.HasPrefix(f.Path, "prometheus/rules/") && strings.HasSuffix(f.Path, ".yml") {
			out[f.Path] = f.Data
		}
	}
	if len(out) == 0 {
		t.Fatal("prometheus.Emit wrote no prometheus/rules/*.yml")
	}
	return out
}

// TestCommittedOutput replays the committed out/alertmanager/routing.md
// through the real amtool against the committed alertmanager.yml, and
// checks that it has a row for every alerting rule in the committed
// out/prometheus/rules. (`stackc check` fails when out/ is stale.)
func TestCommittedOutput(t *testing.T) {
	root, err := tools.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	checkOutDir(t, filepath.Join(root, "out"))
}

// TestFreshOutput runs the same checks on a fresh build of both targets.
func TestFreshOutput(t *testing.T) {
	st := spectest.Repo(t, "")
	dir := t.TempDir()
	for _, emit := range []artifact.Emitter{prometheus.Emit, alertmanager.Emit} {
		files, err := artifact.Files(emit, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		testtree.Write(t, dir, files...)
	}
	checkOutDir(t, dir)
}

// checkOutDir checks an output directory laid out like out/.
func checkOutDir(t *testing.T, out string) {
	md, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(alertmanager.RoutingPath)))
	if os.IsNotExist(err) {
		t.Skipf("%s does not exist yet: run make build", alertmanager.RoutingPath)
	} else if err != nil {
		t.Fatal(err)
	}
	rows, err := alertmanager.ParseRouting(md)
	if err != nil {
		t.Fatal(err)
	}
	fromRows := make([]alertmanager.Alert, len(rows))
	for i, r := range rows {
		a := alertmanager.Alert{Name: string(r.Labels[prommodel.AlertNameLabel]), Labels: map[string]string{}}
		for k, v := range r.Labels {
			if k != prommodel.AlertNameLabel {
				a.Labels[string(k)] = string(v)
			}
		}
		fromRows[i] = a
	}

	t.Run("every rule has a row", func(t *testing.T) {
		ruleFiles, _ := filepath.Glob(filepath.Join(out, "prometheus", "rules", "*.yml"))
		if len(ruleFiles) == 0 {
			t.Skip("out/prometheus/rules/*.yml does not exist yet: run make build")
		}
		files := map[string][]byte{}
		for _, f := range ruleFiles {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			files[f] = data
		}
		sameAlerts(t, "out/", ruleAlerts(t, files), fromRows)
	})

	t.Run("amtool agrees with every row", func(t *testing.T) {
		if testing.Short() {
			t.Skip("-short: skips amtool")
		}
		amtool, err := tools.Built("amtool")
		if err != nil {
			t.Fatal(err)
		}
		cfg := filepath.Join(out, filepath.FromSlash(alertmanager.ConfigPath))
		for i, r := range rows {
			args := append([]string{"config", "routes", "test", "--config.file=" + cfg,
				"--verify.receivers=" + strings.Join(r.Receivers, ",")}, fromRows[i].Args()...)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			outp, err := exec.CommandContext(ctx, amtool, args...).CombinedOutput()
			cancel()
			if err != nil {
				t.Errorf("routing.md row %d: amtool %s: %v\n%s", i+1, strings.Join(args, " "), err, outp)
			}
		}
	})
}
