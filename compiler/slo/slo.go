// Package slo holds the SLO math shared by every target: burn-rate tiers and
// their windows and factors, the names of the recorded SLO series, and the
// names of the metrics and alerts the compiler generates. Rules, dashboards,
// routing expectations and generated tests all read them from here, so they
// cannot drift apart.
package slo

import (
	"strings"
	"time"
	"unicode"

	"github.com/stackc/stackc/compiler/model"
)

// Severity is the value of the "severity" label of a generated alert.
type Severity string

const (
	Page   Severity = "page"
	Ticket Severity = "ticket"
)

// Severities of the per-service health alerts: a service whose targets
// mostly fail their scrapes pages (its SLOs are blind while it is down);
// missing request metrics or a vanished job (a configuration problem, not
// an outage the users see) open a ticket.
const (
	TargetDownSeverity    = Page
	MetricsAbsentSeverity = Ticket
)

// Tier is one multi-window burn-rate alert (Google SRE workbook, "Alerting on
// SLOs"): it fires when both windows burn the error budget at least Factor
// times faster than the pace that would spend it exactly over the period.
type Tier struct {
	// Name is page-fast, page-slow, ticket-fast or ticket-slow: the tier
	// label of its recorded condition (TierBurnRate) and the name
	// disabledTiers uses. The alerts' tier label is BurnAlert.TierLabel.
	Name     string
	Severity Severity
	Long     time.Duration
	Short    time.Duration
	// BudgetShare is the share of the period's error budget the tier lets
	// burn within its long window before it fires.
	BudgetShare float64
}

// Tiers are the four workbook tiers, fastest first. Windows stay fixed for
// every period; the factor scales with the period (see Factor).
var Tiers = []Tier{
	{Name: "page-fast", Severity: Page, Long: time.Hour, Short: 5 * time.Minute, BudgetShare: 0.02},
	{Name: "page-slow", Severity: Page, Long: 6 * time.Hour, Short: 30 * time.Minute, BudgetShare: 0.05},
	{Name: "ticket-fast", Severity: Ticket, Long: 24 * time.Hour, Short: 2 * time.Hour, BudgetShare: 0.10},
	{Name: "ticket-slow", Severity: Ticket, Long: 72 * time.Hour, Short: 6 * time.Hour, BudgetShare: 0.10},
}

// TierNames lists the valid tier names, fastest first.
func TierNames() []string {
	names := make([]string, len(Tiers))
	for i, t := range Tiers {
		names[i] = t.Name
	}
	return names
}

// Factor is the burn rate at which the tier fires for an SLO over period:
// budget share x period / long window (14.4, 6, 3 and 1 for 30 days), and
// never below 1. The windows stay fixed for every period, so for short
// periods the formula drops below 1 (0.23 for the 3d ticket of a 7d SLO):
// such a tier would open tickets for a burn that leaves budget to spare at
// the end of the period. Clamped, it fires only when the budget will run out.
func (t Tier) Factor(period time.Duration) float64 {
	return max(1, t.BudgetShare*period.Hours()/t.Long.Hours())
}

// SpentShare is the share of the period's error budget a burn at Factor
// spends within the long window: BudgetShare, or more where Factor is clamped.
func (t Tier) SpentShare(period time.Duration) float64 {
	return t.Factor(period) * t.Long.Hours() / period.Hours()
}

// Threshold is the error ratio both windows must exceed: Factor x error budget.
func (t Tier) Threshold(s model.SLO) float64 {
	return t.Factor(time.Duration(s.Period)) * s.ErrorBudget()
}

// CanFire reports whether the tier's threshold is reachable, i.e. below an
// error ratio of 1. A 14.4x page on a 93% objective needs more than 100% errors.
func (t Tier) CanFire(s model.SLO) bool { return t.Threshold(s) < 1 }

// EnabledTiers returns the tiers the SLO alerts on, fastest first.
func EnabledTiers(s model.SLO) []Tier {
	var out []Tier
	for _, t := range Tiers {
		disabled := false
		for _, d := range s.DisabledTiers {
			if d == t.Name {
				disabled = true
			}
		}
		if !disabled {
			out = append(out, t)
		}
	}
	return out
}

