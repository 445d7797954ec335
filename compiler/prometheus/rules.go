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

// sliExprs returns the PromQL of the bad-event and all-event rates over
// 5m, read from the metrics of the service's instrumentation.
func sliExprs(svc model.Service, s model.SLO) (bad, total string) {
	if s.Kind == model.Raw {
		return rawSLIExprs(svc, s)
	}
	in := slo.InstrumentationOf(svc)
	eps := endpointMatcher(svc, s.Endpoints)
	switch s.Kind {
	case model.Latency:
		count := "sum(rate(" + scraped(svc, in.Duration+"_count", eps) + "[5m]))"
		le := matcher("le", "=", leValue(time.Duration(s.Threshold).Seconds()))
		fast := "sum(rate(" + scraped(svc, in.Duration+"_bucket", eps, le) + "[5m]))"
		return "(" + count + " - " + fast + ") or vector(0)", count + " or vector(0)"
	default:
		errs := "sum(rate(" + scraped(svc, in.Requests, eps, in.ErrorMatcher()) + "[5m]))"
		all := "sum(rate(" + scraped(svc, in.Requests, eps) + "[5m]))"
		return errs + " or vector(0)", all + " or vector(0)"
	}
}

// rawSLIExprs are a raw SLO's own queries over 5m, summed into one series
// (a query may keep labels) and 0 without any series. Spec validation has
// parsed them already; a query that no longer parses yields an expression
// promlint refuses, naming the rule.
func rawSLIExprs(svc model.Service, s model.SLO) (bad, total string) {
	b, t, err := slo.RawQueries(svc, s, "5m")
	if err != nil {
		return "invalid(" + strconv.Quote(err.Error()) + ")", "invalid()"
	}
	return "sum(" + b.String() + ") or vector(0)", "sum(" + t.String() + ") or vector(0)"
}

// ratioExpr is the traffic-weighted error ratio over window: the ratio of
// the sums of the recorded rates, absent (never NaN) without traffic.
func ratioExpr(errs, reqs string, window time.Duration) string {
	w := "[" + dur(window) + "]"
	return "sum_over_time(" + errs + w + ") / (sum_over_time(" + reqs + w + ") > 0)"
}

// sloRules returns the fast group (5m rates, ratios up to 6h, burn alerts)
// and the slow group (1h cascade, ratios over 1d and longer, budget series).
func sloRules(st *model.Stack, svc model.Service, s model.SLO) (fast, slow rulefmt.RuleGroup) {
	lbl := func() map[string]string { return sloLabels(svc, s) }
	bad, total := sliExprs(svc, s)
	errs5m, reqs5m := sloSel(slo.ErrorsRate5m, svc, s), sloSel(slo.RequestsRate5m, svc, s)
	errs1h, reqs1h := sloSel(slo.ErrorsRate1h, svc, s), sloSel(slo.RequestsRate1h, svc, s)
	period := time.Duration(s.Period)

	fast = rulefmt.RuleGroup{Name: fastGroup(svc, s)}
	fast.Rules = append(fast.Rules,
		record(slo.ErrorsRate5m, bad, lbl()),
		record(slo.RequestsRate5m, total, lbl()),
		record(slo.ErrorRatio(5*time.Minute), errs5m+" / ("+reqs5m+" > 0)", lbl()),
	)
	slow = rulefmt.RuleGroup{Name: slowGroup(svc, s), Interval: prommodel.Duration(slo.SlowGroupInterval)}
	slow.Rules = append(slow.Rules,
		record(slo.ErrorsRate1h, "avg_over_time("+errs5m+"["+dur(slo.CascadeWindow)+"])", lbl()),
		record(slo.RequestsRate1h, "avg_over_time("+reqs5m+"["+dur(slo.CascadeWindow)+"])", lbl()),
	)
	for _, w := range slo.Windows(period) {
		switch {
		case w == 5*time.Minute:
		case w <= slo.ShortWindowMax:
			fast.Rules = append(fast.Rules, record(slo.ErrorRatio(w), ratioExpr(errs5m, reqs5m, w), lbl()))
		default:
			slow.Rules = append(slow.Rules, record(slo.ErrorRatio(w), ratioExpr(errs1h, reqs1h, w), lbl()))
		}
	}
	budget := num(s.ErrorBudget())
	slow.Rules = append(slow.Rules,
		record(slo.Objective, "vector("+num(s.Target())+")", lbl()),
		record(slo.ErrorBudget, "vector("+budget+")", lbl()),
		record(slo.PeriodBurnRate, sloSel(slo.ErrorRatio(period), svc, s)+" / "+budget, lbl()),
		record(slo.BudgetRemaining, "1 - "+sloSel(slo.PeriodBurnRate, svc, s), lbl()),
	)
	for _, t := range emittedTiers(s) {
		fast.Rules = append(fast.Rules, burnAlert(st, svc, s, t))
	}
	return fast, slow
}

