package spec

import (
	"fmt"
	"time"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Defaults of the two profiles. The demo profile shortens every interval so
// that a broken endpoint pages within seconds on a laptop.
type profileDefaults struct {
	scrape, evaluation                       time.Duration
	groupWait, groupInterval, repeatInterval time.Duration
}

var profileDefaultsByName = map[string]profileDefaults{
	"default": {scrape: 15 * time.Second, evaluation: 30 * time.Second,
		groupWait: 30 * time.Second, groupInterval: 5 * time.Minute, repeatInterval: 4 * time.Hour},
	"demo": {scrape: 5 * time.Second, evaluation: 5 * time.Second,
		groupWait: 5 * time.Second, groupInterval: 10 * time.Second, repeatInterval: time.Hour},
}

// Default values documented in README.md.
var (
	DefaultLatencyBuckets = slo.DefaultRegistryBuckets
	DefaultStatusCodes    = []int{200, 400, 404, 500, 503}
	DefaultGroupBy        = []string{"alertname", "service", "slo"}
)

const (
	DefaultSeriesBudget = 10000
	DefaultBindAddress  = "127.0.0.1"
	DefaultPort         = 8080
	// DefaultMinEventRate (requests per second over an alert's long window)
	// keeps a single failed request from paging a quiet service: at 0.1/s an
	// hour holds 360 requests, so one error is a 0.28% ratio, below the
	// 1.44% of a 99.9% SLO's fastest page.
	DefaultMinEventRate = 0.1
	// DefaultMinBadEvents lets a tier fire below DefaultMinEventRate once
	// its long window holds this many bad events: one failed request at
	// night pages nobody, a quiet endpoint failing every request does.
	DefaultMinBadEvents = 10
	DefaultPeriod       = 30 * 24 * time.Hour
	DefaultSimLatency   = 20 * time.Millisecond
)

// applyDefaults fills in what the spec left out. A value the spec wrote
// (set) is kept even when it is zero: validation refuses the zeros that
// are invalid (port 0, period 0d) and the others mean what they say
// (minEventRate 0 turns the low-traffic guard off, weight 0 sends no
// generated traffic, groupWait 0s notifies at once).
func applyDefaults(st *model.Stack, set explicit) {
	pd := profileDefaultsByName[st.Profile]
	unset := func(path string) bool { return !set.has(path) }
	if unset("scrapeInterval") {
		setDuration(&st.ScrapeInterval, pd.scrape)
	}
	if unset("evaluationInterval") {
		setDuration(&st.EvaluationInterval, pd.evaluation)
	}
	if unset("seriesBudget") && st.SeriesBudget == 0 {
		st.SeriesBudget = DefaultSeriesBudget
	}
	if st.Labels == nil {
		st.Labels = map[string]string{}
	}
	n := &st.Network
	setString(&n.BindAddress, DefaultBindAddress)
	for _, p := range []struct {
		field string
		port  *int
		def   int
	}{
		{"prometheusPort", &n.PrometheusPort, 9090},
		{"alertmanagerPort", &n.AlertmanagerPort, 9093},
		{"grafanaPort", &n.GrafanaPort, 3000},
		{"inboxPort", &n.InboxPort, 9095},
	} {
		if unset("network." + p.field) {
			setInt(p.port, p.def)
		}
	}
	setString(&n.GrafanaURL, fmt.Sprintf("http://%s:%d", hostFor(n.BindAddress), n.GrafanaPort))

	for i := range st.Services {
		svc := &st.Services[i]
		path := fmt.Sprintf("services[%d]", i)
		if unset(path + ".port") {
			setInt(&svc.Port, DefaultPort)
		}
		if unset(path + ".adminPort") {
			setInt(&svc.AdminPort, svc.Port+AdminPortOffset)
		}
		if svc.Language == "" {
			svc.Language = model.Go
		}
		if len(svc.Targets) == 0 {
			svc.Targets = []string{fmt.Sprintf("%s:%d", hostFor(n.BindAddress), svc.Port)}
		}
		// The service's static labels are the stack's plus its own.
		merged := make(map[string]string, len(st.Labels)+len(svc.Labels))
		for k, v := range st.Labels {
			merged[k] = v
		}
		for k, v := range svc.Labels {
			merged[k] = v
		}
		svc.Labels = merged
		setString(&svc.Instrumentation, slo.Registry)
		setString(&svc.Job, svc.Name)
		if svc.Selector == nil {
			svc.Selector = map[string]string{}
		}
		if svc.LatencyBuckets == nil {
			// The exporter's own default buckets (none for Micrometer).
			svc.LatencyBuckets = slo.PresetDefaultBuckets(svc.Instrumentation)
			if svc.LatencyBuckets == nil { // an unknown preset, refused by validation
				svc.LatencyBuckets = append([]float64(nil), DefaultLatencyBuckets...)
			}
		}
		if svc.StatusCodes == nil {
			svc.StatusCodes = append([]int(nil), DefaultStatusCodes...)
		}
		if svc.Endpoints == nil {
			svc.Endpoints = []model.Endpoint{}
		}
		if svc.Metrics == nil {
			svc.Metrics = []model.Metric{}
		}
		if svc.SLOs == nil {
			svc.SLOs = []model.SLO{}
		}
		for j := range svc.Endpoints {
			sim := &svc.Endpoints[j].Sim
			simPath := fmt.Sprintf("%s.endpoints[%d].sim", path, j)
			if unset(simPath + ".latency") {
				setDuration(&sim.Latency, DefaultSimLatency)
			}
			if unset(simPath + ".latencyP99") {
				setDuration(&sim.LatencyP99, 4*time.Duration(sim.Latency))
			}
			if unset(simPath+".weight") && sim.Weight == 0 {
				sim.Weight = 1
			}
		}
		for j := range svc.Metrics {
			m := &svc.Metrics[j]
			if m.Labels == nil {
				m.Labels = []model.Label{}
			}
			if m.Unit == "" {
				m.Unit = unitFromName(m.Name)
			}
		}
		for j := range svc.SLOs {
			s := &svc.SLOs[j]
			sPath := fmt.Sprintf("%s.slos[%d]", path, j)
			if unset(sPath + ".period") {
				setDuration(&s.Period, DefaultPeriod)
			}
			if unset(sPath+".minEventRate") && s.MinEventRate == 0 {
				s.MinEventRate = DefaultMinEventRate
			}
			if unset(sPath+".minBadEvents") && s.MinBadEvents == 0 {
				s.MinBadEvents = DefaultMinBadEvents
			}
			if s.DisabledTiers == nil {
				s.DisabledTiers = []string{}
			}
		}
	}

	applyHADefaults(st)

	a := &st.Alerting
	if a.GroupBy == nil {
		a.GroupBy = append([]string(nil), DefaultGroupBy...)
	}
	if unset("alerting.groupWait") {
		setDuration(&a.GroupWait, pd.groupWait)
	}
	if unset("alerting.groupInterval") {
		setDuration(&a.GroupInterval, pd.groupInterval)
	}
	if unset("alerting.repeatInterval") {
		setDuration(&a.RepeatInterval, pd.repeatInterval)
	}
	if a.DefaultReceiver == "" && len(a.Receivers) == 1 {
		a.DefaultReceiver = a.Receivers[0].Name
	}
	if a.Receivers == nil {
		a.Receivers = []model.Receiver{}
	}
	if a.Routes == nil {
		a.Routes = []model.Route{}
	}
	applyScaleDefaults(st, set)
}

// Defaults of an HA stack.
const (
	DefaultPrometheusReplicas = 2
	DefaultAlertmanagerPeers  = 3
	// Every further replica or peer listens haPortStep above the one before.
	haPortStep = 100
	// Thanos's own default ports.
	defaultSidecarGRPCPort = 10901
	defaultSidecarHTTPPort = 10902
	defaultQueryGRPCPort   = 10903
	defaultQueryHTTPPort   = 10904
)

// applyHADefaults fills in one entry per Prometheus replica and per
// Alertmanager peer, with its ports: the first on the network's ports, the
// others haPortStep apart.
func applyHADefaults(st *model.Stack) {
	h := st.HA
	if h == nil {
		return
	}
	n := st.Network
	setInt(&h.PrometheusReplicas, DefaultPrometheusReplicas)
	setInt(&h.AlertmanagerPeers, DefaultAlertmanagerPeers)
	if h.Prometheus == nil {
		h.Prometheus = []model.PrometheusReplica{}
		for i := range max(h.PrometheusReplicas, 0) {
			r := model.PrometheusReplica{Name: slo.PrometheusReplicaName(i), Port: n.PrometheusPort + i*haPortStep}
			if h.Thanos {
				r.SidecarGRPCPort = defaultSidecarGRPCPort + i*haPortStep
				r.SidecarHTTPPort = defaultSidecarHTTPPort + i*haPortStep
			}
			h.Prometheus = append(h.Prometheus, r)
		}
	}
	if h.Alertmanagers == nil {
		h.Alertmanagers = []model.AlertmanagerPeer{}
		for i := range max(h.AlertmanagerPeers, 0) {
			h.Alertmanagers = append(h.Alertmanagers, model.AlertmanagerPeer{
				Name:        slo.AlertmanagerPeerName(i),
				Port:        n.AlertmanagerPort + i*haPortStep,
				ClusterPort: n.AlertmanagerPort + 1 + i*haPortStep,
			})
		}
	}
	if h.Thanos {
		setInt(&h.ThanosQuery.Port, defaultQueryHTTPPort)
		setInt(&h.ThanosQuery.GRPCPort, defaultQueryGRPCPort)
	}
}

// AdminPortOffset is how far above a service's port its admin (fault
// injection) port defaults to.
const AdminPortOffset = 1000

// hostFor is the host other local processes use to reach a bind address.
func hostFor(bind string) string {
	if bind == "0.0.0.0" || bind == "" {
		return "127.0.0.1"
	}
	return bind
}

// unitFromName reads the base unit from a metric name's suffix.
func unitFromName(name string) string {
	for _, u := range []string{"seconds", "bytes", "ratio", "euros", "dollars", "celsius", "meters", "volts", "amperes", "joules", "grams"} {
		if hasUnitSuffix(name, u) {
			return u
		}
	}
	return ""
}

func hasUnitSuffix(name, unit string) bool {
	for _, suffix := range []string{"_" + unit, "_" + unit + "_total"} {
		if len(name) > len(suffix) && name[len(name)-len(suffix):] == suffix {
			return true
		}
	}
	return false
}

func setDuration(d *model.Duration, def time.Duration) {
	if *d == 0 {
		*d = model.Duration(def)
	}
}

func setString(s *string, def string) {
	if *s == "" {
		*s = def
	}
}

func setInt(i *int, def int) {
	if *i == 0 {
		*i = def
	}
}
