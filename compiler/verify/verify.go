// Package verify checks a running app's metrics against the stack built
// from the spec: the live contract check of `stackc verify`, like
// OpenTelemetry Weaver's live-check, for Prometheus expositions.
//
// What the app must export comes from the model and the conventions the
// targets share, never from names written here: the service's
// instrumentation (slo.InstrumentationOf: the generated registry or an
// exporter preset) gives the request and duration families with their
// label names and values, the business metrics their types, labels,
// values, buckets and quantiles, and each raw SLO's PromQL, parsed with
// Prometheus's parser (slo.RawQueries), the series it reads. The check
// reports, one problem each:
//
//   - a family the rules or dashboards read that is missing, or has
//     another type or lacks a label they use;
//   - a missing bucket (le compared as a number, so "0.3" and "0.30" are
//     one bound) — the latency SLOs' thresholds above all;
//   - a label value outside the spec's bounded set, and a raw request path
//     in place of a route (path="/products/123"), with the value to use;
//   - a label the scrape config sets (job, instance, service, team, the
//     spec's static and selector labels), which Prometheus would rename;
//   - more series in a family than the spec's worst case for one target
//     (slo.WorstCaseSeries, which the series budget counts).
//
// Expositions are parsed with expfmt (text format, OpenMetrics, protobuf),
// never by hand; Check never panics on any parsed input (FuzzVerifyExposition).
package verify

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	dto "github.com/prometheus/client_model/go"
	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Problem is one way the exposition breaks the contract.
type Problem struct {
	// Metric is the family or series concerned.
	Metric string
	// Problem says what is wrong; Fix how to put it right.
	Problem, Fix string
}

// Report is the result of checking one service's exposition.
type Report struct {
	Service  string
	Problems []Problem
	// Families and Series count the whole exposition.
	Families, Series int
	// Declared counts the series of the families the spec declares (the
	// ones the series budget counts); WorstCase is the spec's worst case
	// of those for one target, Budget the stack's series budget.
	Declared, WorstCase, Budget int
}

// Line formats a problem as stackc verify prints it.
func (r *Report) Line(p Problem) string {
	return fmt.Sprintf("stackc verify: %s: %s: %s; %s", r.Service, p.Metric, p.Problem, p.Fix)
}

// Summary is the report's last line.
func (r *Report) Summary(source string) string {
	status := "ok"
	if n := len(r.Problems); n > 0 {
		status = fmt.Sprintf("%d problem(s)", n)
	}
	return fmt.Sprintf("stackc verify: %s: %s: %s: %d families, %d series; %d series in the metrics the spec declares, worst case %d per target (stack series budget %d)",
		r.Service, status, source, r.Families, r.Series, r.Declared, r.WorstCase, r.Budget)
}

// Service returns the service named name, or an error listing the known ones.
func Service(st *model.Stack, name string) (model.Service, error) {
	var names []string
	for _, svc := range st.Services {
		if svc.Name == name {
			return svc, nil
		}
		names = append(names, svc.Name)
	}
	return model.Service{}, fmt.Errorf("the spec has no service %q (services: %s)", name, strings.Join(names, ", "))
}

// Check checks the exposition of service against st. The error is for a
// service the spec does not have or a spec the loader should have refused.
func Check(st *model.Stack, service string, exp *Exposition) (*Report, error) {
	svc, err := Service(st, service)
	if err != nil {
		return nil, err
	}
	c, err := newContract(st, svc)
	if err != nil {
		return nil, err
	}
	r := &Report{Service: svc.Name, Budget: st.SeriesBudget, Families: len(exp.Families)}
	ck := &checker{c: c, exp: exp, seen: map[string]bool{}}
	for _, f := range c.families {
		ck.family(f)
	}
	for _, s := range c.selectors {
		ck.selector(s)
	}
	ck.targetLabels()
	ck.seriesCounts(r)
	r.Problems = ck.problems
	return r, nil
}

type checker struct {
	c        *contract
	exp      *Exposition
	problems []Problem
	seen     map[string]bool
}

func (ck *checker) add(metric, problem, fix string) {
	key := metric + "\x00" + problem
	if ck.seen[key] {
		return
	}
	ck.seen[key] = true
	ck.problems = append(ck.problems, Problem{Metric: metric, Problem: problem, Fix: fix})
}

