package prometheus

import (
	"net"
	"strconv"
	"time"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// The scrape configuration is written from these types rather than from
// Prometheus's config package, whose Config drags in every service
// discovery mechanism; `promtool check config --lint=all --lint-fatal`
// checks the result in the tests.
type promConfig struct {
	Global        globalConfig   `yaml:"global"`
	RuleFiles     []string       `yaml:"rule_files"`
	Alerting      alertingConfig `yaml:"alerting"`
	ScrapeConfigs []scrapeConfig `yaml:"scrape_configs"`
}

type globalConfig struct {
	ScrapeInterval     string            `yaml:"scrape_interval"`
	ScrapeTimeout      string            `yaml:"scrape_timeout"`
	EvaluationInterval string            `yaml:"evaluation_interval"`
	ExternalLabels     map[string]string `yaml:"external_labels,omitempty"`
}

type alertingConfig struct {
	AlertRelabelConfigs []relabelConfig      `yaml:"alert_relabel_configs,omitempty"`
	Alertmanagers       []alertmanagerConfig `yaml:"alertmanagers"`
}

type relabelConfig struct {
	Action string `yaml:"action"`
	Regex  string `yaml:"regex"`
}

type alertmanagerConfig struct {
	StaticConfigs []staticConfig `yaml:"static_configs"`
}

type staticConfig struct {
	Targets []string          `yaml:"targets"`
	Labels  map[string]string `yaml:"labels,omitempty"`
}

type scrapeConfig struct {
	JobName                       string         `yaml:"job_name"`
	ScrapeNativeHistograms        bool           `yaml:"scrape_native_histograms,omitempty"`
	AlwaysScrapeClassicHistograms bool           `yaml:"always_scrape_classic_histograms,omitempty"`
	StaticConfigs                 []staticConfig `yaml:"static_configs"`
}

// loopbackFor is the address to reach a server bound to bind from this
// machine: a wildcard bind is reached on loopback.
func loopbackFor(bind string) string {
	if ip := net.ParseIP(bind); bind == "" || (ip != nil && ip.IsUnspecified()) {
		return "127.0.0.1"
	}
	return bind
}

// configFile is the configuration of one Prometheus server; replica is its
// name in an HA stack, or empty.
//
// Replicas differ only in their external label slo.ReplicaLabel. They send
// every alert to every Alertmanager, and drop the replica label from alerts
// first: both replicas' copies of an alert are then one alert, with one
// fingerprint, that the Alertmanager cluster notifies once. While one
// replica is down the other keeps the alert's end time in the future, so the
// Alertmanager does not resolve it.
func configFile(st *model.Stack, replica string) ([]byte, error) {
	scrape := time.Duration(st.ScrapeInterval)
	// The timeout stays below the interval, as Prometheus requires.
	timeout := min(10*time.Second, scrape)
	var ams []string
	for _, am := range slo.AlertmanagerServers(st) {
		host := am.Host
		if host == "" {
			host = loopbackFor(st.Network.BindAddress)
		}
		ams = append(ams, net.JoinHostPort(host, strconv.Itoa(am.Port)))
	}
	cfg := promConfig{
		Global: globalConfig{
			ScrapeInterval:     dur(scrape),
			ScrapeTimeout:      dur(timeout),
			EvaluationInterval: dur(time.Duration(st.EvaluationInterval)),
		},
		Alerting: alertingConfig{Alertmanagers: []alertmanagerConfig{{StaticConfigs: []staticConfig{{Targets: ams}}}}},
	}
	if replica != "" {
		cfg.Global.ExternalLabels = map[string]string{slo.ReplicaLabel: replica}
		cfg.Alerting.AlertRelabelConfigs = []relabelConfig{{Action: "labeldrop", Regex: slo.ReplicaLabel}}
	}
	for _, svc := range st.Services {
		// Relative to prometheus.yml's directory; Prometheus allows a glob
		// in the last path element only.
		cfg.RuleFiles = append(cfg.RuleFiles, "rules/"+svc.Name+"/*.yml")
		cfg.ScrapeConfigs = append(cfg.ScrapeConfigs, scrapeConfig{
			JobName: slo.Job(svc),
			// Classic buckets stay scraped beside native ones: the latency
			// SLIs read bucket{le=threshold}.
			ScrapeNativeHistograms:        svc.NativeHistograms,
			AlwaysScrapeClassicHistograms: svc.NativeHistograms,
			StaticConfigs: []staticConfig{{
				Targets: svc.Targets,
				// Target labels put service and team on every series, so
				// dashboards and ad-hoc queries can filter by them.
				// The static labels of the spec go on every series too.
				// So do the selector labels the rules match on.
				Labels: withSelector(svc, withStatic(svc, map[string]string{slo.LabelService: svc.Name, slo.LabelTeam: svc.Team})),
			}},
		})
	}
	return artifact.YAML(slo.Header(st), cfg)
}

func timeDuration(d model.Duration) time.Duration { return time.Duration(d) }
