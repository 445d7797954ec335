package prometheus

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Names of the per-endpoint RED recording rules (slo.REDRequestsRate ...).
const (
	REDRequestsRate    = slo.REDRequestsRate
	REDErrorRatio      = slo.REDErrorRatio
	REDLatencyQuantile = slo.REDLatencyQuantile
)

// REDQuantiles are the latency quantiles recorded per endpoint (slo.REDQuantiles).
var REDQuantiles = slo.REDQuantiles

// TargetDown fires when the service's best target answered fewer than
// TargetDownRatio of its scrapes over TargetDownWindow, for TargetDownFor:
// long enough to ride out a restart, short enough to page before an SLO burns.
const (
	TargetDownWindow = 5 * time.Minute
	TargetDownRatio  = 0.5
	TargetDownFor    = 2 * time.Minute
)

// MetricsAbsentFor is how long a service's SLO metrics may be missing.
const MetricsAbsentFor = 10 * time.Minute

// Group name suffixes; a service's file holds "<service>-red",
// "<service>-slo-<slo>" (fast), "<service>-slo-<slo>-slow" and "<service>-health".
func redGroup(svc model.Service) string               { return svc.Name + "-red" }
func fastGroup(svc model.Service, s model.SLO) string { return svc.Name + "-slo-" + s.Name }
func slowGroup(svc model.Service, s model.SLO) string { return svc.Name + "-slo-" + s.Name + "-slow" }
func healthGroup(svc model.Service) string            { return svc.Name + "-health" }

// dur formats d as a PromQL duration (slo.FormatDuration).
func dur(d time.Duration) string { return slo.FormatDuration(d) }

// num formats a float for PromQL and YAML (slo.FormatFloat).
func num(f float64) string { return slo.FormatFloat(f) }

// leValue formats a bucket bound as Prometheus stores it in the le label.
// client_golang exposes 1 as le="1", but Prometheus 3 normalizes le on
// ingestion (every scrape format) to the OpenMetrics form: 0.3, 1.0, 2.5.
func leValue(f float64) string { return labels.FormatOpenMetricsFloat(f) }

// matcher renders label="value" with PromQL string quoting.
func matcher(name, op, value string) string { return name + op + strconv.Quote(value) }

// endpointMatcher selects an SLO's endpoints by the label value the
// service's instrumentation gives them: = for one, =~ for several.
func endpointMatcher(svc model.Service, eps []string) string {
	in := slo.InstrumentationOf(svc)
	values := make([]string, len(eps))
	for i, e := range eps {
		values[i] = in.EndpointValue(endpointOf(svc, e))
	}
	if len(values) == 1 {
		return matcher(in.EndpointLabel, "=", values[0])
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = regexp.QuoteMeta(v)
	}
	return matcher(in.EndpointLabel, "=~", strings.Join(quoted, "|"))
}

// scraped selects metric among svc's scraped series: the job, the
// spec's extra selector and the given matchers.
func scraped(svc model.Service, metric string, matchers ...string) string {
	return sel(metric, append(slo.SelectorMatchers(svc), matchers...)...)
}

// asEndpoint copies the instrumentation's route label into the endpoint
// label, so the RED series and dashboards read "endpoint" whatever the
// exporter calls it; the registry's label already is endpoint.
func asEndpoint(in slo.Instrumentation, expr string) string {
	if in.EndpointLabel == slo.LabelEndpoint {
		return expr
	}
	return "label_replace(" + expr + ", " + strconv.Quote(slo.LabelEndpoint) + `, "$1", ` + strconv.Quote(in.EndpointLabel) + `, "(.*)")`
}

func sel(metric string, matchers ...string) string {
	return metric + "{" + strings.Join(matchers, ",") + "}"
}

// sloSel selects one recorded SLO series.
func sloSel(metric string, svc model.Service, s model.SLO) string {
	return sel(metric, matcher(slo.LabelService, "=", svc.Name), matcher(slo.LabelSLO, "=", s.Name))
}

func sloLabels(svc model.Service, s model.SLO) map[string]string {
	return map[string]string{slo.LabelService: svc.Name, slo.LabelSLO: s.Name}
}

