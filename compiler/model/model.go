// Package model is the validated description of a monitoring stack.
//
// The spec loader (package spec) produces a *Stack with every default filled
// in and every cross-reference checked; emitters read it and never re-read the
// spec. A Stack marshals to JSON in the same shape as the spec, which is what
// out/stack.json shows.
package model

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	prommodel "github.com/prometheus/common/model"
)

// Stack is the whole monitored system: services, their SLOs and who is alerted.
type Stack struct {
	// Source is the file name of the spec (without its directories); every
	// generated file names it in its header. It is not part of the JSON form.
	Source string `json:"-"`
	// Profile is the build profile the spec was evaluated with ("default" or "demo").
	Profile            string   `json:"profile"`
	ScrapeInterval     Duration `json:"scrapeInterval"`
	EvaluationInterval Duration `json:"evaluationInterval"`
	// SeriesBudget is the most series the whole stack may expose in the worst case.
	SeriesBudget int `json:"seriesBudget"`
	// Labels are static labels (env, cluster, region, ...) every alert and
	// every scrape target of the stack carries.
	Labels   map[string]string `json:"labels"`
	Network  Network           `json:"network"`
	Services []Service         `json:"services"`
	Alerting Alerting          `json:"alerting"`
	// Kubernetes, when set, adds the Kubernetes target (out/kubernetes/).
	Kubernetes *Kubernetes `json:"kubernetes,omitempty"`
	// Ruler, when set, adds the multi-tenant ruler target (out/ruler/).
	Ruler *Ruler `json:"ruler,omitempty"`
	// HA, when set, runs Prometheus as replicas beside an Alertmanager
	// cluster, optionally with Thanos (see HA).
	HA *HA `json:"ha,omitempty"`
	// GoImportPath is the import path of the generated Go registry's index
	// package (the metrics/ directory of the output). It is a build setting,
	// not part of the spec: the build derives it from the go.mod enclosing
	// the output directory, or takes it from a flag; empty means the
	// registry's default.
	GoImportPath string `json:"-"`
}

// Clone returns a deep copy of st, made through its JSON form: that form is
// complete by construction (out/stack.json is it), so the copy shares no
// slice or map with st and an emitter may rewrite it freely.
func (st *Stack) Clone() (*Stack, error) {
	data, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	var c Stack
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	c.Source = st.Source
	c.GoImportPath = st.GoImportPath // a build setting, not in the JSON form
	return &c, nil
}

// Network says where the stack's servers listen. Every address defaults to
// loopback; exposing a port beyond the machine needs an explicit spec entry.
type Network struct {
	BindAddress      string `json:"bindAddress"`
	PrometheusPort   int    `json:"prometheusPort"`
	AlertmanagerPort int    `json:"alertmanagerPort"`
	GrafanaPort      int    `json:"grafanaPort"`
	InboxPort        int    `json:"inboxPort"`
	// GrafanaURL is the external URL alert annotations link dashboards to.
	GrafanaURL string `json:"grafanaURL"`
}

// Service is one scraped application.
type Service struct {
	Name string `json:"name"`
	Team string `json:"team"`
	// Port serves the application's endpoints and /metrics.
	Port int `json:"port"`
	// AdminPort serves the demo app's fault-injection API, on loopback only.
	AdminPort int `json:"adminPort"`
	// Targets are the scrape targets (host:port); defaults to the bind address and Port.
	Targets []string `json:"targets"`
	// RunbookURL is the base URL of the service's runbooks; alerts append #<alert>.
	RunbookURL string `json:"runbookURL"`
	// Labels are the static labels of this service's alerts and scrape
	// targets: the stack's Labels plus the service's own, which win over
	// the stack's (the spec loader merges them).
	Labels map[string]string `json:"labels"`
	// Instrumentation names the exporter that measures the service's HTTP
	// requests: "registry" (the Go registry stackc generates) or a preset
	// of an existing exporter (see package slo: Presets, InstrumentationOf).
	Instrumentation string `json:"instrumentation"`
	// Job is the scrape job the service's series carry; defaults to Name.
	Job string `json:"job"`
	// Selector are further label matchers (name: value) every query of the
	// service's scraped series carries, e.g. { namespace: 'shop' }; the
	// generated scrape config sets them as target labels.
	Selector map[string]string `json:"selector"`
	// LatencyBuckets are the upper bounds, in seconds, of the request duration histogram.
	LatencyBuckets []float64 `json:"latencyBuckets"`
	// NativeHistograms adds native (sparse) buckets to the duration histogram.
	NativeHistograms bool `json:"nativeHistograms"`
	// Language is what the service is written in, "go" (the default) or
	// "python": which registry the build generates for it.
	Language string `json:"language"`
	// StatusCodes are the response codes recorded as themselves; others are
	// recorded as their class ("2xx" ... "5xx").
	StatusCodes []int      `json:"statusCodes"`
	Endpoints   []Endpoint `json:"endpoints"`
	Metrics     []Metric   `json:"metrics"`
	SLOs        []SLO      `json:"slos"`
}