// AlertingTiers returns the tiers the SLO alerts on, fastest first: the
// enabled tiers whose threshold an error ratio can reach (CanFire). The
// rules record each one's condition (TierBurnRate) and OR them into the
// SLO's page and ticket (BurnAlerts); the Alertmanager routing, the
// dashboards and the review all read this one list, so no artifact names a
// tier that no rule emits (a 14.4x page-fast on a 90% objective needs 144%
// errors).
func AlertingTiers(s model.SLO) []Tier {
	var out []Tier
	for _, t := range EnabledTiers(s) {
		if t.CanFire(s) {
			out = append(out, t)
		}
	}
	return out
}

// Windows returns every window an error ratio is recorded for, shortest
// first: the tiers' short and long windows and the SLO period.
func Windows(period time.Duration) []time.Duration {
	return []time.Duration{
		5 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour,
		6 * time.Hour, 24 * time.Hour, 72 * time.Hour, period,
	}
}

// RateWindows are the windows whose error ratios the fast group computes
// from the scraped counters directly: every recorded window up to
// ShortWindowMax, shortest first.
func RateWindows(period time.Duration) []time.Duration {
	var out []time.Duration
	for _, w := range Windows(period) {
		if w <= ShortWindowMax {
			out = append(out, w)
		}
	}
	return out
}

// CountWindows are the tiers' windows beyond ShortWindowMax (1d, 3d): the
// fast group counts their events (ErrorsIncrease, RequestsIncrease) from
// the HeadWindow of counters and the slow group's ChunkWindow increments.
func CountWindows(period time.Duration) []time.Duration {
	var out []time.Duration
	for _, w := range Windows(period) {
		if w > ShortWindowMax && !InSlowGroup(w) {
			out = append(out, w)
		}
	}
	return out
}

// ShortWindowMax is the longest window whose rates are computed from the
// scraped counters directly (rate over the window), at every evaluation of
// the fast group: exact at both edges, and affordable up to 6h.
const ShortWindowMax = 6 * time.Hour

// HeadWindow is the newest part of a window longer than ShortWindowMax
// that is read from the counters directly; the older part (the tail) is a
// sum of the non-overlapping ChunkWindow increments the slow group records.
const HeadWindow = time.Hour

// ChunkWindow is the span of the increments the slow group records, once
// per SlowGroupInterval, so that consecutive increments tile time without
// overlapping: summing them is exact at every edge but the newest and the
// oldest, and the rules correct those two by the gap's length.
const ChunkWindow = SlowGroupInterval

// SlowGroupInterval is the evaluation interval of the rule group that
// records the increments and the period's ratio.
const SlowGroupInterval = 5 * time.Minute

// LongestTierWindow is the longest long window of any tier (3d): windows up
// to it are recorded at every evaluation of the fast group; only the period
// is recorded by the slow group.
func LongestTierWindow() time.Duration {
	var longest time.Duration
	for _, t := range Tiers {
		longest = max(longest, t.Long)
	}
	return longest
}

// InSlowGroup reports whether the error ratio over window is recorded by the
// slow group (and so must be read with Latest): only the period's is.
func InSlowGroup(window time.Duration) bool { return window > LongestTierWindow() }

// Latest wraps a selector of a series the slow group records. Such a series
// gets a sample every SlowGroupInterval, which can fall just outside
// Prometheus's 5m lookback (a sample exactly 5m old is not seen), so a plain
// read blinks out between two evaluations; last_over_time over two
// intervals always sees the newest sample.
func Latest(selector string) string {
	return "last_over_time(" + selector + "[" + model.Duration(2*SlowGroupInterval).String() + "])"
}

// BurnAlert is one of an SLO's two burn-rate alerts: the page, which ORs
// the page tiers, or the ticket, which ORs the ticket tiers. Each tier's
// condition is recorded as TierBurnRate{tier=...}; the alert fires while
// any of its tiers' conditions holds, except that a tier stays quiet for
// its short window after a faster tier (of either alert) was active: its
// windows then only hold the errors the faster tier already reported. So
// an incident notifies once, through the fastest tier that sees it, and
// resolves when that tier's short window is clean.
type BurnAlert struct {
	Severity Severity
	// Tiers are the enabled tiers of this severity that can fire, fastest first.
	Tiers []Tier
}

// TierLabel is the value of the alert's "tier" label: its severity, since
// one alert carries every tier of that severity.
func (a BurnAlert) TierLabel() string { return string(a.Severity) }