func record(name, expr string, labels map[string]string) rulefmt.Rule {
	return rulefmt.Rule{Record: name, Expr: expr, Labels: labels}
}

// ruleFile is one generated rule file, named relative to its service's directory.
type ruleFile struct {
	name   string
	groups []rulefmt.RuleGroup
}

// ruleFiles builds the rule files of one service: service.yml and one per SLO.
func ruleFiles(st *model.Stack, svc model.Service) []ruleFile {
	files := []ruleFile{{name: serviceFile, groups: []rulefmt.RuleGroup{redRules(svc), healthRules(st, svc)}}}
	for _, s := range svc.SLOs {
		fast, slow := sloRules(st, svc, s)
		files = append(files, ruleFile{name: sloFile(s), groups: []rulefmt.RuleGroup{fast, slow}})
	}
	return files
}

const serviceFile = "service.yml"

func sloFile(s model.SLO) string { return "slo-" + s.Name + ".yml" }

// redRules are the per-endpoint RED series of svc, read from the metrics
// of its instrumentation; the route label is recorded as endpoint. A
// service whose exporter has no duration buckets records no quantiles.
func redRules(svc model.Service) rulefmt.RuleGroup {
	in := slo.InstrumentationOf(svc)
	by := "sum by (" + slo.LabelService + ", " + slo.LabelEndpoint + ")"
	g := rulefmt.RuleGroup{Name: redGroup(svc)}
	g.Rules = append(g.Rules,
		record(REDRequestsRate, by+" ("+asEndpoint(in, "rate("+scraped(svc, in.Requests)+"[5m])")+")", nil),
		// An endpoint without any 5xx yet has no 5xx series; "or ... * 0"
		// records 0 for it instead of nothing, while no traffic stays absent.
		record(REDErrorRatio, "("+by+" ("+asEndpoint(in, "rate("+scraped(svc, in.Requests, in.ErrorMatcher())+"[5m])")+")"+
			" or "+REDRequestsRate+"{"+job2service(svc)+"} * 0)"+
			" / ("+REDRequestsRate+"{"+job2service(svc)+"} > 0)", nil),
	)
	if !in.Bucketed(svc) {
		return g
	}
	for _, q := range REDQuantiles {
		// The "and" drops endpoints without traffic, whose quantile is NaN.
		expr := "histogram_quantile(" + num(q) + ", sum by (" + slo.LabelService + ", " + slo.LabelEndpoint + ", le) (" +
			asEndpoint(in, "rate("+scraped(svc, in.Duration+"_bucket")+"[5m])") + "))" +
			" and on (" + slo.LabelService + ", " + slo.LabelEndpoint + ") (" + REDRequestsRate + "{" + job2service(svc) + "} > 0)"
		g.Rules = append(g.Rules, record(REDLatencyQuantile, expr, map[string]string{"quantile": num(q)}))
	}
	return g
}

func job2service(svc model.Service) string { return matcher(slo.LabelService, "=", svc.Name) }

// sliExprs returns the PromQL of the bad and of all events over window,
// read from the metrics of the service's instrumentation: fn is rate (per
// second) or increase (a count). Over the counters both are exact at the
// window's edges.
func sliExprs(svc model.Service, s model.SLO, fn string, window time.Duration) (bad, total string) {
	if s.Kind == model.Raw {
		return rawSLIExprs(svc, s, fn, window)
	}
	in := slo.InstrumentationOf(svc)
	eps := endpointMatcher(svc, s.Endpoints)
	w := "[" + dur(window) + "]"
	switch s.Kind {
	case model.Latency:
		count := "sum(" + fn + "(" + scraped(svc, in.Duration+"_count", eps) + w + "))"
		le := matcher("le", "=", leValue(time.Duration(s.Threshold).Seconds()))
		fast := "sum(" + fn + "(" + scraped(svc, in.Duration+"_bucket", eps, le) + w + "))"
		return "(" + count + " - " + fast + ") or vector(0)", count + " or vector(0)"
	default:
		errs := "sum(" + fn + "(" + scraped(svc, in.Requests, eps, in.ErrorMatcher()) + w + "))"
		all := "sum(" + fn + "(" + scraped(svc, in.Requests, eps) + w + "))"
		return errs + " or vector(0)", all + " or vector(0)"
	}
}