// Languages of Service.Language.
const (
	Go     = "go"
	Python = "python"
)

// Endpoint is one HTTP route of a service.
type Endpoint struct {
	Name   string `json:"name"`
	Method string `json:"method"`
	// Route is the route template, e.g. /products/{id}. Requests are
	// labelled with the endpoint's Name, never with the raw request path.
	Route string `json:"route"`
	Sim   Sim    `json:"sim"`
}

// Sim is how the demo app simulates an endpoint.
type Sim struct {
	// Latency is the median response time.
	Latency Duration `json:"latency"`
	// LatencyP99 is the 99th percentile response time (a log-normal tail).
	LatencyP99 Duration `json:"latencyP99"`
	// ErrorRate is the share of requests answered with a 5xx, in [0, 1].
	ErrorRate float64 `json:"errorRate"`
	// Weight is the endpoint's share of the load generator's traffic.
	Weight float64 `json:"weight"`
}

// MetricType is a Prometheus metric type.
type MetricType string

const (
	Counter   MetricType = "counter"
	Gauge     MetricType = "gauge"
	Histogram MetricType = "histogram"
	Summary   MetricType = "summary"
)

// Metric is a business metric of a service, beside the automatic RED metrics.
type Metric struct {
	Name   string     `json:"name"`
	Type   MetricType `json:"type"`
	Help   string     `json:"help"`
	Labels []Label    `json:"labels"`
	// Unit is the base unit ("seconds", "bytes", "euros", ...) used by dashboards.
	Unit    string    `json:"unit"`
	Buckets []float64 `json:"buckets,omitempty"`
	// Objectives are a summary's quantiles and their allowed errors.
	Objectives []Objective `json:"objectives,omitempty"`
}

// Label is a metric label with its complete, bounded set of values.
type Label struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// Objective is one quantile of a summary.
type Objective struct {
	Quantile float64 `json:"quantile"`
	Error    float64 `json:"error"`
}

// SLOKind says what an SLO counts as a bad event.
type SLOKind string

const (
	// Availability counts 5xx responses as bad.
	Availability SLOKind = "availability"
	// Latency counts responses slower than Threshold as bad.
	Latency SLOKind = "latency"
	// Raw counts the events of the SLO's own PromQL: Bad among Total.
	Raw SLOKind = "raw"
)

// SLO is a service level objective over one or several endpoints of a service.
type SLO struct {
	Name        string   `json:"name"`
	Kind        SLOKind  `json:"kind"`
	Description string   `json:"description"`
	Endpoints   []string `json:"endpoints"`
	// Objective is the target share of good events, in percent (e.g. 99.9).
	Objective float64 `json:"objective"`
	// Period is the SLO window: 7d, 28d or 30d.
	Period Duration `json:"period"`
	// Threshold is the latency bound of a latency SLO (a bucket boundary).
	Threshold Duration `json:"threshold,omitempty"`
	// Bad and Total are a raw SLO's PromQL for the rate of bad events and
	// of all events, with the window written as {{.window}}.
	Bad   string `json:"bad,omitempty"`
	Total string `json:"total,omitempty"`
	// MinEventRate is the request rate (per second, over an alert's long
	// window) below which burn-rate alerts stay quiet.
	MinEventRate float64 `json:"minEventRate"`
	// MinBadEvents is the number of bad events within an alert's long window
	// that lets a tier fire even below MinEventRate, so a complete outage of
	// a quiet endpoint still alerts.
	MinBadEvents float64 `json:"minBadEvents"`
	// DisabledTiers lists burn-rate tiers (see package slo) not to alert on.
	DisabledTiers []string `json:"disabledTiers"`
}

