package verify

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/promlint"
	"github.com/stackc/stackc/compiler/slo"
)

// family is a metric family the service must expose because the
// generated rules or dashboards read it, derived from the model and the
// conventions (slo.Instrumentation, the business metrics) exactly as the
// targets derive their queries.
type family struct {
	name string
	typ  model.MetricType
	// labels are the label names every series carries (le and quantile aside).
	labels []string
	// values bounds some labels' values.
	values map[string]*valueSet
	// buckets are the le bounds every series must have.
	buckets []bucket
	// quantiles are the quantiles every series of a summary must have.
	quantiles []float64
	// readBy says what reads the family, for the problems' text.
	readBy string
	// fix says how to make the app export the family.
	fix string
	// afterTraffic: the exporter creates the family's series on the first
	// request (no zero initialisation), so a quiet app lacks it.
	afterTraffic bool
	// endpoints, when set, are the endpoint label values a zero-initialised
	// family must hold: one per spec endpoint.
	endpoints []string
}

// bucket is a required le bound and what needs it.
type bucket struct {
	le  float64
	why string
}

// valueSet is the bounded set of values of one label.
type valueSet struct {
	allowed map[string]bool
	// route, for the endpoint label, recognises raw request paths and
	// names the route template to use instead.
	route func(value string) (template string, ok bool)
	// check, when set, replaces allowed for values outside it: nil when
	// the value is acceptable, else what is wrong with it.
	check func(value string) error
	// describe lists the allowed values for a problem's fix.
	describe string
}

func (v *valueSet) ok(value string) bool {
	if v.allowed[value] {
		return true
	}
	if v.check != nil {
		return v.check(value) == nil
	}
	return false
}

func setOf(values ...string) map[string]bool {
	out := map[string]bool{}
	for _, v := range values {
		out[v] = true
	}
	return out
}

// selector is a series a raw SLI's PromQL reads.
type selector struct {
	series string
	// labels are the label names it matches on (target labels aside).
	labels []string
	// rated: the query takes rate(), irate() or increase() of it, so it
	// must be a counter (or a histogram's or summary's _count, _sum, _bucket).
	rated  bool
	readBy string
}

// contract is everything one service's exposition must satisfy.
type contract struct {
	svc       model.Service
	in        slo.Instrumentation
	families  []*family
	selectors []selector
	// targetLabels are set by the scrape config; the app must not export them.
	targetLabels map[string]bool
}

var statusCode = regexp.MustCompile(`^[1-5][0-9][0-9]$`)
var statusClass = regexp.MustCompile(`^[1-5]xx$`)

// httpMethods are the methods of RFC 9110 and PATCH: a bounded set any
// exporter may record for requests outside the spec's endpoints.
var httpMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}

func newContract(st *model.Stack, svc model.Service) (*contract, error) {
	in := slo.InstrumentationOf(svc)
	c := &contract{svc: svc, in: in, targetLabels: map[string]bool{}}
	for _, l := range promlint.TargetLabels {
		c.targetLabels[l] = true
	}
	for k := range svc.Labels {
		c.targetLabels[k] = true
	}
	for k := range svc.Selector {
		c.targetLabels[k] = true
	}

	endpointSet := c.endpointValues()
	methods := &valueSet{allowed: setOf(in.OtherMethods...), describe: "the spec's methods or an HTTP method"}
	for _, ep := range svc.Endpoints {
		methods.allowed[ep.Method] = true
	}
	methods.check = func(v string) error {
		if slices.Contains(httpMethods, v) {
			return nil
		}
		return fmt.Errorf("%q is not an HTTP method", v)
	}
	codes := &valueSet{allowed: map[string]bool{}, describe: "a status code such as 200"}
	codes.check = func(v string) error {
		if statusCode.MatchString(v) || (in.Preset == slo.Registry && statusClass.MatchString(v)) {
			return nil
		}
		return fmt.Errorf("%q is not a status code", v)
	}
	requestValues := map[string]*valueSet{in.EndpointLabel: endpointSet, in.MethodLabel: methods, in.CodeLabel: codes}

	var sloNames []string
	for _, s := range svc.SLOs {
		if s.Kind != model.Raw {
			sloNames = append(sloNames, s.Name)
		}
	}
	redReaders := "the RED rules and the overview dashboard"
	if len(sloNames) > 0 {
		redReaders += " and the SLO rules of " + strings.Join(sloNames, ", ")
	}
	var eps []string
	for _, ep := range svc.Endpoints {
		eps = append(eps, in.EndpointValue(ep))
	}

	// The request series: a counter of their own, or the duration
	// family's _count.
	durationType := in.DurationFamilyType(svc)
	duration := &family{
		name: in.Duration, typ: durationType, labels: in.DurationLabelNames(), values: requestValues,
		readBy: redReaders, afterTraffic: !in.ZeroInit,
	}
	if durationType == model.Histogram {
		duration.buckets = c.latencyBuckets()
	}
	if familyName(in.Requests, in.RequestsType) == in.Duration {
		duration.labels = union(duration.labels, in.RequestLabelNames())
		duration.fix = "instrument the endpoints with " + in.Preset
	} else {
		c.families = append(c.families, &family{
			name: in.Requests, typ: in.RequestsType, labels: in.RequestLabelNames(), values: requestValues,
			readBy: redReaders, afterTraffic: !in.ZeroInit, fix: "instrument the endpoints with " + in.Preset,
		})
		duration.fix = "instrument the endpoints with " + in.Preset
	}
	c.families = append(c.families, duration)
	if in.ZeroInit {
		for _, f := range c.families {
			f.endpoints = eps
		}
	}
	if in.InFlight != "" {
		c.families = append(c.families, &family{
			name: in.InFlight, typ: model.Gauge, labels: []string{in.EndpointLabel, in.MethodLabel},
			values: requestValues, readBy: "the overview dashboard", fix: "instrument the endpoints with " + in.Preset,
		})
	}
	if in.Presence != in.Requests {
		c.families = append(c.families, &family{
			name: in.Presence, typ: in.PresenceType, readBy: slo.MetricsAbsentAlertName(svc) + " (it tells a quiet app from a broken one)",
			fix: in.Preset + " exports it from start-up; check that the exporter is installed",
		})
	}

	for _, m := range svc.Metrics {
		f := &family{name: m.Name, typ: m.Type, values: map[string]*valueSet{}, readBy: "the overview dashboard",
			fix: "export it with the spec's type and labels (the generated registry does)"}
		for _, l := range m.Labels {
			f.labels = append(f.labels, l.Name)
			f.values[l.Name] = &valueSet{allowed: setOf(l.Values...), describe: strings.Join(l.Values, ", ")}
		}
		for _, b := range m.Buckets {
			f.buckets = append(f.buckets, bucket{le: b, why: "the spec's buckets of " + m.Name})
		}
		for _, o := range m.Objectives {
			f.quantiles = append(f.quantiles, o.Quantile)
		}
		c.families = append(c.families, f)
	}

	for _, s := range svc.SLOs {
		if s.Kind != model.Raw {
			continue
		}
		bad, total, err := slo.RawQueries(svc, s, "5m")
		if err != nil {
			return nil, fmt.Errorf("raw SLO %s: %w", s.Name, err)
		}
		for _, q := range []slo.RawQuery{bad, total} {
			c.addSelectors(c.rawSelectors(q.Expr, "raw SLO "+s.Name))
		}
	}
	return c, nil
}

