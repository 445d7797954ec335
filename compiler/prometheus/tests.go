package prometheus

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// The promtool unit test file format (promtool's own types are in package
// main and cannot be imported); `promtool test rules` checks it.
type testFile struct {
	RuleFiles          []string    `yaml:"rule_files"`
	EvaluationInterval string      `yaml:"evaluation_interval"`
	Tests              []testGroup `yaml:"tests"`
}

type testGroup struct {
	Name            string        `yaml:"name"`
	Interval        string        `yaml:"interval"`
	InputSeries     []inputSeries `yaml:"input_series"`
	AlertRuleTests  []alertTest   `yaml:"alert_rule_test,omitempty"`
	PromqlExprTests []exprTest    `yaml:"promql_expr_test,omitempty"`
}

type inputSeries struct {
	Series string `yaml:"series"`
	Values string `yaml:"values"`
}

type alertTest struct {
	EvalTime  string `yaml:"eval_time"`
	Alertname string `yaml:"alertname"`
	// An empty list asserts that the alert is not firing.
	ExpAlerts []expAlert `yaml:"exp_alerts"`
}

type expAlert struct {
	ExpLabels      map[string]string `yaml:"exp_labels"`
	ExpAnnotations map[string]string `yaml:"exp_annotations"`
}

type exprTest struct {
	Expr     string `yaml:"expr"`
	EvalTime string `yaml:"eval_time"`
	// No samples asserts an empty result.
	ExpSamples []expSample `yaml:"exp_samples"`
}

type expSample struct {
	Labels string  `yaml:"labels"`
	Value  float64 `yaml:"value"`
}

// testStep is the input series' sample interval and the evaluation
// interval of the generated tests. promtool evaluates every group at every
// step, the slow group included, so the tests see the cascade at 1m
// resolution; the long windows' results do not depend on it.
const testStep = time.Minute

// phase is a stretch of constant traffic: rate requests per second, of
// which the share bad is bad.
type phase struct {
	d    time.Duration
	rate float64
	bad  float64
}

// counterValues renders a counter growing by inc per step in each phase,
// in promtool's expanding notation ("0+600x120 72600+590x59"). promtool
// expands "a+bxn" by adding b n times in floating point, so the values are
// tracked the same way, and each phase starts at a printed value no lower
// than where the previous one ended: a start rounded below it would read
// as a counter reset.
func counterValues(phases []phase, inc func(phase) float64) string {
	var parts []string
	v := 0.0
	first := true
	for _, p := range phases {
		n := int(p.d / testStep)
		d := inc(p)
		dText := num(d)
		dv, _ := strconv.ParseFloat(dText, 64)
		if first {
			parts = append(parts, fmt.Sprintf("0+%sx%d", dText, n))
			v = accumulate(0, dv, n)
			first = false
			continue
		}
		startText := atLeast(v + dv)
		start, _ := strconv.ParseFloat(startText, 64)
		parts = append(parts, fmt.Sprintf("%s+%sx%d", startText, dText, n-1))
		v = accumulate(start, dv, n-1)
	}
	return strings.Join(parts, " ")
}

// accumulate adds d to v n times, as promtool expands "v+dxn".
func accumulate(v, d float64, n int) float64 {
	for range n {
		v += d
	}
	return v
}