// dtoType maps a spec type to the exposition's.
var dtoType = map[model.MetricType]dto.MetricType{
	model.Counter:   dto.MetricType_COUNTER,
	model.Gauge:     dto.MetricType_GAUGE,
	model.Histogram: dto.MetricType_HISTOGRAM,
	model.Summary:   dto.MetricType_SUMMARY,
}

// typeName names an exposed type for "is ...".
func typeName(t dto.MetricType) string {
	switch t {
	case dto.MetricType_UNTYPED:
		return "untyped (no TYPE line)"
	case dto.MetricType_GAUGE_HISTOGRAM:
		return "a gauge histogram"
	}
	return "a " + strings.ToLower(t.String())
}

func (ck *checker) family(f *family) {
	in := ck.c.in
	mf := ck.exp.Families[f.name]
	if mf == nil {
		if f.afterTraffic {
			ck.add(f.name, "no series: "+in.Preset+" creates them on the first request, and "+f.readBy+" read them",
				"send a request to each endpoint, then verify again; if they still lack, "+f.fix)
			return
		}
		problem := "missing; " + f.readBy + " read it"
		if other := ck.similar(f.name); other != "" {
			problem += fmt.Sprintf(" (the app exports %s)", other)
		}
		ck.add(f.name, problem, f.fix)
		return
	}
	if want := dtoType[f.typ]; mf.GetType() != want {
		fix := fmt.Sprintf("declare it as a %s", f.typ)
		if f.typ == model.Histogram && mf.GetType() == dto.MetricType_SUMMARY {
			fix = "export buckets: " + in.RequiresBucketsHint()
		}
		ck.add(f.name, fmt.Sprintf("is %s, want a %s", typeName(mf.GetType()), f.typ), fix)
		return
	}
	ck.labels(f, mf)
	ck.buckets(f, mf)
	ck.quantiles(f, mf)
	ck.endpoints(f, mf)
}

// similar names an exposed family that looks like a misnamed want: the
// same name without or with _total, or a UTF-8 name (http.server...) that
// escapes to it.
func (ck *checker) similar(name string) string {
	trimmed := strings.TrimSuffix(name, "_total")
	for _, n := range ck.exp.Names() {
		escaped := strings.TrimSuffix(prommodel.EscapeName(n, prommodel.UnderscoreEscaping), "_total")
		if n != name && (strings.TrimSuffix(n, "_total") == trimmed || escaped == trimmed) {
			return n
		}
	}
	return ""
}