// endpointValues is the bounded set of the endpoint label: the spec's
// endpoints as the instrumentation labels them, and the values of
// requests outside them. A raw path matching an endpoint's route names
// the value to use.
func (c *contract) endpointValues() *valueSet {
	in := c.in
	vs := &valueSet{allowed: setOf(in.OtherRoutes...)}
	vs.allowed[in.Unmatched] = true
	var shown []string
	type route struct {
		re    *regexp.Regexp
		value string
	}
	var routes []route
	for _, ep := range c.svc.Endpoints {
		v := in.EndpointValue(ep)
		vs.allowed[v] = true
		shown = append(shown, v)
		routes = append(routes, route{routeRegexp(ep.Route), v})
	}
	vs.describe = strings.Join(shown, ", ")
	vs.route = func(value string) (string, bool) {
		for _, r := range routes {
			if r.re.MatchString(value) {
				return r.value, true
			}
		}
		return "", false
	}
	return vs
}

var routeParam = regexp.MustCompile(`\{[^/{}]+\}`)

// routeRegexp matches the request paths of a route template: each {param}
// stands for one path segment.
func routeRegexp(route string) *regexp.Regexp {
	parts := routeParam.Split(route, -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, "[^/]+") + "/?$")
}

// latencyBuckets are the duration histogram's required bounds: the
// spec's latencyBuckets, each latency SLO threshold named by its SLO.
func (c *contract) latencyBuckets() []bucket {
	var out []bucket
	for _, b := range c.svc.LatencyBuckets {
		why := "listed in latencyBuckets"
		for _, s := range c.svc.SLOs {
			if s.Kind == model.Latency && time.Duration(s.Threshold).Seconds() == b {
				why = fmt.Sprintf("the latency SLO %s counts requests within its %s threshold with it", s.Name, s.Threshold)
				break
			}
		}
		out = append(out, bucket{le: b, why: why})
	}
	return out
}

// rawSelectors are the series a raw SLI query reads, with the labels it
// matches on beside the service's scope (job and selector), which the
// scrape config sets.
func (c *contract) rawSelectors(expr parser.Expr, readBy string) []selector {
	var out []selector
	parser.Inspect(expr, func(n parser.Node, path []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		sel := selector{series: slo.MetricOf(vs), readBy: readBy}
		for _, m := range vs.LabelMatchers {
			if m.Name == labels.MetricName || c.targetLabels[m.Name] {
				continue
			}
			sel.labels = append(sel.labels, m.Name)
		}
		// The selector's parents, innermost last: [..., Call, MatrixSelector].
		for i := len(path) - 1; i >= 0; i-- {
			if call, ok := path[i].(*parser.Call); ok {
				switch call.Func.Name {
				case "rate", "irate", "increase":
					sel.rated = true
				}
				break
			}
		}
		out = append(out, sel)
		return nil
	})
	return out
}

// addSelectors adds selectors, merging those of one series: one problem
// per series, naming every raw SLO that reads it.
func (c *contract) addSelectors(sels []selector) {
	for _, s := range sels {
		i := slices.IndexFunc(c.selectors, func(o selector) bool { return o.series == s.series })
		if i < 0 {
			c.selectors = append(c.selectors, s)
			continue
		}
		o := &c.selectors[i]
		o.labels = union(o.labels, s.labels)
		o.rated = o.rated || s.rated
		if !strings.Contains(", "+o.readBy+", ", ", "+s.readBy+", ") {
			o.readBy += ", " + s.readBy
		}
	}
}

// familyName is the family a series of a metric type belongs to: a
// histogram's or summary's _count, _sum and _bucket belong to the base name.
func familyName(series string, typ model.MetricType) string {
	if typ == model.Histogram || typ == model.Summary {
		for _, suffix := range []string{"_count", "_sum", "_bucket"} {
			if base, ok := strings.CutSuffix(series, suffix); ok {
				return base
			}
		}
	}
	return series
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}