// Target returns the SLO's objective as a ratio in (0, 1).
func (s SLO) Target() float64 { return s.Objective / 100 }

// ErrorBudget returns the share of events allowed to be bad, in (0, 1).
//
// It is computed as (100 - objective) / 100, not 1 - objective/100, so that
// objectives with many nines keep their precision.
func (s SLO) ErrorBudget() float64 { return (100 - s.Objective) / 100 }

// Alerting is the Alertmanager side: receivers and the route tree.
type Alerting struct {
	// DefaultReceiver receives every alert no route matches.
	DefaultReceiver string     `json:"defaultReceiver"`
	GroupBy         []string   `json:"groupBy"`
	GroupWait       Duration   `json:"groupWait"`
	GroupInterval   Duration   `json:"groupInterval"`
	RepeatInterval  Duration   `json:"repeatInterval"`
	Receivers       []Receiver `json:"receivers"`
	Routes          []Route    `json:"routes"`
}

// ReceiverType is the kind of notification integration.
type ReceiverType string

const (
	Webhook   ReceiverType = "webhook"
	Email     ReceiverType = "email"
	Slack     ReceiverType = "slack"
	PagerDuty ReceiverType = "pagerduty"
)

// Receiver is a notification target. Secrets are only ever file references.
type Receiver struct {
	Name string       `json:"name"`
	Type ReceiverType `json:"type"`
	// URL is a webhook's URL (not secret); URLFile holds it when it is.
	URL     string `json:"url,omitempty"`
	URLFile string `json:"urlFile,omitempty"`
	// Email.
	To               string `json:"to,omitempty"`
	From             string `json:"from,omitempty"`
	Smarthost        string `json:"smarthost,omitempty"`
	AuthUsername     string `json:"authUsername,omitempty"`
	AuthPasswordFile string `json:"authPasswordFile,omitempty"`
	// Slack.
	APIURLFile string `json:"apiURLFile,omitempty"`
	Channel    string `json:"channel,omitempty"`
	// PagerDuty.
	RoutingKeyFile string `json:"routingKeyFile,omitempty"`
	// SendResolved also notifies when an alert resolves.
	SendResolved bool `json:"sendResolved"`
}

// Route sends alerts whose labels equal Match to Receiver.
type Route struct {
	Match    map[string]string `json:"match"`
	Receiver string            `json:"receiver"`
	// Continue keeps matching later sibling routes after this one matched.
	Continue       bool      `json:"continue"`
	GroupWait      *Duration `json:"groupWait,omitempty"`
	GroupInterval  *Duration `json:"groupInterval,omitempty"`
	RepeatInterval *Duration `json:"repeatInterval,omitempty"`
}

// Duration is a Prometheus-style duration ("300ms", "5m", "30d") that
// marshals back to the same form.
type Duration time.Duration

// ParseDuration parses a Prometheus duration string.
func ParseDuration(s string) (Duration, error) {
	d, err := prommodel.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration like 300ms, 5m or 30d", s)
	}
	return Duration(d), nil
}

// String formats d the way Prometheus does ("1h30m", "30d", "250ms").
func (d Duration) String() string { return prommodel.Duration(d).String() }

// Seconds returns d in seconds.
func (d Duration) Seconds() float64 { return time.Duration(d).Seconds() }

// MarshalJSON writes d as a duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(d.String())), nil }

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("want a duration string like \"5m\", got %s", b)
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// StaticLabelNames returns the names of every static label of the stack
// and its services, sorted.
func (st *Stack) StaticLabelNames() []string {
	seen := map[string]bool{}
	for k := range st.Labels {
		seen[k] = true
	}
	for _, svc := range st.Services {
		for k := range svc.Labels {
			seen[k] = true
		}
	}
	names := make([]string, 0, len(seen))
	for k := range seen {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