// BurnAlerts returns the SLO's burn-rate alerts that have at least one tier
// that is enabled and can fire: the page first, then the ticket.
func BurnAlerts(s model.SLO) []BurnAlert {
	var out []BurnAlert
	for _, sev := range []Severity{Page, Ticket} {
		a := BurnAlert{Severity: sev}
		for _, t := range AlertingTiers(s) {
			if t.Severity == sev {
				a.Tiers = append(a.Tiers, t)
			}
		}
		if len(a.Tiers) > 0 {
			out = append(out, a)
		}
	}
	return out
}

// Names of the automatic per-endpoint RED metrics every service exports.
const (
	// RequestsTotal counts requests by endpoint, method and code.
	RequestsTotal = "http_requests_total"
	// RequestDuration is the request duration histogram by endpoint and method.
	RequestDuration = "http_request_duration_seconds"
	// RequestsInFlight is the gauge of requests being served, by endpoint and method.
	RequestsInFlight = "http_requests_in_flight"
)

// ClientClosedRequest is the code label of requests whose client went away
// before the handler wrote a status (nginx's 499). Every service exports
// it besides its status codes; availability SLOs count only 5xx, so it
// burns no budget.
const ClientClosedRequest = 499

// Names of the per-endpoint RED recording rules (level:metric:operations).
// Each carries the labels service and endpoint; the quantile series also
// carries quantile ("0.5", "0.9", "0.99").
const (
	REDRequestsRate    = "service_endpoint:http_requests:rate5m"
	REDErrorRatio      = "service_endpoint:http_requests_errors:ratio_rate5m"
	REDLatencyQuantile = "service_endpoint:http_request_duration_seconds:histogram_quantile_rate5m"
)

// REDQuantiles are the latency quantiles recorded per endpoint.
var REDQuantiles = []float64{0.5, 0.9, 0.99}

// UnmatchedEndpoint is the endpoint label value of requests no route matches,
// so unknown paths add one bounded series instead of one per path.
const UnmatchedEndpoint = "_unmatched"

// UnmatchedMethod is the method label value the generated registries give
// unmatched requests, whatever their method (runtime/instrument and the
// Python registry use the same value).
const UnmatchedMethod = "ANY"

// Label names of the generated metrics, series and alerts.
const (
	LabelService  = "service"
	LabelTeam     = "team"
	LabelSLO      = "slo"
	LabelSeverity = "severity"
	LabelTier     = "tier"
	LabelEndpoint = "endpoint"
	LabelMethod   = "method"
	LabelCode     = "code"
	LabelWindow   = "window"
)

// Names of the recording rules of every SLO; each carries the labels
// service and slo. Ratios are error ratios (bad/total) over a window.
const (
	// ErrorsRate5m and RequestsRate5m are the per-second rates of bad and of
	// all events over 5m, read from the raw metrics.
	ErrorsRate5m   = "slo:sli_errors:rate5m"
	RequestsRate5m = "slo:sli_requests:rate5m"
	// ChunkTimestamp is the time (in seconds) of each recorded ChunkWindow
	// increment: the slow group records one only when the last is at least
	// ChunkWindow old, so the increments never overlap however often the
	// group runs.
	ChunkTimestamp = "slo:sli_increase5m:timestamp"
	// TierBurnRate is the long window's burn rate of each tier whose
	// condition holds (both windows above the factor, enough events),
	// labelled tier; absent while it does not hold. The alerts read it.
	TierBurnRate = "slo:burn_rate:tier"
	// Objective is the SLO's objective as a ratio (0.999).
	Objective = "slo:objective:ratio"
	// ErrorBudget is 1 - objective.
	ErrorBudget = "slo:error_budget:ratio"
	// PeriodBurnRate is the error ratio over the period divided by the error budget.
	PeriodBurnRate = "slo:burn_rate:period"
	// BudgetRemaining is 1 - PeriodBurnRate: the share of the period's budget left.
	BudgetRemaining = "slo:error_budget_remaining:ratio"
)

// ErrorsIncrease and RequestsIncrease name the number of bad and of all
// events within window: the ChunkWindow increments of the slow group
// (slo:sli_errors:increase5m), and the counts over the long windows beyond
// ShortWindowMax (slo:sli_errors:increase1d).
func ErrorsIncrease(window time.Duration) string {
	return "slo:sli_errors:increase" + model.Duration(window).String()
}

