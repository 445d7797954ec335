package instrument

import (
	"fmt"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// RED metric names (the same strings as package compiler/slo).
const (
	requestsTotal    = "http_requests_total"
	requestDuration  = "http_request_duration_seconds"
	requestsInFlight = "http_requests_in_flight"
)

// Metric types of MetricDesc.Type.
const (
	Counter   = "counter"
	Gauge     = "gauge"
	Histogram = "histogram"
	Summary   = "summary"
)

// MetricDesc describes a business metric of a service as the spec declares
// it: what a generic server needs to create it without the typed package.
type MetricDesc struct {
	Name, Help string
	// Type is Counter, Gauge, Histogram or Summary.
	Type string
	// Labels are the metric's labels with every value each may take.
	Labels  []LabelDesc
	Buckets []float64
	// Objectives are a summary's quantiles and their allowed errors.
	Objectives map[float64]float64
}

// LabelDesc is a label with its complete, bounded set of values.
type LabelDesc struct {
	Name   string
	Values []string
}

// Instance is a service's metrics created from its description alone, for
// servers that pick a service at run time and cannot import its typed
// package: the RED instrumentation and every business metric, all series
// bound at zero. It exposes exactly what the typed package's New does.
type Instance struct {
	Service Service
	HTTP    *RED
	metrics map[string]*Metric
}

// Metric is one business metric of an Instance with every label
// combination bound.
type Metric struct {
	Desc MetricDesc
	// children are in LabelCombinations order; an unlabelled metric has one.
	children []prometheus.Collector
}

// NewInstance creates every metric of svc, registers it with reg (unless
// reg is nil) and binds every label combination.
func NewInstance(reg prometheus.Registerer, svc Service) (*Instance, error) {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: requestsTotal,
		Help: "Requests served, by endpoint, method and status code.",
	}, []string{labelEndpoint, labelMethod, labelCode})
	hopts := prometheus.HistogramOpts{
		Name:    requestDuration,
		Help:    "Time to serve a request, by endpoint and method.",
		Buckets: svc.LatencyBuckets,
	}
	if svc.NativeHistograms {
		hopts.NativeHistogramBucketFactor = 1.1
		hopts.NativeHistogramMaxBucketNumber = 160
		hopts.NativeHistogramMinResetDuration = nativeMinReset
	}
	duration := prometheus.NewHistogramVec(hopts, []string{labelEndpoint, labelMethod})
	inFlight := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: requestsInFlight,
		Help: "Requests being served, by endpoint and method.",
	}, []string{labelEndpoint, labelMethod})
	red, err := NewRED(requests, duration, inFlight, svc.Endpoints, svc.StatusCodes)
	if err != nil {
		return nil, err
	}
	in := &Instance{Service: svc, HTTP: red, metrics: map[string]*Metric{}}
	collectors := []prometheus.Collector{requests, duration, inFlight}
	for _, d := range svc.Metrics {
		m, c, err := newMetric(d)
		if err != nil {
			return nil, fmt.Errorf("instrument: service %s: %w", svc.Name, err)
		}
		in.metrics[d.Name] = m
		collectors = append(collectors, c)
	}
	if reg != nil {
		for _, c := range collectors {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("registering the %s metrics: %w", svc.Name, err)
			}
		}
	}
	return in, nil
}

