package slo

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/stackc/stackc/compiler/model"
)

// Names of the instrumentation presets a service can choose
// (model.Service.Instrumentation). Registry, the default, is the Go
// registry stackc generates; the others describe existing exporters.
const (
	Registry      = "registry"
	Flask         = "prometheus-flask-exporter"
	OpenTelemetry = "opentelemetry"
	Micrometer    = "micrometer"
)

// Presets lists every instrumentation preset name, the default first.
func Presets() []string { return []string{Registry, Flask, OpenTelemetry, Micrometer} }

// Instrumentation says how a service's HTTP requests are measured: which
// series count them and time them, under which label names, how a route
// and a server error show in them, and what exists before the first
// request. It is the one description every target reads (rules, tests,
// dashboards, the PromQL catalog, the series budget, stackc verify), so
// a preset changes all of them together.
type Instrumentation struct {
	// Preset is the preset's name (Registry, Flask, ...).
	Preset string
	// Requests counts every request: a counter, or a duration
	// histogram's _count. It carries the endpoint, method and code labels.
	Requests string
	// RequestsType is the type the exporter declares for the family of
	// Requests (counter, histogram or summary).
	RequestsType model.MetricType
	// Duration is the request duration histogram's family name.
	Duration string
	// DurationType is the type of the Duration family when it has no
	// buckets configured (Micrometer exports a summary then).
	DurationType model.MetricType
	// DurationHasCode says whether the duration series carry the code
	// label (every preset but the registry).
	DurationHasCode bool
	// InFlight is the gauge of requests being served ("" when none).
	InFlight string
	// EndpointLabel, MethodLabel and CodeLabel name the labels holding the
	// route, the HTTP method and the status code.
	EndpointLabel, MethodLabel, CodeLabel string
	// ExtraLabels are further labels of the request series the rules do
	// not read but the exporter always sets, with their value
	// for a status code (generated tests and fixtures use them).
	ExtraLabels []ExtraLabel
	// ErrorLabel, ErrorOp and ErrorValue select server errors among the
	// request series: code=~"5.." or outcome="SERVER_ERROR".
	ErrorLabel, ErrorOp, ErrorValue string
	// ZeroInit says whether the exporter exports every request series at
	// zero before the first request. Exporters that do not have no request
	// series at all until traffic arrives.
	ZeroInit bool
	// Presence is a series the exporter exports from its start, whatever
	// the traffic; MetricsAbsent checks it when ZeroInit is false.
	Presence string
	// PresenceType is the type the exporter declares for Presence.
	PresenceType model.MetricType
	// DefaultBuckets are the exporter's duration buckets when the spec
	// lists none (nil: the exporter exports no buckets by default).
	DefaultBuckets []float64
	// Unmatched is the endpoint label value of requests no route matches.
	Unmatched string
	// OtherRoutes are further endpoint label values the exporter gives
	// requests outside the spec's routes (Micrometer tags unmapped
	// redirects, 404s and the root path apart).
	OtherRoutes []string
	// OtherMethods are method label values beside the spec's endpoints'
	// methods: the registry's method of unmatched requests, OpenTelemetry's
	// value for methods it does not know.
	OtherMethods []string
	// RawPathLabel is the label an exporter puts the raw request path in
	// unless configured to label by route ("path" for
	// prometheus-flask-exporter without group_by); "" when it has none.
	RawPathLabel string
	// RouteHint says how to make the exporter label requests by their
	// route template, for stackc verify's raw-path problems.
	RouteHint string
	// Source is where the preset's facts are documented.
	Source string
}

// ExtraLabel is a label of the request series beside endpoint, method
// and code, with its value for a response of a status code.
type ExtraLabel struct {
	Name  string
	Value func(code int) string
}

// constant is an extra label value that does not depend on the code.
func constant(v string) func(int) string { return func(int) string { return v } }

// micrometerOutcome is Micrometer's outcome tag for a status code.
func micrometerOutcome(code int) string {
	switch {
	case code < 200:
		return "INFORMATIONAL"
	case code < 300:
		return "SUCCESS"
	case code < 400:
		return "REDIRECTION"
	case code < 500:
		return "CLIENT_ERROR"
	case code < 600:
		return "SERVER_ERROR"
	}
	return "UNKNOWN"
}

// DefaultRegistryBuckets are the duration buckets of the generated registry.
var DefaultRegistryBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// pythonClientBuckets are prometheus_client's Histogram.DEFAULT_BUCKETS,
// which prometheus-flask-exporter uses unless given others.
var pythonClientBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// otelAdvisedBuckets are the explicit bucket boundaries the HTTP semantic
// conventions advise for http.server.request.duration.
var otelAdvisedBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

