// Package instrument is the runtime half of the generated metric registry
// (<out>/metrics/<service>), imported by the generated code wherever it is
// built, like protobuf's runtime: the generated code declares a service's metrics
// and endpoint table and hands them to NewRED, which binds every label child
// once at start-up and returns HTTP middleware that labels requests by the
// spec's endpoint name, never by raw path.
//
// Per request the middleware does no map lookups, no label hashing and no
// allocations: each endpoint's handler holds its pre-bound in-flight gauge,
// duration observer and one counter per recorded code, and the status code
// is read through a pooled response writer.
package instrument

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Label values of requests no endpoint of the spec matched. Neither can be
// an endpoint name or a method of the spec, so they never mix with real
// endpoints, and they keep unknown paths to one bounded set of series.
const (
	UnmatchedEndpoint = "_unmatched"
	UnmatchedMethod   = "ANY"
)

// Label names of the RED metrics (the same strings as package compiler/slo).
const (
	labelEndpoint = "endpoint"
	labelMethod   = "method"
	labelCode     = "code"
)

// Endpoint is one HTTP route of a service as the spec declares it.
type Endpoint struct {
	// Name is the value of the endpoint label.
	Name string
	// Method is the HTTP method and the value of the method label.
	Method string
	// Route is the route template, e.g. /products/{id}.
	Route string
	// Sim is how the demo app simulates the endpoint.
	Sim Sim
}

// Sim is the simulated behaviour of an endpoint, from the spec.
type Sim struct {
	// Latency is the median response time.
	Latency time.Duration
	// LatencyP99 is the 99th percentile response time.
	LatencyP99 time.Duration
	// ErrorRate is the share of requests answered with a 5xx.
	ErrorRate float64
	// Weight is the endpoint's share of generated traffic.
	Weight float64
}

// Service describes one service of the spec to generic servers such as the
// demo app, which choose a service by name at run time.
type Service struct {
	Name      string
	Team      string
	Port      int
	AdminPort int
	// Endpoints are indexed by the generated package's Endpoint constants.
	Endpoints []Endpoint
	// StatusCodes are the codes recorded as themselves; any other code is
	// recorded as its class.
	StatusCodes []int
	// LatencyBuckets are the request duration histogram's upper bounds.
	LatencyBuckets []float64
	// NativeHistograms adds native buckets to the duration histogram.
	NativeHistograms bool
	// Metrics are the business metrics; NewInstance creates them.
	Metrics []MetricDesc
}

// Pattern returns the http.ServeMux pattern that serves exactly the
// endpoint's route: a trailing slash would otherwise match a whole subtree.
func (e Endpoint) Pattern() string {
	route := e.Route
	if len(route) > 0 && route[len(route)-1] == '/' {
		route += "{$}"
	}
	return e.Method + " " + route
}

// StatusClientClosedRequest is the code a request is recorded under when
// its client went away (the request's context was canceled) before the
// handler wrote a status, as nginx logs it: the server did not fail, so no
// availability SLO (which counts 5xx) counts it, whatever the handler
// answers into the closed connection.
const StatusClientClosedRequest = 499

// CodeLabels returns every value the code label can take: the status codes
// recorded as themselves, 499 (StatusClientClosedRequest) unless listed,
// then the classes 1xx to 5xx any other code is recorded as.
func CodeLabels(statusCodes []int) []string {
	out := make([]string, 0, len(statusCodes)+6)
	for _, c := range statusCodes {
		out = append(out, strconv.Itoa(c))
	}
	if !slices.Contains(statusCodes, StatusClientClosedRequest) {
		out = append(out, strconv.Itoa(StatusClientClosedRequest))
	}
	for class := 1; class <= 5; class++ {
		out = append(out, strconv.Itoa(class)+"xx")
	}
	return out
}

// RED is the request-rate, error and duration instrumentation of one
// service, with every series bound.
type RED struct {
	endpoints  []Endpoint
	codeLabels []string
	// slot maps a status code (100-999, net/http's range) to its index in
	// bound.requests.
	slot [1000]uint8
	// bound has one entry per endpoint, then one for unmatched requests.
	bound []bound
}

// bound holds the pre-bound children of one endpoint.
type bound struct {
	inFlight prometheus.Gauge
	duration prometheus.Observer
	requests []prometheus.Counter
}