// emittedTiers are the enabled tiers that can fire (slo.AlertingTiers); a
// tier whose threshold needs more than 100% errors is left out (the spec
// loader warns about it).
func emittedTiers(s model.SLO) []slo.Tier { return slo.AlertingTiers(s) }

// rateOver is the mean per-second rate of a recorded SLO rate over window,
// read from the cheapest recorded series that covers it: the 5m rate up to
// ShortWindowMax, the 1h cascade beyond.
func rateOver(svc model.Service, s model.SLO, rate5m, rate1h string, window time.Duration) string {
	src := sloSel(rate5m, svc, s)
	if window > slo.ShortWindowMax {
		src = sloSel(rate1h, svc, s)
	}
	return "avg_over_time(" + src + "[" + dur(window) + "])"
}

// badEventsOver is the number of bad events within window: the recorded
// rate sampled once per the span it averages (5m, or the 1h cascade beyond
// ShortWindowMax) by a subquery, times that span. Unlike the mean rate
// times the window, it counts only history that exists, so a fresh
// Prometheus does not extrapolate a few errors into many.
func badEventsOver(svc model.Service, s model.SLO, window time.Duration) string {
	span, src := 5*time.Minute, sloSel(slo.ErrorsRate5m, svc, s)
	if window > slo.ShortWindowMax {
		span, src = slo.CascadeWindow, slo.Latest(sloSel(slo.ErrorsRate1h, svc, s))
	}
	return "sum_over_time(" + src + "[" + dur(window) + ":" + dur(span) + "]) * " + num(span.Seconds())
}

// volumeGuard keeps a tier quiet while its long window holds too few
// events to judge: it passes when the mean request rate reaches
// MinEventRate, or when the window holds at least MinBadEvents bad events,
// so one failed request at night pages nobody while a quiet endpoint that
// fails every request still alerts.
func volumeGuard(svc model.Service, s model.SLO, window time.Duration) string {
	reqs := rateOver(svc, s, slo.RequestsRate5m, slo.RequestsRate1h, window)
	return "(" + reqs + " >= " + num(s.MinEventRate) +
		" or " + badEventsOver(svc, s, window) + " >= " + num(s.MinBadEvents) + ")"
}

// burnAlert is one tier's multi-window alert. Its value is the long
// window's burn rate, which the description shows.
func burnAlert(st *model.Stack, svc model.Service, s model.SLO, t slo.Tier) rulefmt.Rule {
	period := time.Duration(s.Period)
	factor := num(t.Factor(period))
	budget := num(s.ErrorBudget())
	on := "and on (" + slo.LabelService + ", " + slo.LabelSLO + ")\n"
	long := sloSel(slo.ErrorRatio(t.Long), svc, s)
	if t.Long > slo.ShortWindowMax {
		long = slo.Latest(long)
	}
	expr := long + " / " + budget + " > " + factor + "\n" +
		on + sloSel(slo.ErrorRatio(t.Short), svc, s) + " / " + budget + " > " + factor + "\n" +
		on + volumeGuard(svc, s, t.Long) + "\n"
	return rulefmt.Rule{
		Alert:       slo.BurnAlertName(s),
		Expr:        expr,
		Labels:      burnLabels(svc, s, t),
		Annotations: burnAnnotations(st, svc, s, t),
	}
}

func burnLabels(svc model.Service, s model.SLO, t slo.Tier) map[string]string {
	return withStatic(svc, map[string]string{
		slo.LabelSeverity: string(t.Severity),
		slo.LabelTier:     t.Name,
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

func burnAnnotations(st *model.Stack, svc model.Service, s model.SLO, t slo.Tier) map[string]string {
	period := time.Duration(s.Period)
	factor := readable(t.Factor(period))
	return dropEmpty(map[string]string{
		"summary": fmt.Sprintf("%s is burning its %s error budget more than %sx too fast (%s).",
			s.Name, days(period), factor, t.Name),
		"description": fmt.Sprintf("%s (objective %s%% over %s) burns its error budget "+
			"{{ $value | printf \"%%.1f\" }}x as fast as it may over the last %s, and over the last %s too; "+
			"above %sx, %s of the budget goes within %s. %s of the %s budget is left.",
			s.Name, num(s.Objective), days(period), dur(t.Long), dur(t.Short),
			factor, percent(t.SpentShare(period)), dur(t.Long), budgetLeftTemplate(svc, s), days(period)),
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