// rawSLIExprs are a raw SLO's own queries with the window placeholder
// set to window, summed into one series (a query may keep labels) and 0
// without any series. The queries are per-second rates (rate() over the
// window, which spec validation requires), so over the counters they are
// exact at the window's edges like the generated SLIs; a count is the rate
// times the window's seconds, which is what increase() computes. Spec
// validation has parsed them already; a query that no longer parses yields
// an expression promlint refuses, naming the rule.
func rawSLIExprs(svc model.Service, s model.SLO, fn string, window time.Duration) (bad, total string) {
	b, t, err := slo.RawQueries(svc, s, dur(window))
	if err != nil {
		return "invalid(" + strconv.Quote(err.Error()) + ")", "invalid()"
	}
	scale := ""
	if fn == "increase" {
		scale = " * " + num(window.Seconds())
	}
	return "sum(" + b.String() + ")" + scale + " or vector(0)", "sum(" + t.String() + ")" + scale + " or vector(0)"
}

// ratioExpr is the traffic-weighted error ratio of two recorded series,
// absent (never NaN) without traffic.
func ratioExpr(errs, reqs string) string { return errs + " / (" + reqs + " > 0)" }

// sloRules returns the fast group (rates and ratios up to 3d, the tiers'
// conditions, the burn alerts) and the slow group (5m increments, the
// period's ratio, budget series).
//
// Windows up to 6h are rates over the counters themselves, exact at both
// edges. A window W of 1d or 3d is counted in three parts: the last hour
// from the counters (exact at the newest edge); the slow group's 5m
// increments from W ago to an hour ago, which tile time without overlap;
// and a correction for where those increments end: the newest ends g
// before the hour began and the oldest g before W ago, so the 5m rate at
// each edge times g is added at the newer edge and taken off at the older.
func sloRules(st *model.Stack, svc model.Service, s model.SLO) (fast, slow rulefmt.RuleGroup) {
	lbl := func() map[string]string { return sloLabels(svc, s) }
	period := time.Duration(s.Period)
	at := func(name string) string { return sloSel(name, svc, s) }
	chunk := slo.ChunkWindow
	chunkE, chunkR, chunkTS := at(slo.ErrorsIncrease(chunk)), at(slo.RequestsIncrease(chunk)), at(slo.ChunkTimestamp)

	fast = rulefmt.RuleGroup{Name: fastGroup(svc, s)}
	errs5m, reqs5m := at(slo.ErrorsRate5m), at(slo.RequestsRate5m)
	bad5m, total5m := sliExprs(svc, s, "rate", 5*time.Minute)
	fast.Rules = append(fast.Rules,
		record(slo.ErrorsRate5m, bad5m, lbl()),
		record(slo.RequestsRate5m, total5m, lbl()),
		record(slo.ErrorRatio(5*time.Minute), ratioExpr(errs5m, reqs5m), lbl()),
	)
	// The other windows up to 6h are read from the counters directly; they
	// are not recorded as rates, which keeps the group within a Mimir
	// tenant's 20 rules.
	for _, w := range slo.RateWindows(period) {
		if w == 5*time.Minute {
			continue
		}
		bad, total := sliExprs(svc, s, "rate", w)
		fast.Rules = append(fast.Rules, record(slo.ErrorRatio(w), "("+bad+") / (("+total+") > 0)", lbl()))
	}
	head := slo.HeadWindow
	orZero := func(e string) string { return "(" + e + " or on () vector(0))" }
	for _, w := range slo.CountWindows(period) {
		gap := "(time() - " + num(head.Seconds()) + " - max_over_time(" + chunkTS + "[" + dur(2*chunk) + "] offset " + dur(head) + "))"
		count := func(headCount, rate5m, chunkSel string) string {
			return "(" + headCount + ")\n" +
				"+ on () " + orZero("sum_over_time("+chunkSel+"["+dur(w-head)+"] offset "+dur(head)+")") + "\n" +
				"+ on () " + orZero(gap+" * on () ("+at(rate5m)+" offset "+dur(head)+" - on () "+orZero(at(rate5m)+" offset "+dur(w))+")") + "\n"
		}
		badHead, totalHead := sliExprs(svc, s, "increase", head)
		fast.Rules = append(fast.Rules,
			record(slo.ErrorsIncrease(w), count(badHead, slo.ErrorsRate5m, chunkE), lbl()),
			record(slo.RequestsIncrease(w), count(totalHead, slo.RequestsRate5m, chunkR), lbl()),
			record(slo.ErrorRatio(w), ratioExpr(at(slo.ErrorsIncrease(w)), at(slo.RequestsIncrease(w))), lbl()),
		)
	}
	for _, t := range slo.AlertingTiers(s) {
		fast.Rules = append(fast.Rules, tierRule(svc, s, t))
	}
	for _, a := range slo.BurnAlerts(s) {
		fast.Rules = append(fast.Rules, burnAlert(st, svc, s, a))
	}

	// The increments are recorded only when the last is at least one
	// increment old: every SlowGroupInterval in Prometheus, and still
	// without overlap where every group runs at every step (promtool).
	fresh := " unless on () count_over_time(" + chunkTS + "[" + dur(chunk) + "])"
	bad, total := sliExprs(svc, s, "increase", chunk)
	slow = rulefmt.RuleGroup{Name: slowGroup(svc, s), Interval: prommodel.Duration(slo.SlowGroupInterval)}
	budget := num(s.ErrorBudget())
	pw := "[" + dur(period) + "]"
	slow.Rules = append(slow.Rules,
		record(slo.ErrorsIncrease(chunk), "("+bad+")"+fresh, lbl()),
		record(slo.RequestsIncrease(chunk), "("+total+")"+fresh, lbl()),
		record(slo.ChunkTimestamp, "vector(time())"+fresh, lbl()),
		record(slo.ErrorRatio(period), ratioExpr("sum_over_time("+chunkE+pw+")", "sum_over_time("+chunkR+pw+")"), lbl()),
		record(slo.Objective, "vector("+num(s.Target())+")", lbl()),
		record(slo.ErrorBudget, "vector("+budget+")", lbl()),
		record(slo.PeriodBurnRate, at(slo.ErrorRatio(period))+" / "+budget, lbl()),
		record(slo.BudgetRemaining, "1 - "+at(slo.PeriodBurnRate), lbl()),
	)
	return fast, slow
}