var presets = map[string]Instrumentation{
	Registry: {
		Preset: Registry, Requests: RequestsTotal, RequestsType: model.Counter,
		Duration: RequestDuration, DurationType: model.Histogram, InFlight: RequestsInFlight,
		EndpointLabel: LabelEndpoint, MethodLabel: LabelMethod, CodeLabel: LabelCode,
		ErrorLabel: LabelCode, ErrorOp: "=~", ErrorValue: "5..",
		ZeroInit: true, Presence: RequestsTotal, PresenceType: model.Counter,
		DefaultBuckets: DefaultRegistryBuckets, Unmatched: UnmatchedEndpoint,
		OtherMethods: []string{UnmatchedMethod},
		RouteHint:    "serve the endpoints through the generated registry (m.HTTP.Routes in Go, metrics.init_app in Python), which labels by endpoint name",
		Source:       "generated by stackc (out/metrics)",
	},
	Flask: {
		Preset: Flask, Requests: "flask_http_request_duration_seconds_count", RequestsType: model.Histogram,
		Duration: "flask_http_request_duration_seconds", DurationType: model.Histogram, DurationHasCode: true,
		EndpointLabel: "url_rule", MethodLabel: "method", CodeLabel: "status",
		ErrorLabel: "status", ErrorOp: "=~", ErrorValue: "5..",
		Presence: "flask_exporter_info", PresenceType: model.Gauge,
		DefaultBuckets: pythonClientBuckets, Unmatched: "None",
		RawPathLabel: "path",
		RouteHint:    "create the exporter with PrometheusMetrics(app, group_by='url_rule'), which labels by the Flask URL rule",
		Source:       "https://github.com/rycus86/prometheus_flask_exporter (README \"Default metrics\", export_defaults in prometheus_flask_exporter/__init__.py)",
	},
	OpenTelemetry: {
		Preset: OpenTelemetry, Requests: "http_server_request_duration_seconds_count", RequestsType: model.Histogram,
		Duration: "http_server_request_duration_seconds", DurationType: model.Histogram, DurationHasCode: true,
		EndpointLabel: "http_route", MethodLabel: "http_request_method", CodeLabel: "http_response_status_code",
		ExtraLabels: []ExtraLabel{{Name: "url_scheme", Value: constant("http")}},
		ErrorLabel:  "http_response_status_code", ErrorOp: "=~", ErrorValue: "5..",
		Presence: "target_info", PresenceType: model.Gauge,
		DefaultBuckets: otelAdvisedBuckets, Unmatched: "",
		// Semantic conventions: a method the instrumentation does not know is recorded as _OTHER.
		OtherMethods: []string{"_OTHER"},
		RouteHint:    "set http.route to the router's template (otelhttp: serve through http.ServeMux patterns or set otelhttp.WithRouteTag / the span's http.route)",
		Source:       "https://opentelemetry.io/docs/specs/semconv/http/http-metrics/ (http.server.request.duration) and https://opentelemetry.io/docs/specs/otel/compatibility/prometheus_and_openmetrics/ (names, units, target_info)",
	},
	Micrometer: {
		Preset: Micrometer, Requests: "http_server_requests_seconds_count", RequestsType: model.Summary,
		Duration: "http_server_requests_seconds", DurationType: model.Summary, DurationHasCode: true,
		EndpointLabel: "uri", MethodLabel: "method", CodeLabel: "status",
		ExtraLabels: []ExtraLabel{{Name: "outcome", Value: micrometerOutcome}, {Name: "exception", Value: constant("none")}},
		ErrorLabel:  "outcome", ErrorOp: "=", ErrorValue: "SERVER_ERROR",
		Presence: "process_uptime_seconds", PresenceType: model.Gauge,
		DefaultBuckets: []float64{}, Unmatched: "UNKNOWN",
		// Spring's uri tag of requests no handler mapping matched.
		OtherRoutes: []string{"REDIRECTION", "NOT_FOUND", "root"},
		RouteHint:   "map the endpoint with a @RequestMapping template (/products/{id}); Spring tags uri with the mapping's pattern, never the raw path",
		Source:      "https://docs.spring.io/spring-boot/reference/actuator/metrics.html (Spring MVC metrics, percentiles-histogram, slo) and https://docs.micrometer.io/micrometer/reference/implementations/prometheus.html",
	},
}

// InstrumentationOf returns the instrumentation of svc; an unknown or
// empty preset (refused by spec validation) reads as the registry.
func InstrumentationOf(svc model.Service) Instrumentation {
	if in, ok := presets[svc.Instrumentation]; ok {
		in.ExtraLabels = slices.Clone(in.ExtraLabels)
		in.OtherRoutes = slices.Clone(in.OtherRoutes)
		in.OtherMethods = slices.Clone(in.OtherMethods)
		in.DefaultBuckets = slices.Clone(in.DefaultBuckets)
		return in
	}
	return InstrumentationOf(model.Service{Instrumentation: Registry})
}

