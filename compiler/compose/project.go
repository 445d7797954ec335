package compose

import (
	"fmt"
	"strconv"
	"time"

	"github.com/stackc/stackc/compiler/grafana"
	"github.com/stackc/stackc/compiler/model"
)

// The Compose file is written from these structs in the long syntax, which
// says explicitly what the short one leaves implicit (host_ip, read_only).
// yaml.v3 writes struct fields in order and map keys sorted, so the output
// is deterministic. The tests load it with compose-go.
type projectYAML struct {
	Name     string                 `yaml:"name"`
	Services map[string]serviceYAML `yaml:"services"`
	Volumes  map[string]struct{}    `yaml:"volumes"`
}

type serviceYAML struct {
	Image       string               `yaml:"image"`
	Build       *buildYAML           `yaml:"build,omitempty"`
	Command     []string             `yaml:"command,omitempty"`
	Environment map[string]string    `yaml:"environment,omitempty"`
	Ports       []portYAML           `yaml:"ports,omitempty"`
	Volumes     []mount              `yaml:"volumes,omitempty"`
	DependsOn   map[string]dependsOn `yaml:"depends_on,omitempty"`
	Healthcheck *healthcheckYAML     `yaml:"healthcheck,omitempty"`
	Restart     string               `yaml:"restart"`
	ReadOnly    bool                 `yaml:"read_only,omitempty"`
	CapDrop     []string             `yaml:"cap_drop"`
	SecurityOpt []string             `yaml:"security_opt"`
}

type buildYAML struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

type portYAML struct {
	Target    int    `yaml:"target"`
	HostIP    string `yaml:"host_ip"`
	Published string `yaml:"published"`
	Protocol  string `yaml:"protocol"`
}

type mount struct {
	Type     string `yaml:"type"`
	Source   string `yaml:"source"`
	Target   string `yaml:"target"`
	ReadOnly bool   `yaml:"read_only,omitempty"`
}

type dependsOn struct {
	Condition string `yaml:"condition"`
}

type healthcheckYAML struct {
	Test        []string `yaml:"test,flow"`
	Interval    string   `yaml:"interval"`
	Timeout     string   `yaml:"timeout"`
	Retries     int      `yaml:"retries"`
	StartPeriod string   `yaml:"start_period"`
}

// Named volumes keep the servers' state across `docker compose down`/`up`.
const (
	prometheusVolume   = "prometheus-data"
	alertmanagerVolume = "alertmanager-data"
	grafanaVolume      = "grafana-data"
)

// loopback is the only host address ports are published on.
const loopback = "127.0.0.1"

func published(port int) portYAML {
	return portYAML{Target: port, HostIP: loopback, Published: strconv.Itoa(port), Protocol: "tcp"}
}

// hardened returns a service with the defaults every container gets: no
// capabilities, no privilege escalation, restarted unless stopped.
func hardened(s serviceYAML) serviceYAML {
	s.Restart = "unless-stopped"
	s.CapDrop = []string{"ALL"}
	s.SecurityOpt = []string{"no-new-privileges:true"}
	return s
}

// httpCheck probes url from inside a container with busybox wget, which
// the Prometheus, Alertmanager and Grafana images ship.
func httpCheck(url string) *healthcheckYAML {
	return &healthcheckYAML{
		Test:     []string{"CMD", "wget", "-q", "-O", "/dev/null", url},
		Interval: "10s", Timeout: "5s", Retries: 5, StartPeriod: "20s",
	}
}

// demoAppCheck probes url with the demo app's own binary: its image has no
// shell or wget.
func demoAppCheck(url string) *healthcheckYAML {
	return &healthcheckYAML{
		Test:     []string{"CMD", demoAppBinary, "healthcheck", "--url", url},
		Interval: "10s", Timeout: "5s", Retries: 5, StartPeriod: "10s",
	}
}

// demoAppBinary is the demo app's path in its image.
const demoAppBinary = "/demoapp"