func labelMap(m *dto.Metric) map[string]string {
	out := make(map[string]string, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// labels checks the label names and values of every series of f.
func (ck *checker) labels(f *family, mf *dto.MetricFamily) {
	in := ck.c.in
	missing := map[string]int{}
	bad := map[string][]string{}      // label -> distinct values outside the set
	rawPaths := map[string][]string{} // label -> distinct raw paths
	template := map[string]string{}   // label -> a route value to use
	for _, m := range mf.GetMetric() {
		lm := labelMap(m)
		for _, name := range f.labels {
			v, ok := lm[name]
			vs := f.values[name]
			if !ok && !(vs != nil && vs.allowed[""]) {
				missing[name]++
				continue
			}
			if vs == nil || vs.ok(v) {
				continue
			}
			if vs.route != nil {
				if t, isPath := vs.route(v); isPath {
					rawPaths[name] = appendDistinct(rawPaths[name], v)
					template[name] = t
					continue
				}
			}
			bad[name] = appendDistinct(bad[name], v)
		}
		// The exporter's default raw-path label, on the request series.
		if ev := f.values[in.EndpointLabel]; ev != nil && ev.route != nil && in.RawPathLabel != "" && in.RawPathLabel != in.EndpointLabel {
			if v, ok := lm[in.RawPathLabel]; ok {
				rawPaths[in.RawPathLabel] = appendDistinct(rawPaths[in.RawPathLabel], v)
				if t, ok := ev.route(v); ok {
					template[in.RawPathLabel] = t
				}
			}
		}
	}
	// A raw-path label stands in for the route label: report it once, as
	// the cause, and not also the route label it lacks.
	if _, ok := rawPaths[in.RawPathLabel]; ok && in.RawPathLabel != "" {
		delete(missing, in.EndpointLabel)
	}
	for _, name := range sortedKeys(missing) {
		ck.add(f.name, fmt.Sprintf("%d of %d series lack the label %s, which %s read", missing[name], len(mf.GetMetric()), name, f.readBy),
			"export the label "+name+" on every series")
	}
	for _, name := range sortedKeys(rawPaths) {
		values := rawPaths[name]
		use := in.EndpointLabel + "=\"" + template[name] + "\""
		if template[name] == "" {
			use = in.EndpointLabel + " (one of " + f.values[in.EndpointLabel].describe + ")"
		}
		ck.add(f.name, fmt.Sprintf("label %s holds raw request paths (%s): unbounded, one series per path", name, examples(values)),
			fmt.Sprintf("label requests by route template, %s; %s", use, in.RouteHint))
	}
	for _, name := range sortedKeys(bad) {
		vs := f.values[name]
		var why string
		if vs.check != nil {
			why = vs.check(bad[name][0]).Error() + ": "
		}
		ck.add(f.name, fmt.Sprintf("label %s has values outside the spec's set: %s%s", name, why, examples(bad[name])),
			fmt.Sprintf("use only %s, or add the values to the spec", vs.describe))
	}
}

func appendDistinct(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// examples quotes up to three values and counts the rest.
func examples(values []string) string {
	var q []string
	for i, v := range values {
		if i == 3 {
			q = append(q, fmt.Sprintf("and %d more", len(values)-3))
			break
		}
		q = append(q, fmt.Sprintf("%q", v))
	}
	return strings.Join(q, ", ")
}

// buckets checks that every series of a histogram has every required bound.
// Bounds compare as numbers: le="0.3", "0.30" and "3e-1" are one bucket,
// as Prometheus normalises le on ingestion.
func (ck *checker) buckets(f *family, mf *dto.MetricFamily) {
	if len(f.buckets) == 0 || mf.GetType() != dto.MetricType_HISTOGRAM {
		return
	}
	for _, b := range f.buckets {
		lacking := 0
		for _, m := range mf.GetMetric() {
			found := false
			for _, hb := range m.GetHistogram().GetBucket() {
				if hb.GetUpperBound() == b.le {
					found = true
					break
				}
			}
			if !found {
				lacking++
			}
		}
		if lacking == 0 {
			continue
		}
		le := labels.FormatOpenMetricsFloat(b.le)
		fix := fmt.Sprintf("add %s to the histogram's buckets in the app", slo.FormatFloat(b.le))
		if f.name == ck.c.in.Duration && ck.c.in.Preset == slo.Micrometer {
			fix += " (" + ck.c.in.RequiresBucketsHint() + ")"
		}
		ck.add(f.name, fmt.Sprintf("bucket le=%q is missing from %d of %d series; %s", le, lacking, len(mf.GetMetric()), b.why), fix)
	}
}

func (ck *checker) quantiles(f *family, mf *dto.MetricFamily) {
	if len(f.quantiles) == 0 || mf.GetType() != dto.MetricType_SUMMARY {
		return
	}
	for _, q := range f.quantiles {
		lacking := 0
		for _, m := range mf.GetMetric() {
			if !slices.ContainsFunc(m.GetSummary().GetQuantile(), func(x *dto.Quantile) bool { return x.GetQuantile() == q }) {
				lacking++
			}
		}
		if lacking > 0 {
			ck.add(f.name, fmt.Sprintf("quantile %s is missing from %d of %d series; the spec's objectives list it", slo.FormatFloat(q), lacking, len(mf.GetMetric())),
				"export the spec's objectives (the generated registry does)")
		}
	}
}

// endpoints checks that a zero-initialised family has a series for every
// endpoint of the spec: an app built from an older spec lacks the new ones.
func (ck *checker) endpoints(f *family, mf *dto.MetricFamily) {
	if len(f.endpoints) == 0 {
		return
	}
	have := map[string]bool{}
	for _, m := range mf.GetMetric() {
		have[labelMap(m)[ck.c.in.EndpointLabel]] = true
	}
	var lacking []string
	for _, e := range f.endpoints {
		if !have[e] {
			lacking = append(lacking, e)
		}
	}
	if len(lacking) > 0 {
		ck.add(f.name, fmt.Sprintf("no series for the endpoint(s) %s, which the registry exports at zero from start-up", examples(lacking)),
			"rebuild the app with the registry generated from this spec")
	}
}

// selector checks a series a raw SLI reads.
func (ck *checker) selector(s selector) {
	mf, role := ck.seriesFamily(s.series)
	if mf == nil {
		problem := "missing; " + s.readBy + " reads it"
		if other := ck.similar(s.series); other != "" {
			problem += fmt.Sprintf(" (the app exports %s)", other)
		}
		ck.add(s.series, problem, "export it, or change the raw SLO's query")
		return
	}
	if s.rated && role == "" && mf.GetType() == dto.MetricType_GAUGE {
		ck.add(s.series, "is a gauge, but "+s.readBy+" takes its rate", "export it as a counter, or query it without rate()")
	}
	for _, l := range s.labels {
		if !slices.ContainsFunc(mf.GetMetric(), func(m *dto.Metric) bool { _, ok := labelMap(m)[l]; return ok }) {
			ck.add(s.series, fmt.Sprintf("no series has the label %s, which %s matches on", l, s.readBy),
				"export the label, or change the raw SLO's query")
		}
	}
}

// seriesFamily finds the family a series name belongs to: a family of
// that name, or the histogram or summary whose _count, _sum or _bucket it
// is (role names the suffix).
func (ck *checker) seriesFamily(series string) (*dto.MetricFamily, string) {
	if mf := ck.exp.Families[series]; mf != nil {
		switch mf.GetType() {
		case dto.MetricType_COUNTER, dto.MetricType_GAUGE, dto.MetricType_UNTYPED:
			return mf, ""
		case dto.MetricType_SUMMARY:
			return mf, "quantile"
		}
	}
	for _, suffix := range []string{"_count", "_sum", "_bucket"} {
		base, ok := strings.CutSuffix(series, suffix)
		if !ok {
			continue
		}
		mf := ck.exp.Families[base]
		if mf == nil {
			continue
		}
		t := mf.GetType()
		if t == dto.MetricType_HISTOGRAM || t == dto.MetricType_GAUGE_HISTOGRAM || (t == dto.MetricType_SUMMARY && suffix != "_bucket") {
			return mf, suffix
		}
	}
	return nil, ""
}

// targetLabels reports families whose series carry a label the scrape
// config sets: Prometheus keeps the target's and renames the app's to
// exported_<name>, so queries on it read something else.
func (ck *checker) targetLabels() {
	for _, name := range ck.exp.Names() {
		found := map[string]bool{}
		for _, m := range ck.exp.Families[name].GetMetric() {
			for _, l := range m.GetLabel() {
				if ck.c.targetLabels[l.GetName()] {
					found[l.GetName()] = true
				}
			}
		}
		for _, l := range sortedKeys(found) {
			ck.add(name, fmt.Sprintf("carries the label %s, which the scrape config sets (Prometheus renames the app's to exported_%s)", l, l),
				"drop the label from the app; the generated scrape config adds it to every series")
		}
	}
}

// seriesCounts counts the exposed series and compares each declared
// family with the spec's worst case for one target.
func (ck *checker) seriesCounts(r *Report) {
	one := ck.c.svc
	one.Targets = nil // the worst case of one target
	worst := map[string]int{}
	for _, sc := range slo.WorstCaseSeries(&model.Stack{Services: []model.Service{one}}) {
		worst[sc.Metric] += sc.Series
		r.WorstCase += sc.Series
	}
	for _, name := range ck.exp.Names() {
		n := seriesOf(ck.exp.Families[name])
		r.Series += n
		w, declared := worst[name]
		if !declared {
			continue
		}
		r.Declared += n
		if n > w {
			ck.add(name, fmt.Sprintf("%d series, more than the spec's worst case of %d for one target, which the series budget counts", n, w),
				"bound its labels (see the problems above), or declare what the app really exports (endpoints, statusCodes, label values, buckets)")
		}
	}
}

// seriesOf counts the series a family is stored as: one per sample of a
// counter or gauge, buckets (+Inf included) plus _sum and _count per
// histogram, quantiles plus _sum and _count per summary.
func seriesOf(mf *dto.MetricFamily) int {
	n := 0
	for _, m := range mf.GetMetric() {
		switch mf.GetType() {
		case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
			buckets := m.GetHistogram().GetBucket()
			n += len(buckets) + 2
			if len(buckets) == 0 || !math.IsInf(buckets[len(buckets)-1].GetUpperBound(), 1) {
				n++ // +Inf, implicit in the protobuf format
			}
		case dto.MetricType_SUMMARY:
			n += len(m.GetSummary().GetQuantile()) + 2
		default:
			n++
		}
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