// atLeast prints x briefly (num) unless that reads back below x.
func atLeast(x float64) string {
	if s := num(x); mustParse(s) >= x {
		return s
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

func mustParse(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func seriesLabels(metric string, lbls map[string]string) string {
	keys := make([]string, 0, len(lbls))
	for k := range lbls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = matcher(k, "=", lbls[k])
	}
	return metric + "{" + strings.Join(parts, ", ") + "}"
}

// targetLabels are the labels Prometheus and the scrape config put on
// every series of svc's first target.
func targetLabels(svc model.Service) map[string]string {
	instance := "127.0.0.1:" + strconv.Itoa(svc.Port)
	if len(svc.Targets) > 0 {
		instance = svc.Targets[0]
	}
	return withSelector(svc, withStatic(svc, map[string]string{"job": slo.Job(svc), "instance": instance, slo.LabelService: svc.Name, slo.LabelTeam: svc.Team}))
}

func endpointOf(svc model.Service, name string) model.Endpoint {
	for _, e := range svc.Endpoints {
		if e.Name == name {
			return e
		}
	}
	return model.Endpoint{Name: name, Method: "GET"}
}

// sliSeries returns raw input series (the metrics the application
// exports, in its instrumentation's shape) that carry the given traffic on
// the SLO's first endpoint, plus up.
func sliSeries(svc model.Service, s model.SLO, phases []phase) []inputSeries {
	if s.Kind == model.Raw {
		return rawSeries(svc, s, phases)
	}
	in := slo.InstrumentationOf(svc)
	ep := endpointOf(svc, s.Endpoints[0])
	lbl := func(base map[string]string, extra ...string) map[string]string {
		m := targetLabels(svc)
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	perStep := func(p phase) float64 { return p.rate * testStep.Seconds() }
	good := func(p phase) float64 { return perStep(p) * (1 - p.bad) }
	bad := func(p phase) float64 { return perStep(p) * p.bad }
	var out []inputSeries
	// A series appears with its label set's first event: every bucket of
	// a histogram child with its first observation, a code's series with
	// its first response of that code.
	add := func(metric string, labels map[string]string, inc, appear func(phase) float64) {
		if values, ok := exportedValues(in, phases, inc, appear); ok {
			out = append(out, inputSeries{seriesLabels(metric, labels), values})
		}
	}
	switch s.Kind {
	case model.Latency:
		le := leValue(time.Duration(s.Threshold).Seconds())
		dl := in.DurationLabels(ep, 200)
		add(in.Duration+"_bucket", lbl(dl, "le", le), good, perStep)
		add(in.Duration+"_bucket", lbl(dl, "le", "+Inf"), perStep, perStep)
		add(in.Duration+"_count", lbl(dl), perStep, perStep)
	default:
		add(in.Requests, lbl(in.RequestLabels(ep, 200)), good, good)
		add(in.Requests, lbl(in.RequestLabels(ep, 500)), bad, bad)
	}
	var total time.Duration
	for _, p := range phases {
		total += p.d
	}
	return append(out, inputSeries{seriesLabels("up", targetLabels(svc)), fmt.Sprintf("1x%d", int(total/testStep))})
}

// upSeries is the up series of svc's first target over phases.
func upSeries(svc model.Service, phases []phase) inputSeries {
	var total time.Duration
	for _, p := range phases {
		total += p.d
	}
	return inputSeries{seriesLabels("up", targetLabels(svc)), fmt.Sprintf("1x%d", int(total/testStep))}
}

// rawSeries returns input series for the selectors of a raw SLO's
// queries, plus up. Each selector of the bad query gets a series of bad
// events matching it. Each selector of the total query that matches none
// of those gets a series of its own: of the good events when the total
// query already reads the bad series (one counter split by a label, or
// good + bad), else of all events (a counter of every event beside one of
// the bad ones). docs/use-with-your-app.md states these shapes.
func rawSeries(svc model.Service, s model.SLO, phases []phase) []inputSeries {
	b, t, err := slo.RawQueries(svc, s, "5m")
	if err != nil {
		return []inputSeries{upSeries(svc, phases)}
	}
	perStep := func(p phase) float64 { return p.rate * testStep.Seconds() }
	good := func(p phase) float64 { return perStep(p) * (1 - p.bad) }
	bad := func(p phase) float64 { return perStep(p) * p.bad }
	in := slo.InstrumentationOf(svc)
	type series struct {
		metric string
		labels map[string]string
	}
	var bads, others []series
	seen := map[string]bool{}
	for _, vs := range b.Selectors {
		l := labelsFor(svc, vs, nil)
		if k := seriesLabels(slo.MetricOf(vs), l); !seen[k] {
			seen[k] = true
			bads = append(bads, series{slo.MetricOf(vs), l})
		}
	}
	includesBad := false
	for _, vs := range t.Selectors {
		matched := false
		for _, bs := range bads {
			matched = matched || selects(vs, bs.metric, bs.labels)
		}
		includesBad = includesBad || matched
		var avoid []*parser.VectorSelector
		if matched {
			avoid = b.Selectors
		}
		l := labelsFor(svc, vs, avoid)
		if k := seriesLabels(slo.MetricOf(vs), l); !seen[k] && !matchesAny(b.Selectors, slo.MetricOf(vs), l) {
			seen[k] = true
			others = append(others, series{slo.MetricOf(vs), l})
		}
	}
	rest := perStep
	if includesBad {
		rest = good
	}
	var out []inputSeries
	add := func(sr series, inc func(phase) float64) {
		if values, ok := exportedValues(in, phases, inc, inc); ok {
			out = append(out, inputSeries{seriesLabels(sr.metric, sr.labels), values})
		}
	}
	for _, sr := range bads {
		add(sr, bad)
	}
	for _, sr := range others {
		add(sr, rest)
	}
	return append(out, upSeries(svc, phases))
}

// labelsFor returns target labels plus a value for every label vs matches
// on; when avoid is given, labels that vs leaves open but avoid's
// selectors constrain take a value those selectors do not match (the good
// series of a counter whose bad ones a label picks out).
func labelsFor(svc model.Service, vs *parser.VectorSelector, avoid []*parser.VectorSelector) map[string]string {
	l := targetLabels(svc)
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName {
			continue
		}
		if v, ok := valueFor(m, true); ok {
			l[m.Name] = v
		}
	}
	for _, a := range avoid {
		for _, m := range a.LabelMatchers {
			if _, set := l[m.Name]; set || m.Name == labels.MetricName {
				continue
			}
			if v, ok := valueFor(m, false); ok {
				l[m.Name] = v
			}
		}
	}
	return l
}

// valueCandidates are label values tried for regular-expression matchers:
// status codes and outcomes as exporters write them.
var valueCandidates = []string{"500", "503", "5xx", "200", "2xx", "SERVER_ERROR", "SUCCESS", "error", "ok", "success", "failure", "failed", "true", "false", "1", "0"}

// goodCandidates are tried first for a value a matcher must not match:
// the label of a good event.
var goodCandidates = []string{"ok", "success", "SUCCESS", "200", "2xx", "false", "0"}

// valueFor returns a value m matches (want) or does not match (!want);
// ok is false when the label is best left off (e.g. a != matcher).
func valueFor(m *labels.Matcher, want bool) (string, bool) {
	switch {
	case m.Type == labels.MatchEqual && want:
		return m.Value, true
	case m.Type == labels.MatchNotEqual || m.Type == labels.MatchNotRegexp:
		return "", false
	}
	var cands []string
	if want {
		cands = strings.Split(strings.Trim(m.Value, "^$()"), "|")
	} else {
		cands = goodCandidates
	}
	cands = append(cands, valueCandidates...)
	for _, c := range cands {
		if c != "" && m.Matches(c) == want {
			return c, true
		}
	}
	return "", false
}

// selects reports whether vs selects the series metric{lbls}.
func selects(vs *parser.VectorSelector, metric string, lbls map[string]string) bool {
	if slo.MetricOf(vs) != metric {
		return false
	}
	for _, m := range vs.LabelMatchers {
		if m.Name != labels.MetricName && !m.Matches(lbls[m.Name]) {
			return false
		}
	}
	return true
}

func matchesAny(vss []*parser.VectorSelector, metric string, lbls map[string]string) bool {
	for _, vs := range vss {
		if selects(vs, metric, lbls) {
			return true
		}
	}
	return false
}

// exportedValues renders a counter growing by inc the way the
// instrumentation exports it: from the start at zero when it
// zero-initialises its series (the registry), else absent ("_") until the
// first phase where appear is positive, like prometheus_client, the
// OpenTelemetry SDK and Micrometer, whose labelled series appear with the
// first request. ok is false for a series that never appears.
func exportedValues(in slo.Instrumentation, phases []phase, inc, appear func(phase) float64) (values string, ok bool) {
	if in.ZeroInit {
		return counterValues(phases, inc), true
	}
	i, steps := 0, 0
	for i < len(phases) && appear(phases[i]) == 0 {
		steps += int(phases[i].d / testStep)
		i++
	}
	switch {
	case i == len(phases):
		return "", false
	case i == 0:
		return counterValues(phases, inc), true
	}
	// "_xN" is N missing samples; the rest starts at 0 on step N, where
	// the zero-initialised form would also read 0.
	return fmt.Sprintf("_x%d %s", steps, counterValues(phases[i:], inc)), true
}

// minutes formats d for eval_time.
func minutes(d time.Duration) string { return dur(d.Truncate(testStep)) }

// stable reports whether format gives the same text for v nudged either
// way, so float noise in the evaluation cannot change an asserted annotation.
func stable(format string, v float64) bool {
	return fmt.Sprintf(format, v*(1+1e-9)) == fmt.Sprintf(format, v*(1-1e-9))
}

// burnAbove is a burn rate about 10% above factor whose annotations print
// stably, and the error ratio it needs (below 100%).
func burnAbove(s model.SLO, factor float64) (burn, ratio float64) {
	budget := s.ErrorBudget()
	for b := math.Ceil(factor*110) / 100; b*budget < 1; b += 0.01 {
		if stable("%.1f", b) && stable("%.4g", (1-b)*100) {
			return b, b * budget
		}
	}
	ratio = (factor*budget + 1) / 2
	return ratio / budget, ratio
}

// burnBelow is a burn rate about 10% below factor.
func burnBelow(factor float64) float64 { return math.Floor(factor*90) / 100 }

// steadyTraffic is the request rate of the generated scenarios: well above
// the SLO's minimum event rate.
func steadyTraffic(s model.SLO) float64 { return math.Max(10, 10*s.MinEventRate) }

// healthTests cover TargetDown and MetricsAbsent: a crash loop and a full
// outage fire TargetDown while one dead replica of two does not; missing
// SLO metrics fire MetricsAbsent while a down target does not; a healthy
// target whose counters never saw a request fires nothing.
func healthTests(st *model.Stack, svc model.Service) []testGroup {
	tl := targetLabels(svc)
	up := seriesLabels("up", tl)
	down, absent := slo.TargetDownAlertName(svc), slo.MetricsAbsentAlertName(svc)
	hr := healthRules(st, svc).Rules
	downLabels := map[string]string{slo.LabelService: svc.Name, slo.LabelTeam: svc.Team}
	for k, v := range hr[0].Labels {
		downLabels[k] = v
	}
	downAnnAt := func(best string) map[string]string {
		a := dropEmpty(hr[0].Annotations)
		a["description"] = strings.ReplaceAll(a["description"], "{{ $value | humanizePercentage }}", best)
		return a
	}
	downAnn := downAnnAt("0%")
	absentLabels := map[string]string{"job": slo.Job(svc)}
	for k, v := range hr[1].Labels {
		absentLabels[k] = v
	}
	absentAnn := dropEmpty(hr[1].Annotations)
	// A second replica, for the test where one of two is down.
	tl2 := targetLabels(svc)
	tl2["instance"] = tl["instance"] + "-replica"
	// 1 scrape in 8 answers, at a 15s scrape interval: up == 0 never lasts
	// 5m, but the service is unreachable most of the time.
	crash := strings.TrimSpace(strings.Repeat("0 0 0 0 0 0 0 1 ", 20))
	return []testGroup{
		{
			Name:        svc.Name + ": every target failing its scrapes for 15m fires " + down + " and clears when they are back, without " + absent,
			Interval:    dur(testStep),
			InputSeries: []inputSeries{{up, "1x10 0x14 1x15"}},
			AlertRuleTests: []alertTest{
				{EvalTime: "12m", Alertname: down, ExpAlerts: []expAlert{}},
				{EvalTime: "20m", Alertname: down, ExpAlerts: []expAlert{{ExpLabels: downLabels, ExpAnnotations: downAnn}}},
				{EvalTime: "30m", Alertname: down, ExpAlerts: []expAlert{}},
				{EvalTime: "24m", Alertname: absent, ExpAlerts: []expAlert{}},
			},
		},
		{
			Name:        svc.Name + ": a crash loop answering 1 scrape in 8 (at 15s) fires " + down,
			Interval:    "15s",
			InputSeries: []inputSeries{{up, crash}},
			AlertRuleTests: []alertTest{
				// (14m, 19m] holds 20 scrapes, of which 2 answered.
				{EvalTime: "19m", Alertname: down, ExpAlerts: []expAlert{{ExpLabels: downLabels, ExpAnnotations: downAnnAt("10%")}}},
			},
		},
		{
			Name:     svc.Name + ": one of two replicas down fires neither " + down + " nor " + absent,
			Interval: dur(testStep),
			InputSeries: append(zeroCounters(svc, tl, "1x40"),
				inputSeries{up, "1x40"}, inputSeries{seriesLabels("up", tl2), "0x40"}),
			AlertRuleTests: []alertTest{
				{EvalTime: "40m", Alertname: down, ExpAlerts: []expAlert{}},
				{EvalTime: "40m", Alertname: absent, ExpAlerts: []expAlert{}},
			},
		},
		{
			Name:     svc.Name + ": SLO metrics missing while the target answers fire " + absent + " after " + dur(MetricsAbsentFor),
			Interval: dur(testStep),
			// Only up: the application exports none of the SLO metrics.
			InputSeries: []inputSeries{{up, "1x40"}},
			AlertRuleTests: []alertTest{
				{EvalTime: "5m", Alertname: absent, ExpAlerts: []expAlert{}},
				{EvalTime: "20m", Alertname: absent, ExpAlerts: []expAlert{{ExpLabels: absentLabels, ExpAnnotations: absentAnn}}},
				{EvalTime: "20m", Alertname: down, ExpAlerts: []expAlert{}},
			},
		},
		{
			Name:     svc.Name + ": no scrape target for 30m fires " + absent + " after " + dur(MetricsAbsentFor) + " and clears when the target is back",
			Interval: dur(testStep),
			InputSeries: append(zeroCounters(svc, tl, "0x10 _x29 0x10"),
				inputSeries{up, "1x10 _x29 1x10"}),
			AlertRuleTests: []alertTest{
				{EvalTime: "20m", Alertname: absent, ExpAlerts: []expAlert{}},
				{EvalTime: "30m", Alertname: absent, ExpAlerts: []expAlert{{ExpLabels: absentLabels, ExpAnnotations: absentAnn}}},
				{EvalTime: "45m", Alertname: absent, ExpAlerts: []expAlert{}},
				{EvalTime: "30m", Alertname: down, ExpAlerts: []expAlert{}},
			},
		},
		{
			Name:        svc.Name + ": a healthy target whose counters never saw a request fires nothing",
			Interval:    dur(testStep),
			InputSeries: append(zeroCounters(svc, tl, "0x40"), inputSeries{up, "1x40"}),
			AlertRuleTests: []alertTest{
				{EvalTime: "40m", Alertname: down, ExpAlerts: []expAlert{}},
				{EvalTime: "40m", Alertname: absent, ExpAlerts: []expAlert{}},
			},
		},
	}
}

// zeroCounters are the series a service that has served no request yet
// exports (values is the promtool notation of their samples): for the
// registry, the request counter of the first endpoint and the threshold
// bucket of each latency SLO, all at zero; for an exporter that exports
// request series only once requests arrive, its always-present series
// (flask_exporter_info, target_info, process_uptime_seconds).
func zeroCounters(svc model.Service, target map[string]string, values string) []inputSeries {
	in := slo.InstrumentationOf(svc)
	if !in.ZeroInit {
		return []inputSeries{{seriesLabels(in.Presence, target), values}}
	}
	ep := model.Endpoint{Name: in.Unmatched, Method: "GET"}
	if len(svc.Endpoints) > 0 {
		ep = svc.Endpoints[0]
	}
	lbl := func(base map[string]string, extra ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range target {
			m[k] = v
		}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	out := []inputSeries{{seriesLabels(in.Requests, lbl(in.RequestLabels(ep, 200))), values}}
	for _, le := range thresholdBuckets(svc) {
		out = append(out, inputSeries{seriesLabels(in.Duration+"_bucket", lbl(in.DurationLabels(ep, 200), "le", le)), values})
	}
	return out
}

// dropEmpty removes empty annotations (a service without a runbook URL).
func dropEmpty(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

func unquote(s string) (string, error) { return strconv.Unquote(s) }
