// Package prometheus is the Prometheus target: the scrape configuration,
// recording and alerting rules, and promtool unit tests for every alert.
//
// Outputs (paths relative to out/):
//
//	prometheus/prometheus.yml
//	    global intervals; one scrape job per service, named after it, whose
//	    targets carry the labels service and team (so every series does);
//	    rule_files rules/<service>/*.yml; the Alertmanager on loopback.
//	prometheus/rules/<service>/service.yml
//	    <service>-red: per-endpoint RED rules (REDRequestsRate, REDErrorRatio,
//	    REDLatencyQuantile); <service>-health: TargetDown and MetricsAbsent.
//	prometheus/rules/<service>/slo-<slo>.yml
//	    <service>-slo-<slo>: SLI rates and error ratios over 5m..6h (from the
//	    counters), event counts and ratios over 1d and 3d, each tier's
//	    condition (slo:burn_rate:tier), and the page and ticket alerts;
//	    <service>-slo-<slo>-slow (every 5m): non-overlapping 5m increments,
//	    the period's ratio, objective, error budget, period burn rate,
//	    budget remaining.
//	prometheus/tests/<service>/service.yml
//	    promtool tests of the health alerts.
//	prometheus/tests/<service>/slo-<slo>.yml
//	    tests of the tiers with windows up to 6h, of zero traffic and of
//	    traffic around the minimum event rate (1m evaluation).
//	prometheus/tests/<service>/slo-<slo>-long.yml
//	    tests of the tiers with 1d and 3d windows (5m evaluation).
//
// One rule file per SLO lets each test file load only the rules it tests:
// promtool evaluates every loaded rule at every step.
//
// How the SLO rules stay exact and cheap: windows up to 6h are rates over
// the scraped counters, so an alert sees a step in the error rate exactly
// when the window does (no averaging of overlapping 5m rates). Windows of
// 1d and 3d add the last hour from the counters to a sum of the slow
// group's non-overlapping 5m increments, corrected at both seams, and the
// period sums those increments (one sample per 5m instead of every
// scrape). Every window's error ratio is the ratio of the counts, which
// weights by traffic; ratios divide by "total > 0": without traffic they
// are absent, never NaN.
//
// One incident, one notification: each tier's condition is recorded
// (slo:burn_rate:tier); the page alert ORs the page tiers and the ticket
// alert the ticket tiers, and a tier is ignored for its short window after
// a faster tier was active, because its windows then hold errors already
// reported. See docs/alerting.md.
//
// Every expression (and every query inside an annotation template) is
// checked with promlint against Catalog(st) before it is written, and every
// rule file is parsed back with Prometheus's rulefmt.
package prometheus

import (
	"fmt"
	"log/slog"
	"regexp"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/promlint"
	"github.com/stackc/stackc/compiler/slo"
)

// Emit returns prometheus.yml, one rule file and one test file per service.
func Emit(st *model.Stack) ([]artifact.File, error) {
	cfg, err := configFile(st)
	if err != nil {
		return nil, err
	}
	files := []artifact.File{{Path: "prometheus/prometheus.yml", Data: cfg}}
	cat := Catalog(st)
	seen := map[string]bool{}
	for _, svc := range st.Services {
		for _, rf := range ruleFiles(st, svc) {
			if err := lintGroups(rf.groups, cat); err != nil {
				return nil, fmt.Errorf("service %s: %w", svc.Name, err)
			}
			data, err := marshalRules(rf.groups)
			if err != nil {
				return nil, fmt.Errorf("service %s: %s: %w", svc.Name, rf.name, err)
			}
			files = append(files, artifact.File{Path: "prometheus/rules/" + svc.Name + "/" + rf.name, Data: data})
		}
		for _, tf := range unitTests(st, svc, seen) {
			data, err := artifact.YAML("", tf.file)
			if err != nil {
				return nil, fmt.Errorf("service %s: tests %s: %w", svc.Name, tf.name, err)
			}
			files = append(files, artifact.File{Path: "prometheus/tests/" + svc.Name + "/" + tf.name, Data: data})
		}
	}
	return files, nil
}