func demoApp(command ...string) serviceYAML {
	return hardened(serviceYAML{
		Image: DemoAppImage,
		// Every demo app service builds the same image; the build context is
		// the repository root, one level above out/.
		Build:    &buildYAML{Context: "..", Dockerfile: "demoapp/Dockerfile"},
		Command:  command,
		ReadOnly: true,
	})
}

func healthy() dependsOn { return dependsOn{Condition: "service_healthy"} }

// ResendDelay is how often Prometheus re-sends firing alerts to the
// Alertmanager: every evaluation, so a restarted Alertmanager has them all
// back quickly (the server's default is a minute).
func ResendDelay(st *model.Stack) time.Duration { return time.Duration(st.EvaluationInterval) }

// StartDelay is how long a (re)started Alertmanager waits before it
// dispatches: until Prometheus has re-sent every firing alert. Without it a
// restarted Alertmanager flushes the first alert of a group at once (it is
// older than group_wait), before the alert that inhibits it has arrived,
// and notifies it again.
func StartDelay(st *model.Stack) time.Duration {
	return ResendDelay(st) + time.Duration(st.EvaluationInterval)
}

// minRetention is Prometheus's own default retention, kept as a floor so a
// stack of 7d SLOs keeps as much history as an unconfigured server.
const minRetention = 15 * 24 * time.Hour

// retentionSlack covers the rule evaluations and scrape gaps at both ends of
// the longest SLO period, so the period ratio never reads a truncated range.
const retentionSlack = 2 * 24 * time.Hour

// Retention is how long Prometheus keeps samples: the longest SLO period
// plus retentionSlack, at least minRetention. With the 15d default a 30d
// SLO's period ratios would silently cover 15 days only.
func Retention(st *model.Stack) time.Duration {
	longest := time.Duration(0)
	for _, svc := range st.Services {
		for _, s := range svc.SLOs {
			longest = max(longest, time.Duration(s.Period))
		}
	}
	return max(longest+retentionSlack, minRetention)
}

