// Package prometheus is the Prometheus target: the scrape configuration,
// recording and alerting rules, and promtool unit tests for every alert.
//
// Outputs (paths relative to out/):
//
//	prometheus/prometheus.yml (an HA stack: prometheus/<replica>.yml each)
//	    global intervals; one scrape job per service, named after it, whose
//	    targets carry the labels service and team (so every series does);
//	    rule_files rules/<service>/*.yml; the Alertmanager on loopback (every
//	    peer of an HA stack, with the external label replica dropped from
//	    alerts).
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
	"path"
	"regexp"
	"strings"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/parallel"
	"github.com/stackc/stackc/compiler/internal/shape"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/promlint"
	"github.com/stackc/stackc/compiler/slo"
)

// ConfigPath is the path of the scrape configuration of a single
// Prometheus, relative to out/; its Compose version is at
// path.Join(slo.ComposeDir, ConfigPath). The replicas of an HA stack have
// theirs at slo.PrometheusConfigPathOf(replica).
const ConfigPath = slo.PrometheusConfigPath

// Emit writes prometheus.yml (one per replica of an HA stack) and its
// Compose version, and per service its rule files and test files. Services
// are compiled on every core and their files written as soon as they are
// ready.
func Emit(st *model.Stack, _ artifact.Reader, out artifact.Writer) error {
	inCompose, err := slo.InContainers(st, slo.PrometheusServer)
	if err != nil {
		return err
	}
	for _, srv := range slo.PrometheusServers(st) {
		cfg, err := configFile(st, srv.Name)
		if err != nil {
			return err
		}
		composeCfg, err := configFile(inCompose, srv.Name)
		if err != nil {
			return err
		}
		p := slo.PrometheusConfigPathOf(srv.Name)
		if err := artifact.WriteAll(out,
			artifact.File{Path: p, Data: cfg},
			artifact.File{Path: path.Join(slo.ComposeDir, p), Data: composeCfg},
		); err != nil {
			return err
		}
	}
	c := &checker{cat: Catalog(st), fullTests: fullTestSLOs(st)}
	return parallel.Each(len(st.Services), func(i int) error {
		files, err := serviceFiles(st, st.Services[i], c)
		if err != nil {
			return err
		}
		return artifact.WriteAll(out, files...)
	})
}

// checker holds what checking the rule files of every service shares:
// the catalog, and the shapes of rule files that passed promlint and
// rulefmt (see package shape): a file that differs from a checked one only
// in the names of its service, SLO, endpoints and team is not checked again.
type checker struct {
	cat    *promlint.Catalog
	shapes shape.Memo
	// fullTests are the SLOs (service/slo) that carry their alert math's
	// long test scenarios (see fullTestSLOs); read-only while services
	// are compiled in parallel.
	fullTests map[string]bool
	// pretty shares expression layouts between services (see prettyMemo).
	pretty prettyMemo
}

// serviceFiles returns the rule and test files of one service.
func serviceFiles(st *model.Stack, svc model.Service, c *checker) ([]artifact.File, error) {
	var files []artifact.File
	for _, rf := range ruleFiles(st, svc) {
		if err := prettify(rf.groups, &c.pretty); err != nil {
			return nil, fmt.Errorf("service %s: %s: %w", svc.Name, rf.name, err)
		}
		data, err := artifact.YAML(slo.Header(st), rulefmt.RuleGroups{Groups: rf.groups})
		if err != nil {
			return nil, fmt.Errorf("service %s: %s: %w", svc.Name, rf.name, err)
		}
		err = c.shapes.Check(shape.Key(data, shapeNames(svc, rf.name)...), func() error {
			if err := lintGroups(rf.groups, c.cat); err != nil {
				return err
			}
			return parseRules(data)
		})
		if err != nil {
			return nil, fmt.Errorf("service %s: %s: %w", svc.Name, rf.name, err)
		}
		files = append(files, artifact.File{Path: slo.PrometheusRulesDir + "/" + svc.Name + "/" + rf.name, Data: data})
	}
	for _, tf := range unitTests(st, svc, c.fullTests) {
		data, err := artifact.YAML(slo.Header(st), tf.file)
		if err != nil {
			return nil, fmt.Errorf("service %s: tests %s: %w", svc.Name, tf.name, err)
		}
		files = append(files, artifact.File{Path: "prometheus/tests/" + svc.Name + "/" + tf.name, Data: data})
	}
	return files, nil
}