// RequestsIncrease is ErrorsIncrease for all events.
func RequestsIncrease(window time.Duration) string {
	return "slo:sli_requests:increase" + model.Duration(window).String()
}

// ErrorRatio returns the name of the recorded error ratio over window,
// e.g. slo:sli_error:ratio_rate5m; the period's is ratio_rate30d.
func ErrorRatio(window time.Duration) string {
	return "slo:sli_error:ratio_rate" + model.Duration(window).String()
}

// BurnAlertName is the name of an SLO's burn-rate alerts (the page and the
// ticket share it and differ in the severity and tier labels):
// checkout-latency -> CheckoutLatencyBudgetBurn.
func BurnAlertName(s model.SLO) string { return Camel(s.Name) + "BudgetBurn" }

// TargetDownAlertName is the alert for a service whose targets answer fewer
// than half of their scrapes.
func TargetDownAlertName(svc model.Service) string { return Camel(svc.Name) + "TargetDown" }

// MetricsAbsentAlertName is the alert for a service whose request metrics
// (which every SLO reads) are missing while its targets are not all down,
// or that has no scrape target at all.
func MetricsAbsentAlertName(svc model.Service) string { return Camel(svc.Name) + "MetricsAbsent" }

// Camel turns a spec name (kebab, snake, dotted or free text) into
// CamelCase: every rune that is not a letter or digit separates words and
// is dropped, so the result is "" when nothing usable is left. Alert names
// and the generated Go identifiers of package registry both use it.
func Camel(name string) string {
	var b strings.Builder
	upper := true
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			b.WriteRune(unicode.ToUpper(r))
			upper = false
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// DashboardUID returns the stable Grafana UID of a service's dashboard of
// the given kind (DashboardOverview or DashboardSLOs).
func DashboardUID(service, kind string) string { return "stackc-" + service + "-" + kind }

// Kinds of the per-service dashboards: every service has an overview, and
// a service with SLOs an SLO dashboard.
const (
	DashboardOverview = "overview"
	DashboardSLOs     = "slos"
)

// DashboardPath is where the Grafana target writes the dashboard with uid,
// relative to out/.
func DashboardPath(uid string) string { return GrafanaDashboardDir + "/" + uid + ".json" }

// DatasourceUID is the UID of the provisioned Prometheus data source.
const DatasourceUID = "stackc-prometheus"

// PythonModule is the module name of a Python service's generated registry
// (out/python/<module>.py): the service name with dashes as underscores,
// then _metrics.
func PythonModule(service string) string {
	return strings.ReplaceAll(service, "-", "_") + "_metrics"
}

// AlertLabelSets enumerates the label set (alertname included) of every
// alert the generated rules can emit, in spec order: per service its SLOs'
// burn-rate alerts (the page, then the ticket, each when one of its
// AlertingTiers has that severity), then target-down
// and metrics-absent. Neither health alert carries an slo label, which
// keeps the SLO-only inhibitions off them. Routing (package alertmanager)
// and spec validation (routes no alert reaches) both read this list.
func AlertLabelSets(st *model.Stack) []map[string]string {
	var out []map[string]string
	for _, svc := range st.Services {
		for _, s := range svc.SLOs {
			for _, a := range BurnAlerts(s) {
				out = append(out, withStatic(svc, map[string]string{
					"alertname":   BurnAlertName(s),
					LabelSeverity: string(a.Severity),
					LabelTier:     a.TierLabel(),
					LabelService:  svc.Name,
					LabelTeam:     svc.Team,
					LabelSLO:      s.Name,
				}))
			}
		}
		for _, h := range []struct {
			name     string
			severity Severity
		}{
			{TargetDownAlertName(svc), TargetDownSeverity},
			{MetricsAbsentAlertName(svc), MetricsAbsentSeverity},
		} {
			out = append(out, withStatic(svc, map[string]string{
				"alertname":   h.name,
				LabelSeverity: string(h.severity),
				LabelService:  svc.Name,
				LabelTeam:     svc.Team,
			}))
		}
	}
	return out
}

// withStatic adds the service's static labels (env, cluster, ...), which
// every generated alert carries, to labels; the spec loader refuses static
// labels named like generated ones.
func withStatic(svc model.Service, labels map[string]string) map[string]string {
	for k, v := range svc.Labels {
		if _, ok := labels[k]; !ok {
			labels[k] = v
		}
	}
	return labels
}