// project builds the Compose project; mounts are each server's generated
// config files.
func project(st *model.Stack, mounts map[string][]mount) projectYAML {
	n := st.Network
	p := projectYAML{
		Name:     "stackc",
		Services: map[string]serviceYAML{},
		Volumes:  map[string]struct{}{prometheusVolume: {}, alertmanagerVolume: {}, grafanaVolume: {}},
	}
	promDeps := map[string]dependsOn{AlertmanagerService: healthy()}
	for _, svc := range st.Services {
		s := demoApp("serve",
			"--service", svc.Name,
			"--listen", fmt.Sprintf(":%d", svc.Port),
			// The fault-injection API stays inside the container:
			// docker compose exec <service> /demoapp fault ...
			"--admin-listen", fmt.Sprintf("127.0.0.1:%d", svc.AdminPort))
		s.Ports = []portYAML{published(svc.Port)}
		s.Healthcheck = demoAppCheck(fmt.Sprintf("http://127.0.0.1:%d/readyz", svc.Port))
		p.Services[svc.Name] = s

		load := demoApp("load",
			"--service", svc.Name,
			"--target", fmt.Sprintf("http://%s:%d", svc.Name, svc.Port),
			"--rps", strconv.Itoa(LoadRPS),
			// The generator's longest run; Compose restarts it after.
			"--duration", "24h")
		load.DependsOn = map[string]dependsOn{svc.Name: healthy()}
		p.Services[LoadService(svc.Name)] = load
		promDeps[svc.Name] = healthy()
	}

	// Alertmanager posts to inbox:PORT; the inbox refuses other non-loopback Host names.
	inbox := demoApp("inbox", "--listen", fmt.Sprintf(":%d", n.InboxPort), "--allow-host", InboxService)
	inbox.Ports = []portYAML{published(n.InboxPort)}
	inbox.Healthcheck = demoAppCheck(fmt.Sprintf("http://127.0.0.1:%d/healthz", n.InboxPort))
	p.Services[InboxService] = inbox

	p.Services[AlertmanagerService] = hardened(serviceYAML{
		Image: AlertmanagerImage,
		Command: []string{
			"--config.file=" + alertmanagerConfigFile,
			"--storage.path=" + alertmanagerDataDir,
			fmt.Sprintf("--web.listen-address=:%d", n.AlertmanagerPort),
			fmt.Sprintf("--web.external-url=http://%s:%d/", loopback, n.AlertmanagerPort),
			// A single Alertmanager: no gossip port.
			"--cluster.listen-address=",
			"--dispatch.start-delay=" + model.Duration(StartDelay(st)).String(),
		},
		Ports:       []portYAML{published(n.AlertmanagerPort)},
		Volumes:     append([]mount{{Type: "volume", Source: alertmanagerVolume, Target: alertmanagerDataDir}}, mounts[AlertmanagerService]...),
		DependsOn:   map[string]dependsOn{InboxService: healthy()},
		Healthcheck: httpCheck(fmt.Sprintf("http://127.0.0.1:%d/-/ready", n.AlertmanagerPort)),
	})

	p.Services[PrometheusService] = hardened(serviceYAML{
		Image: PrometheusImage,
		Command: []string{
			"--config.file=" + prometheusConfigFile,
			"--storage.tsdb.path=" + prometheusDataDir,
			"--storage.tsdb.retention.time=" + model.Duration(Retention(st)).String(),
			fmt.Sprintf("--web.listen-address=:%d", n.PrometheusPort),
			fmt.Sprintf("--web.external-url=http://%s:%d/", loopback, n.PrometheusPort),
			"--rules.alert.resend-delay=" + model.Duration(ResendDelay(st)).String(),
		},
		Ports:       []portYAML{published(n.PrometheusPort)},
		Volumes:     append([]mount{{Type: "volume", Source: prometheusVolume, Target: prometheusDataDir}}, mounts[PrometheusService]...),
		DependsOn:   promDeps,
		Healthcheck: httpCheck(fmt.Sprintf("http://127.0.0.1:%d/-/ready", n.PrometheusPort)),
	})

	p.Services[GrafanaService] = hardened(serviceYAML{
		Image: GrafanaImage,
		Environment: map[string]string{
			"GF_SERVER_HTTP_PORT":            strconv.Itoa(n.GrafanaPort),
			"GF_SERVER_ROOT_URL":             n.GrafanaURL,
			"GF_SECURITY_ADMIN_USER":         "admin",
			"GF_SECURITY_ADMIN_PASSWORD":     "${" + GrafanaPasswordVar + ":?set " + GrafanaPasswordVar + " to the Grafana admin password}",
			"GF_AUTH_ANONYMOUS_ENABLED":      "true",
			"GF_AUTH_ANONYMOUS_ORG_ROLE":     "Viewer",
			"GF_USERS_ALLOW_SIGN_UP":         "false",
			"GF_ANALYTICS_REPORTING_ENABLED": "false",
			"GF_ANALYTICS_CHECK_FOR_UPDATES": "false",
			"GF_PATHS_PROVISIONING":          grafanaProvisioningDir,
			grafana.DashboardsEnv:            grafanaDashboardsDir,
			"GF_SECURITY_DISABLE_GRAVATAR":   "true",
			"GF_SECURITY_COOKIE_SAMESITE":    "strict",
		},
		Ports:       []portYAML{published(n.GrafanaPort)},
		Volumes:     append([]mount{{Type: "volume", Source: grafanaVolume, Target: grafanaDataDir}}, mounts[GrafanaService]...),
		DependsOn:   map[string]dependsOn{PrometheusService: healthy()},
		Healthcheck: httpCheck(fmt.Sprintf("http://127.0.0.1:%d/api/health", n.GrafanaPort)),
	})
	return p
}