// shapeNames are the spec names a rule file of svc is written from: the
// service's, and the SLO's for the file of one SLO (slo-<name>.yml), or
// every endpoint's for the service's own file.
func shapeNames(svc model.Service, file string) []string {
	names := []string{svc.Name, slo.Camel(svc.Name), svc.Team, svc.RunbookURL}
	for _, s := range svc.SLOs {
		if file == "slo-"+s.Name+".yml" {
			return append(append(names, s.Name, slo.Camel(s.Name), s.Description), s.Endpoints...)
		}
	}
	for _, e := range svc.Endpoints {
		names = append(names, e.Name, e.Route)
	}
	return names
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

// Catalog returns every series the stack's PromQL may use
// (promlint.Queryable): the scraped series, the recording rules and ALERTS,
// with the static labels on ALERTS and the series raw SLOs read.
func Catalog(st *model.Stack) *promlint.Catalog {
	cat := promlint.Queryable(st)
	cat.Add("ALERTS", st.StaticLabelNames()...)
	cat.Add("ALERTS_FOR_STATE", st.StaticLabelNames()...)
	for _, svc := range st.Services {
		for _, s := range svc.SLOs {
			addRawSeries(cat, st, svc, s)
		}
	}
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

// prettify rewrites every expression in Prometheus's own format
// (Expr.Pretty): matchers sorted and written {a="1",b="2"}, and an
// expression longer than a line broken at its operators and indented, as
// `promtool` and the Prometheus UI format it (moved to the margin, dedent).
// Expressions that differ only in their matchers' values share the work
// (memo).
func prettify(groups []rulefmt.RuleGroup, memo *prettyMemo) error {
	for i := range groups {
		for j := range groups[i].Rules {
			r := &groups[i].Rules[j]
			pretty, err := memo.pretty(r.Expr)
			if err != nil {
				return fmt.Errorf("internal: rule %s%s: %w", r.Record, r.Alert, err)
			}
			r.Expr = pretty
		}
	}
	return nil
}

// dedent moves every line of a pretty-printed expression left by the
// indentation of its first line (lines indented less start at the margin),
// so the first line starts with no blank: YAML writes such a string as a
// plain | block, where a leading blank would need an indentation indicator
// (|2-) that yaml.v3 itself cannot always read back.
func dedent(expr string) string {
	lines := strings.Split(expr, "\n")
	n := len(lines[0]) - len(strings.TrimLeft(lines[0], " "))
	for i, l := range lines {
		lead := len(l) - len(strings.TrimLeft(l, " "))
		lines[i] = l[min(n, lead):]
	}
	return strings.Join(lines, "\n")
}

// parseRules parses a rule file back with Prometheus's own rule loader,
// so what is written is what Prometheus reads.
func parseRules(data []byte) error {
	// rulefmt.Parse logs through its logger and panics on a nil one.
	logger := slog.New(slog.DiscardHandler)
	if _, errs := rulefmt.Parse(data, false, prommodel.UTF8Validation, parser.NewParser(parser.Options{}), logger); len(errs) > 0 {
		return fmt.Errorf("internal: generated rules do not load: %v", errs)
	}
	return nil
}

// addRawSeries adds the series a raw SLO's queries read that the catalog
// does not know yet (an exporter's other metrics), with the labels its
// selectors match on and the target labels.
func addRawSeries(cat *promlint.Catalog, st *model.Stack, svc model.Service, s model.SLO) {
	if s.Kind != model.Raw {
		return
	}
	b, t, err := slo.RawQueries(svc, s, "5m")
	if err != nil {
		return
	}
	for _, vs := range append(b.Selectors, t.Selectors...) {
		name := slo.MetricOf(vs)
		lbls := append(append([]string{}, promlint.TargetLabels...), st.StaticLabelNames()...)
		for k := range svc.Selector {
			lbls = append(lbls, k)
		}
		for _, m := range vs.LabelMatchers {
			if m.Name != "__name__" {
				lbls = append(lbls, m.Name)
			}
		}
		cat.Add(name, lbls...)
	}
}