// NewRED binds every child of the RED metrics: each endpoint (and the
// unmatched one) with every code label value, so all these series exist,
// at zero, from start-up on. requests must have the labels endpoint, method
// and code; duration and inFlight endpoint and method.
func NewRED(requests *prometheus.CounterVec, duration prometheus.ObserverVec, inFlight *prometheus.GaugeVec, endpoints []Endpoint, statusCodes []int) (*RED, error) {
	if requests == nil || duration == nil || inFlight == nil {
		return nil, errors.New("instrument: NewRED needs the requests, duration and in-flight metrics")
	}
	codeLabels := CodeLabels(statusCodes)
	if len(codeLabels) > 255 {
		return nil, fmt.Errorf("instrument: %d status codes are more than 250", len(statusCodes))
	}
	r := &RED{endpoints: endpoints, codeLabels: codeLabels}
	classes := len(codeLabels) - 5
	for c := 100; c < len(r.slot); c++ {
		class := min(c/100, 5)
		r.slot[c] = uint8(classes + class - 1)
	}
	for i, c := range statusCodes {
		if c < 100 || c > 599 {
			return nil, fmt.Errorf("instrument: status code %d is not between 100 and 599", c)
		}
		r.slot[c] = uint8(i)
	}
	if !slices.Contains(statusCodes, StatusClientClosedRequest) {
		r.slot[StatusClientClosedRequest] = uint8(len(statusCodes))
	}
	bindOne := func(endpoint, method string) (bound, error) {
		var b bound
		var err error
		epLabels := prometheus.Labels{labelEndpoint: endpoint, labelMethod: method}
		if b.inFlight, err = inFlight.GetMetricWith(epLabels); err != nil {
			return b, fmt.Errorf("instrument: in-flight gauge: %w", err)
		}
		if b.duration, err = duration.GetMetricWith(epLabels); err != nil {
			return b, fmt.Errorf("instrument: duration histogram: %w", err)
		}
		b.requests = make([]prometheus.Counter, len(codeLabels))
		for i, code := range codeLabels {
			l := prometheus.Labels{labelEndpoint: endpoint, labelMethod: method, labelCode: code}
			if b.requests[i], err = requests.GetMetricWith(l); err != nil {
				return b, fmt.Errorf("instrument: requests counter: %w", err)
			}
		}
		return b, nil
	}
	for _, ep := range endpoints {
		b, err := bindOne(ep.Name, ep.Method)
		if err != nil {
			return nil, err
		}
		r.bound = append(r.bound, b)
	}
	b, err := bindOne(UnmatchedEndpoint, UnmatchedMethod)
	if err != nil {
		return nil, err
	}
	r.bound = append(r.bound, b)
	return r, nil
}

// Endpoints returns the service's endpoints, indexed like Wrap's argument.
func (r *RED) Endpoints() []Endpoint { return r.endpoints }

// CodeLabel returns the value of the code label a response with status code
// is recorded under: the code itself when the spec lists it, else its class.
func (r *RED) CodeLabel(code int) string { return r.codeLabels[r.slotOf(code)] }

func (r *RED) slotOf(code int) uint8 {
	if code < 100 || code >= len(r.slot) {
		code = 599 // net/http refuses these; a server bug, so a server error
	}
	return r.slot[code]
}

// Wrap returns next instrumented as the endpoint with index endpoint. It
// panics on an index outside Endpoints(), a programming error found at
// start-up.
func (r *RED) Wrap(endpoint int, next http.Handler) http.Handler {
	if endpoint < 0 || endpoint >= len(r.endpoints) {
		panic(fmt.Sprintf("instrument: endpoint index %d out of range [0, %d)", endpoint, len(r.endpoints)))
	}
	return &handler{red: r, b: &r.bound[endpoint], next: next}
}

// WrapUnmatched returns next instrumented as the unmatched endpoint.
func (r *RED) WrapUnmatched(next http.Handler) http.Handler {
	return &handler{red: r, b: &r.bound[len(r.endpoints)], next: next}
}

// Routes registers handlers[i] for endpoint i on mux under the endpoint's
// method and route template, and unmatched (instrumented as the unmatched
// endpoint) for every other path. Register /metrics and health checks on
// mux directly; more specific patterns win over the catch-all.
func (r *RED) Routes(mux *http.ServeMux, handlers []http.Handler, unmatched http.Handler) (err error) {
	if len(handlers) != len(r.endpoints) {
		return fmt.Errorf("instrument: %d handlers for %d endpoints", len(handlers), len(r.endpoints))
	}
	// ServeMux panics on conflicting patterns (e.g. /a/{x} and /{y}/a),
	// which the spec's own checks do not rule out.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("instrument: %v", p)
		}
	}()
	for i, ep := range r.endpoints {
		if handlers[i] == nil {
			return fmt.Errorf("instrument: endpoint %s has no handler", ep.Name)
		}
		mux.Handle(ep.Pattern(), r.Wrap(i, handlers[i]))
	}
	if unmatched == nil {
		unmatched = http.NotFoundHandler()
	}
	mux.Handle("/", r.WrapUnmatched(unmatched))
	return nil
}

// handler is one endpoint's instrumented handler.
type handler struct {
	red  *RED
	b    *bound
	next http.Handler
}

func (h *handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	h.b.inFlight.Inc()
	start := time.Now()
	rw := getWriter(w, req.Context())
	// Deferred, so a panicking handler is still counted: availability SLOs
	// would otherwise never see the requests that crash.
	defer h.done(rw, start)
	h.next.ServeHTTP(rw, req)
}

// done records the request once the handler returned or panicked. A panic
// is recorded as a 500, whatever was written before, since net/http aborts
// the response; it is then re-raised with its own value so net/http still
// logs it, or stays silent for http.ErrAbortHandler.
func (h *handler) done(rw *responseWriter, start time.Time) {
	p := recover()
	code := rw.code
	switch {
	case p != nil:
		code = http.StatusInternalServerError
	case code == 0 && clientGone(rw.ctx):
		code = StatusClientClosedRequest
	case code == 0:
		code = http.StatusOK // net/http's implicit status
	}
	putWriter(rw)
	h.b.requests[h.red.slotOf(code)].Inc()
	h.b.duration.Observe(time.Since(start).Seconds())
	h.b.inFlight.Dec()
	if p != nil {
		panic(p)
	}
}

// LabelCombinations returns every combination of the given label values,
// the first label varying slowest: the order in which generated code lays
// out a metric's bound children.
func LabelCombinations(values ...[]string) [][]string {
	combos := [][]string{{}}
	for _, vs := range values {
		next := make([][]string, 0, len(combos)*len(vs))
		for _, c := range combos {
			for _, v := range vs {
				next = append(next, append(append(make([]string, 0, len(c)+1), c...), v))
			}
		}
		combos = next
	}
	return combos
}