// Rules returns the rule groups of every service, in file order; the
// benchmark and the cost model read them without YAML in between.
func Rules(st *model.Stack) []rulefmt.RuleGroup {
	var out []rulefmt.RuleGroup
	for _, svc := range st.Services {
		for _, rf := range ruleFiles(st, svc) {
			out = append(out, rf.groups...)
		}
	}
	return out
}

// Catalog returns every series the stack's PromQL may use: the scraped
// series (promlint.ForStack), the recording rules of this package, and
// ALERTS.
func Catalog(st *model.Stack) *promlint.Catalog {
	cat := promlint.ForStack(st)
	cat.Add(REDRequestsRate, slo.LabelService, slo.LabelEndpoint)
	cat.Add(REDErrorRatio, slo.LabelService, slo.LabelEndpoint)
	cat.Add(REDLatencyQuantile, slo.LabelService, slo.LabelEndpoint, "quantile")
	names := []string{slo.ErrorsRate5m, slo.RequestsRate5m, slo.ErrorsIncrease(slo.ChunkWindow), slo.RequestsIncrease(slo.ChunkWindow), slo.ChunkTimestamp,
		slo.Objective, slo.ErrorBudget, slo.PeriodBurnRate, slo.BudgetRemaining}
	for _, svc := range st.Services {
		for _, s := range svc.SLOs {
			period := timeDuration(s.Period)
			for _, w := range slo.Windows(period) {
				names = append(names, slo.ErrorRatio(w))
			}
			for _, w := range longWindows(period) {
				names = append(names, slo.ErrorsIncrease(w), slo.RequestsIncrease(w))
			}
		}
	}
	for _, n := range names {
		cat.Add(n, slo.LabelService, slo.LabelSLO)
	}
	cat.Add(slo.TierBurnRate, slo.LabelService, slo.LabelSLO, slo.LabelTier)
	cat.Add("ALERTS", "alertname", "alertstate", slo.LabelSeverity, slo.LabelTier, slo.LabelService,
		slo.LabelTeam, slo.LabelSLO, "job", "instance")
	cat.Add("ALERTS_FOR_STATE", "alertname", slo.LabelSeverity, slo.LabelTier, slo.LabelService,
		slo.LabelTeam, slo.LabelSLO, "job", "instance")
	return cat
}

// templateQuery finds the queries inside annotation templates ({{ query "..." }}).
var templateQuery = regexp.MustCompile(`query ("(?:[^"\\]|\\.)*")`)

// lintGroups checks every expression with promlint; a failure is a
// compiler bug and names the rule.
func lintGroups(groups []rulefmt.RuleGroup, cat *promlint.Catalog) error {
	for _, g := range groups {
		for _, r := range g.Rules {
			name := r.Record + r.Alert
			if err := promlint.Check(r.Expr, cat); err != nil {
				return fmt.Errorf("internal: group %s, rule %s: %w", g.Name, name, err)
			}
			for key, text := range r.Annotations {
				for _, m := range templateQuery.FindAllStringSubmatch(text, -1) {
					q, err := unquote(m[1])
					if err == nil {
						err = promlint.Check(q, cat)
					}
					if err != nil {
						return fmt.Errorf("internal: group %s, rule %s, annotation %s: %w", g.Name, name, key, err)
					}
				}
			}
		}
	}
	return nil
}

// marshalRules writes the groups as YAML and parses them back with
// Prometheus's own rule loader, so what is written is what Prometheus reads.
func marshalRules(groups []rulefmt.RuleGroup) ([]byte, error) {
	data, err := artifact.YAML("", rulefmt.RuleGroups{Groups: groups})
	if err != nil {
		return nil, err
	}
	// rulefmt.Parse logs through its logger and panics on a nil one.
	logger := slog.New(slog.DiscardHandler)
	if _, errs := rulefmt.Parse(data, false, prommodel.UTF8Validation, parser.NewParser(parser.Options{}), logger); len(errs) > 0 {
		return nil, fmt.Errorf("internal: generated rules do not load: %v", errs)
	}
	return data, nil
}