func newMetric(d MetricDesc) (*Metric, prometheus.Collector, error) {
	names := make([]string, len(d.Labels))
	values := make([][]string, len(d.Labels))
	for i, l := range d.Labels {
		names[i], values[i] = l.Name, l.Values
	}
	m := &Metric{Desc: d}
	if len(d.Labels) == 0 {
		var c prometheus.Collector
		switch d.Type {
		case Counter:
			c = prometheus.NewCounter(prometheus.CounterOpts{Name: d.Name, Help: d.Help})
		case Gauge:
			c = prometheus.NewGauge(prometheus.GaugeOpts{Name: d.Name, Help: d.Help})
		case Histogram:
			c = prometheus.NewHistogram(prometheus.HistogramOpts{Name: d.Name, Help: d.Help, Buckets: d.Buckets})
		case Summary:
			c = prometheus.NewSummary(prometheus.SummaryOpts{Name: d.Name, Help: d.Help, Objectives: d.Objectives})
		default:
			return nil, nil, fmt.Errorf("metric %s: unknown type %q", d.Name, d.Type)
		}
		m.children = []prometheus.Collector{c}
		return m, c, nil
	}
	var vec interface {
		prometheus.Collector
		child(values []string) prometheus.Collector
	}
	switch d.Type {
	case Counter:
		vec = counterVec{prometheus.NewCounterVec(prometheus.CounterOpts{Name: d.Name, Help: d.Help}, names)}
	case Gauge:
		vec = gaugeVec{prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: d.Name, Help: d.Help}, names)}
	case Histogram:
		vec = histogramVec{prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: d.Name, Help: d.Help, Buckets: d.Buckets}, names)}
	case Summary:
		vec = summaryVec{prometheus.NewSummaryVec(prometheus.SummaryOpts{Name: d.Name, Help: d.Help, Objectives: d.Objectives}, names)}
	default:
		return nil, nil, fmt.Errorf("metric %s: unknown type %q", d.Name, d.Type)
	}
	for _, combo := range LabelCombinations(values...) {
		m.children = append(m.children, vec.child(combo))
	}
	return m, vec, nil
}

type counterVec struct{ *prometheus.CounterVec }

func (v counterVec) child(vs []string) prometheus.Collector { return v.WithLabelValues(vs...) }

type gaugeVec struct{ *prometheus.GaugeVec }

func (v gaugeVec) child(vs []string) prometheus.Collector { return v.WithLabelValues(vs...) }

type histogramVec struct{ *prometheus.HistogramVec }

func (v histogramVec) child(vs []string) prometheus.Collector {
	return v.WithLabelValues(vs...).(prometheus.Histogram)
}

type summaryVec struct{ *prometheus.SummaryVec }

func (v summaryVec) child(vs []string) prometheus.Collector {
	return v.WithLabelValues(vs...).(prometheus.Summary)
}

// Metric returns the business metric named name, and false if the service
// has none.
func (in *Instance) Metric(name string) (*Metric, bool) {
	m, ok := in.metrics[name]
	return m, ok
}

// child returns the child of the given label values, or an error naming
// the values the spec allows.
func (m *Metric) child(values []string) (prometheus.Collector, error) {
	if len(values) != len(m.Desc.Labels) {
		return nil, fmt.Errorf("metric %s has %d labels, got %d values", m.Desc.Name, len(m.Desc.Labels), len(values))
	}
	i := 0
	for j, l := range m.Desc.Labels {
		k := slices.Index(l.Values, values[j])
		if k < 0 {
			return nil, fmt.Errorf("metric %s: %q is not a value of label %s (the spec's values: %q)", m.Desc.Name, values[j], l.Name, l.Values)
		}
		i = i*len(l.Values) + k
	}
	return m.children[i], nil
}

// Counter returns the counter child of the given label values. A value
// outside the spec's, or a metric that is not a counter, is an error.
func (m *Metric) Counter(values ...string) (prometheus.Counter, error) {
	c, err := m.child(values)
	if err != nil {
		return nil, err
	}
	if cc, ok := c.(prometheus.Counter); ok && m.Desc.Type == Counter {
		return cc, nil
	}
	return nil, fmt.Errorf("metric %s is a %s, not a counter", m.Desc.Name, m.Desc.Type)
}

// Gauge returns the gauge child of the given label values.
func (m *Metric) Gauge(values ...string) (prometheus.Gauge, error) {
	c, err := m.child(values)
	if err != nil {
		return nil, err
	}
	if g, ok := c.(prometheus.Gauge); ok && m.Desc.Type == Gauge {
		return g, nil
	}
	return nil, fmt.Errorf("metric %s is a %s, not a gauge", m.Desc.Name, m.Desc.Type)
}

// Observer returns the histogram or summary child of the given label values.
func (m *Metric) Observer(values ...string) (prometheus.Observer, error) {
	c, err := m.child(values)
	if err != nil {
		return nil, err
	}
	if o, ok := c.(prometheus.Observer); ok && (m.Desc.Type == Histogram || m.Desc.Type == Summary) {
		return o, nil
	}
	return nil, fmt.Errorf("metric %s is a %s, not a histogram or summary", m.Desc.Name, m.Desc.Type)
}

// nativeMinReset is how often native histograms may reset to stay within
// their bucket limit, as in the generated code.
const nativeMinReset = time.Hour