// emittedTiers are the enabled tiers that can fire (slo.AlertingTiers); a
// tier whose threshold needs more than 100% errors is left out (the spec
// loader warns about it).
func emittedTiers(s model.SLO) []slo.Tier { return slo.AlertingTiers(s) }

// volumeGuard keeps a tier quiet while its long window holds too few
// events to judge: it passes when the mean request rate over the history
// the window holds reaches MinEventRate, or when the window holds at least
// MinBadEvents bad events, so one failed request at night pages nobody
// while a quiet endpoint that fails every request still alerts. Counts
// over the counters are not extrapolated beyond the history that exists,
// so a fresh Prometheus does not turn a few errors into many.
func volumeGuard(svc model.Service, s model.SLO, window time.Duration) string {
	var meanRate, badEvents string
	if window <= slo.ShortWindowMax {
		meanRate = "avg_over_time(" + sloSel(slo.RequestsRate5m, svc, s) + "[" + dur(window) + "])"
		bad, _ := sliExprs(svc, s, "increase", window)
		badEvents = "(" + bad + ")"
	} else {
		meanRate = "avg_over_time(" + sloSel(slo.RequestsIncrease(slo.ChunkWindow), svc, s) + "[" + dur(window) + "]) / " + num(slo.ChunkWindow.Seconds())
		badEvents = sloSel(slo.ErrorsIncrease(window), svc, s)
	}
	return "(" + meanRate + " >= " + num(s.MinEventRate) + " or on () " + badEvents + " >= " + num(s.MinBadEvents) + ")"
}

// historySlack is added to the age of the oldest increment when a tier's
// long window is scaled to a short history (see tierRule).
const historySlack = 2 * slo.ChunkWindow