// PresetDefaultBuckets returns the duration buckets of preset when the
// spec lists none (an empty list for Micrometer, which exports none by
// default); nil for an unknown preset.
func PresetDefaultBuckets(preset string) []float64 {
	in, ok := presets[preset]
	if !ok {
		return nil
	}
	return slices.Clone(in.DefaultBuckets)
}

// Bucketed reports whether svc's duration histogram has classic buckets,
// which latency SLOs and the quantile rules need: always for the registry,
// for an exporter when the spec lists (or the preset defaults) buckets.
func (in Instrumentation) Bucketed(svc model.Service) bool {
	return in.Preset == Registry || len(svc.LatencyBuckets) > 0
}

// DurationFamilyType is the type of the duration family of svc as the
// exporter declares it: a histogram with buckets, else DurationType.
func (in Instrumentation) DurationFamilyType(svc model.Service) model.MetricType {
	if in.Bucketed(svc) {
		return model.Histogram
	}
	return in.DurationType
}

var routeParam = regexp.MustCompile(`\{([a-zA-Z_][a-zA-Z0-9_]*)\}`)

// EndpointValue is the endpoint label value the exporter gives requests
// of ep: the endpoint's name for the registry, the Flask URL rule
// (/products/<id>) for prometheus-flask-exporter grouped by url_rule, the
// route template (/products/{id}) for OpenTelemetry and Micrometer.
func (in Instrumentation) EndpointValue(ep model.Endpoint) string {
	switch in.Preset {
	case Registry:
		return ep.Name
	case Flask:
		return routeParam.ReplaceAllString(ep.Route, "<$1>")
	default:
		return ep.Route
	}
}

// CodeValue is the code label value of a response with status code.
func (in Instrumentation) CodeValue(code int) string { return strconv.Itoa(code) }

// RequestLabels are the labels (without target labels) of the request
// series of one response of ep with status code.
func (in Instrumentation) RequestLabels(ep model.Endpoint, code int) map[string]string {
	out := map[string]string{
		in.EndpointLabel: in.EndpointValue(ep),
		in.MethodLabel:   ep.Method,
		in.CodeLabel:     in.CodeValue(code),
	}
	for _, x := range in.ExtraLabels {
		out[x.Name] = x.Value(code)
	}
	return out
}

// DurationLabels are the labels (without target labels and le) of the
// duration series of one response of ep with status code.
func (in Instrumentation) DurationLabels(ep model.Endpoint, code int) map[string]string {
	out := in.RequestLabels(ep, code)
	if !in.DurationHasCode {
		delete(out, in.CodeLabel)
	}
	return out
}

// RequestLabelNames are the label names of the request series, sorted.
func (in Instrumentation) RequestLabelNames() []string {
	return sortedKeys(in.RequestLabels(model.Endpoint{}, 200))
}

// DurationLabelNames are the label names of the duration series (without le), sorted.
func (in Instrumentation) DurationLabelNames() []string {
	return sortedKeys(in.DurationLabels(model.Endpoint{}, 200))
}

// ErrorMatcher is the PromQL matcher selecting server errors among the
// request series.
func (in Instrumentation) ErrorMatcher() string {
	return in.ErrorLabel + in.ErrorOp + strconv.Quote(in.ErrorValue)
}

// RequiresBucketsHint says how to get buckets out of the exporter, for
// errors about a latency SLO on a service without buckets.
func (in Instrumentation) RequiresBucketsHint() string {
	if in.Preset == Micrometer {
		return "Micrometer exports buckets only when configured: set management.metrics.distribution.slo.http.server.requests=300ms (or percentiles-histogram) in the app, and list the same bounds in latencyBuckets"
	}
	return "list the exporter's bucket bounds in latencyBuckets"
}

// Job is the scrape job of svc: its Job field, or its name.
func Job(svc model.Service) string {
	if svc.Job != "" {
		return svc.Job
	}
	return svc.Name
}

// SelectorMatchers are the matchers every query of svc's scraped series
// starts with: job="<job>" and the spec's extra selector labels, sorted
// by name.
func SelectorMatchers(svc model.Service) []string {
	out := []string{"job=" + strconv.Quote(Job(svc))}
	for _, k := range sortedKeys(svc.Selector) {
		out = append(out, k+"="+strconv.Quote(svc.Selector[k]))
	}
	return out
}

// Selector joins SelectorMatchers with ", " for use inside braces.
func Selector(svc model.Service) string { return strings.Join(SelectorMatchers(svc), ",") }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