// tierRule records tier t's condition: both windows burn faster than its
// factor and the volume guard passes. Its value is the long window's burn
// rate, and it carries the tier label.
func tierRule(svc model.Service, s model.SLO, t slo.Tier) rulefmt.Rule {
	factor := num(t.Factor(time.Duration(s.Period)))
	budget := num(s.ErrorBudget())
	on := "and on (" + slo.LabelService + ", " + slo.LabelSLO + ")\n"
	long := sloSel(slo.ErrorRatio(t.Long), svc, s) + " / " + budget
	if t.Long > slo.ShortWindowMax {
		// A history shorter than the long window counts as clean traffic
		// for the rest of it: the tier fires when its share of the budget
		// is spent, not when a few hours show its ratio (which would open
		// tickets on a fresh Prometheus before any page). The history is
		// the age of the oldest increment, plus two increments so that a
		// full window scales by exactly 1.
		history := "(time() - min_over_time(" + sloSel(slo.ChunkTimestamp, svc, s) + "[" + dur(t.Long) + "]) + " + num(historySlack.Seconds()) + ")"
		long += "\n  / clamp_min(" + num(t.Long.Seconds()) + " / " + history + ", 1)"
	}
	expr := long + " > " + factor + "\n" +
		on + sloSel(slo.ErrorRatio(t.Short), svc, s) + " / " + budget + " > " + factor + "\n" +
		"and on ()\n" + volumeGuard(svc, s, t.Long) + "\n"
	l := sloLabels(svc, s)
	l[slo.LabelTier] = t.Name
	return record(slo.TierBurnRate, expr, l)
}

// tierSel selects the recorded condition of the named tiers.
func tierSel(svc model.Service, s model.SLO, tiers []slo.Tier) string {
	names := make([]string, len(tiers))
	for i, t := range tiers {
		names[i] = t.Name
	}
	m := matcher(slo.LabelTier, "=", names[0])
	if len(names) > 1 {
		m = matcher(slo.LabelTier, "=~", strings.Join(names, "|"))
	}
	return sel(slo.TierBurnRate, matcher(slo.LabelService, "=", svc.Name), matcher(slo.LabelSLO, "=", s.Name), m)
}

// fasterTiers are the tiers of s (of either severity) that are recorded and
// faster than t.
func fasterTiers(s model.SLO, t slo.Tier) []slo.Tier {
	var out []slo.Tier
	for _, f := range slo.AlertingTiers(s) {
		if f.Name == t.Name {
			break
		}
		out = append(out, f)
	}
	return out
}

// burnAlert is the page or the ticket of an SLO: it fires while one of its
// tiers' conditions holds, but a tier counts only when no faster tier was
// active within its short window (which then holds the errors the faster
// tier already reported). Its value is the highest long-window burn rate
// among the tiers that count.
func burnAlert(st *model.Stack, svc model.Service, s model.SLO, a slo.BurnAlert) rulefmt.Rule {
	var branches []string
	for _, t := range a.Tiers {
		b := tierSel(svc, s, []slo.Tier{t})
		if faster := fasterTiers(s, t); len(faster) > 0 {
			b = "(" + b + "\n    unless on (" + slo.LabelService + ", " + slo.LabelSLO + ") max_over_time(" + tierSel(svc, s, faster) + "[" + dur(t.Short) + "]))"
		}
		branches = append(branches, "  "+b)
	}
	return rulefmt.Rule{
		Alert:       slo.BurnAlertName(s),
		Expr:        "max without (" + slo.LabelTier + ") (\n" + strings.Join(branches, "\n  or\n") + "\n)\n",
		Labels:      burnLabels(svc, s, a),
		Annotations: burnAnnotations(st, svc, s, a),
	}
}

func burnLabels(svc model.Service, s model.SLO, a slo.BurnAlert) map[string]string {
	return withStatic(svc, map[string]string{
		slo.LabelSeverity: string(a.Severity),
		slo.LabelTier:     a.TierLabel(),
		slo.LabelService:  svc.Name,
		slo.LabelTeam:     svc.Team,
		slo.LabelSLO:      s.Name,
	})
}

// withSelector adds the service's selector labels (namespace, ...) to
// labels: the generated scrape config sets them on the targets, so the
// series the rules select by them exist.
func withSelector(svc model.Service, labels map[string]string) map[string]string {
	for k, v := range svc.Selector {
		labels[k] = v
	}
	return labels
}

// withStatic adds the service's static labels (env, cluster, ...) to
// labels; the spec loader refuses static labels named like generated ones.
func withStatic(svc model.Service, labels map[string]string) map[string]string {
	for k, v := range svc.Labels {
		if _, ok := labels[k]; !ok {
			labels[k] = v
		}
	}
	return labels
}

// budgetLeftTemplate renders the share of the period's budget left, read at
// notification time; "unknown" before the first period ratio exists.
func budgetLeftTemplate(svc model.Service, s model.SLO) string {
	return "{{ with query " + strconv.Quote(slo.Latest(sloSel(slo.BudgetRemaining, svc, s))) +
		" }}{{ . | first | value | humanizePercentage }}{{ else }}unknown{{ end }}"
}

// tierText describes tier t's condition for people: "1h and 5m above
// 14.4x (2% of the budget within 1h)".
func tierText(s model.SLO, t slo.Tier) string {
	period := time.Duration(s.Period)
	return fmt.Sprintf("%s and %s above %sx, %s of the budget within %s", dur(t.Long), dur(t.Short),
		readable(t.Factor(period)), percent(t.SpentShare(period)), dur(t.Long))
}

// tiersTemplate lists, at notification time, the alert's tiers whose
// condition holds, with their long window's burn rate.
func tiersTemplate(svc model.Service, s model.SLO, a slo.BurnAlert) string {
	var b strings.Builder
	b.WriteString("{{ range query " + strconv.Quote(tierSel(svc, s, a.Tiers)) + ` | sortByLabel "` + slo.LabelTier + `" }}`)
	b.WriteString(`{{ .Labels.tier }} {{ .Value | printf "%.1f" }}x (`)
	for _, t := range a.Tiers {
		b.WriteString(`{{ if eq .Labels.tier "` + t.Name + `" }}` + tierText(s, t) + "{{ end }}")
	}
	b.WriteString("); {{ end }}")
	return b.String()
}

// alertCondition describes when the alert fires, for its summary.
func alertCondition(s model.SLO, a slo.BurnAlert) string {
	period := time.Duration(s.Period)
	parts := make([]string, len(a.Tiers))
	for i, t := range a.Tiers {
		parts[i] = fmt.Sprintf("over %sx for %s", readable(t.Factor(period)), dur(t.Long))
	}
	return strings.Join(parts, " or ")
}

func burnAnnotations(st *model.Stack, svc model.Service, s model.SLO, a slo.BurnAlert) map[string]string {
	period := time.Duration(s.Period)
	return dropEmpty(map[string]string{
		"summary": fmt.Sprintf("%s is burning its %s error budget too fast (%s: %s).",
			s.Name, days(period), a.Severity, alertCondition(s, a)),
		"description": fmt.Sprintf("%s (objective %s%% over %s) burns its error budget "+
			"{{ $value | printf \"%%.1f\" }}x as fast as it may. Burning: %s%s of the %s budget is left.",
			s.Name, num(s.Objective), days(period), tiersTemplate(svc, s, a), budgetLeftTemplate(svc, s), days(period)),
		"runbook_url": runbookURL(svc, slo.BurnAlertName(s)),
		"dashboard":   dashboardURL(st, svc, "slos"),
	})
}

// readable formats a factor for people (slo.FormatFactor).
func readable(f float64) string { return slo.FormatFactor(f) }

// days writes a period the way the spec does (slo.FormatPeriod).
func days(d time.Duration) string { return slo.FormatPeriod(d) }

// percent writes a derived share for people (slo.FormatFactorPercent).
func percent(f float64) string { return slo.FormatFactorPercent(f) }

func runbookURL(svc model.Service, alert string) string {
	if svc.RunbookURL == "" {
		return ""
	}
	return svc.RunbookURL + "#" + alert
}

func dashboardURL(st *model.Stack, svc model.Service, kind string) string {
	return strings.TrimSuffix(st.Network.GrafanaURL, "/") + "/d/" + slo.DashboardUID(svc.Name, kind)
}

// healthRules are the per-service alerts that need no traffic.
//
// TargetDown is service-level: it fires when even the service's
// best-answering target failed most of its scrapes over TargetDownWindow.
// Averaging up catches a crash loop that answers now and then (up == 0 for
// a while resets on every successful scrape), and taking the best target
// keeps one dead replica of several from firing it, and so from inhibiting
// the service's SLO pages while the other replicas still serve.
//
// MetricsAbsent fires when the metrics the SLOs read are missing although
// Prometheus has a target that answers (or no target at all): the SLO rates
// fall back to 0 without them, so a broken instrumentation would silently
// disable every SLO. The registry exports every series at zero from the
// start, so a healthy service never lacks them; while every target is down
// the metrics are gone too, and TargetDown speaks instead.
func healthRules(st *model.Stack, svc model.Service) rulefmt.RuleGroup {
	labels := func(sev slo.Severity) map[string]string {
		return withStatic(svc, map[string]string{slo.LabelSeverity: string(sev), slo.LabelService: svc.Name, slo.LabelTeam: svc.Team})
	}
	down := slo.TargetDownAlertName(svc)
	absent := slo.MetricsAbsentAlertName(svc)
	var checks []string
	for _, m := range requiredSeries(svc) {
		checks = append(checks, "absent("+m+")")
	}
	return rulefmt.RuleGroup{Name: healthGroup(svc), Rules: []rulefmt.Rule{
		{
			Alert: down,
			Expr: "max by (" + slo.LabelService + ", " + slo.LabelTeam + ") (avg_over_time(" + scraped(svc, "up") +
				"[" + dur(TargetDownWindow) + "])) < " + num(TargetDownRatio),
			For:    prommodel.Duration(TargetDownFor),
			Labels: labels(slo.TargetDownSeverity),
			Annotations: dropEmpty(map[string]string{
				"summary": svc.Name + " cannot be scraped.",
				"description": "Every target of " + svc.Name + " has answered fewer than " + percent(TargetDownRatio) +
					" of its scrapes over the last " + dur(TargetDownWindow) + " (best: {{ $value | humanizePercentage }}); " +
					"the service is down or crash-looping, and its SLOs are blind meanwhile.",
				"runbook_url": runbookURL(svc, down),
				"dashboard":   dashboardURL(st, svc, "overview"),
			}),
		},
		{
			Alert: absent,
			// max by (job) merges the absent() results of the bucket series,
			// which carry le, into one alert.
			Expr: "max by (job) (" + strings.Join(checks, " or ") + ")\n" +
				"unless on () (max(" + scraped(svc, "up") + ") == 0)",
			For:    prommodel.Duration(MetricsAbsentFor),
			Labels: labels(slo.MetricsAbsentSeverity),
			Annotations: dropEmpty(map[string]string{
				"summary": svc.Name + " does not export the metrics its SLOs read.",
				"description": "For " + dur(MetricsAbsentFor) + ", Prometheus has lacked at least one of " + strings.Join(requiredSeries(svc), ", ") +
					" although not every target of job " + slo.Job(svc) + " is down (or it has no target at all); its SLOs read 0 errors meanwhile. " +
					"Check the scrape configuration and the service's instrumentation.",
				"runbook_url": runbookURL(svc, absent),
				"dashboard":   dashboardURL(st, svc, "overview"),
			}),
		},
	}}
}

// requiredSeries are the selectors of the series a service's SLOs read: the
// request counter, and per latency SLO the bucket at its threshold. An
// exporter that exports no request series before the first request (every
// preset but the registry) is checked by the series it always exports
// instead, so a quiet healthy service does not fire MetricsAbsent.
func requiredSeries(svc model.Service) []string {
	in := slo.InstrumentationOf(svc)
	if !in.ZeroInit {
		return []string{scraped(svc, in.Presence)}
	}
	out := []string{scraped(svc, in.Requests)}
	for _, le := range thresholdBuckets(svc) {
		out = append(out, scraped(svc, in.Duration+"_bucket", matcher("le", "=", le)))
	}
	return out
}

// thresholdBuckets are the distinct le values of the service's latency SLO
// thresholds, in SLO order, written as Prometheus stores them.
func thresholdBuckets(svc model.Service) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range svc.SLOs {
		if s.Kind != model.Latency {
			continue
		}
		le := leValue(time.Duration(s.Threshold).Seconds())
		if !seen[le] {
			seen[le] = true
			out = append(out, le)
		}
	}
	return out
}
