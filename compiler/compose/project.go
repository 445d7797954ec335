package compose

import (
	"fmt"
	"strconv"
	"time"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
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

// Named volumes keep the servers' state across `docker compose down`/`up`:
// <service>-data for each Prometheus and Alertmanager, and Grafana's.
const grafanaVolume = "grafana-data"

func volumeName(service string) string { return service + "-data" }

// haServices are the Compose services an HA stack adds: its Prometheus
// replicas, Alertmanager peers, Thanos sidecars and Thanos Query.
func haServices(st *model.Stack) []string {
	if st.HA == nil {
		return nil
	}
	var out []string
	for _, r := range st.HA.Prometheus {
		out = append(out, r.Name)
		if st.HA.Thanos {
			out = append(out, slo.ThanosSidecarName(r.Name))
		}
	}
	for _, a := range st.HA.Alertmanagers {
		out = append(out, a.Name)
	}
	if st.HA.Thanos {
		out = append(out, slo.ThanosQueryName)
	}
	return out
}

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

// FlaskAppImage is the Flask demo service's image, built locally from
// demoapp/flaskapp/Dockerfile.
const FlaskAppImage = slo.FlaskAppImage

// flaskApp is a Python service of the spec: the Flask demo service with the
// service's generated registry.
func flaskApp(svc model.Service) serviceYAML {
	ready := fmt.Sprintf("http://127.0.0.1:%d/readyz", svc.Port)
	s := hardened(serviceYAML{
		Image: FlaskAppImage,
		Build: &buildYAML{Context: "..", Dockerfile: "demoapp/flaskapp/Dockerfile"},
		Command: []string{"--registry", slo.FlaskRegistryPath(svc.Name),
			"--listen", fmt.Sprintf("0.0.0.0:%d", svc.Port),
			"--admin-listen", fmt.Sprintf("127.0.0.1:%d", svc.AdminPort)},
		ReadOnly: true,
	})
	s.Healthcheck = &healthcheckYAML{
		Test:     []string{"CMD", "python3", "-c", "import urllib.request; urllib.request.urlopen(" + strconv.Quote(ready) + ", timeout=3)"},
		Interval: "10s", Timeout: "5s", Retries: 5, StartPeriod: "10s",
	}
	return s
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
		Volumes:  map[string]struct{}{grafanaVolume: {}},
	}
	promDeps := map[string]dependsOn{}
	for _, svc := range st.Services {
		var s serviceYAML
		if svc.Language == model.Python {
			s = flaskApp(svc)
		} else {
			s = demoApp("serve",
				"--service", svc.Name,
				"--listen", fmt.Sprintf(":%d", svc.Port),
				// The fault-injection API stays inside the container:
				// docker compose exec <service> /demoapp fault ...
				"--admin-listen", fmt.Sprintf("127.0.0.1:%d", svc.AdminPort))
			s.Healthcheck = demoAppCheck(fmt.Sprintf("http://127.0.0.1:%d/readyz", svc.Port))
		}
		s.Ports = []portYAML{published(svc.Port)}
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

	peers := alertmanagerServices(st)
	for _, am := range peers {
		cmd := []string{
			"--config.file=" + alertmanagerConfigFile,
			"--storage.path=" + alertmanagerDataDir,
			fmt.Sprintf("--web.listen-address=:%d", am.Port),
			fmt.Sprintf("--web.external-url=http://%s:%d/", loopback, am.Port),
		}
		if st.HA == nil {
			// A single Alertmanager: no gossip port.
			cmd = append(cmd, "--cluster.listen-address=")
		} else {
			// The peers gossip notification state, so that an alert both
			// Prometheus replicas send to all of them notifies once.
			cmd = append(cmd, fmt.Sprintf("--cluster.listen-address=0.0.0.0:%d", am.ClusterPort),
				"--cluster.peer-timeout="+slo.ClusterPeerTimeout.String())
			for _, other := range peers {
				if other.service != am.service {
					cmd = append(cmd, fmt.Sprintf("--cluster.peer=%s:%d", other.service, other.ClusterPort))
				}
			}
		}
		cmd = append(cmd, "--dispatch.start-delay="+model.Duration(StartDelay(st)).String())
		volume := volumeName(am.service)
		p.Volumes[volume] = struct{}{}
		p.Services[am.service] = hardened(serviceYAML{
			Image:       AlertmanagerImage,
			Command:     cmd,
			Ports:       []portYAML{published(am.Port)},
			Volumes:     append([]mount{{Type: "volume", Source: volume, Target: alertmanagerDataDir}}, mounts[am.service]...),
			DependsOn:   map[string]dependsOn{InboxService: healthy()},
			Healthcheck: httpCheck(fmt.Sprintf("http://127.0.0.1:%d/-/ready", am.Port)),
		})
	}

	for _, am := range peers {
		promDeps[am.service] = healthy()
	}
	var stores []string
	for _, srv := range prometheusServices(st) {
		volume := volumeName(srv.service)
		p.Volumes[volume] = struct{}{}
		p.Services[srv.service] = hardened(serviceYAML{
			Image: PrometheusImage,
			Command: []string{
				"--config.file=" + prometheusConfigFile,
				"--storage.tsdb.path=" + prometheusDataDir,
				"--storage.tsdb.retention.time=" + model.Duration(Retention(st)).String(),
				fmt.Sprintf("--web.listen-address=:%d", srv.Port),
				fmt.Sprintf("--web.external-url=http://%s:%d/", loopback, srv.Port),
				"--rules.alert.resend-delay=" + model.Duration(ResendDelay(st)).String(),
			},
			Ports:       []portYAML{published(srv.Port)},
			Volumes:     append([]mount{{Type: "volume", Source: volume, Target: prometheusDataDir}}, mounts[srv.service]...),
			DependsOn:   promDeps,
			Healthcheck: httpCheck(fmt.Sprintf("http://127.0.0.1:%d/-/ready", srv.Port)),
		})
		if !slo.ThanosEnabled(st) {
			continue
		}
		// The sidecar serves its replica's data to Thanos Query over gRPC
		// (no object storage: it uploads nothing).
		sidecar := slo.ThanosSidecarName(srv.Name)
		p.Services[sidecar] = hardened(serviceYAML{
			Image: ThanosImage,
			Command: []string{"sidecar",
				fmt.Sprintf("--prometheus.url=http://%s:%d", srv.service, srv.Port),
				"--tsdb.path=" + prometheusDataDir,
				fmt.Sprintf("--grpc-address=0.0.0.0:%d", srv.SidecarGRPCPort),
				fmt.Sprintf("--http-address=0.0.0.0:%d", srv.SidecarHTTPPort),
			},
			Volumes:     []mount{{Type: "volume", Source: volume, Target: prometheusDataDir, ReadOnly: true}},
			DependsOn:   map[string]dependsOn{srv.service: healthy()},
			Healthcheck: httpCheck(fmt.Sprintf("http://127.0.0.1:%d/-/ready", srv.SidecarHTTPPort)),
		})
		stores = append(stores, fmt.Sprintf("--endpoint=%s:%d", sidecar, srv.SidecarGRPCPort))
	}
	if slo.ThanosEnabled(st) {
		q := st.HA.ThanosQuery
		deps := map[string]dependsOn{}
		for _, srv := range prometheusServices(st) {
			deps[slo.ThanosSidecarName(srv.Name)] = healthy()
		}
		p.Services[slo.ThanosQueryName] = hardened(serviceYAML{
			Image: ThanosImage,
			Command: append([]string{"query",
				fmt.Sprintf("--http-address=0.0.0.0:%d", q.Port),
				fmt.Sprintf("--grpc-address=0.0.0.0:%d", q.GRPCPort),
				// One series per replica pair: deduplicate on the replica label.
				"--query.replica-label=" + slo.ReplicaLabel,
			}, stores...),
			Ports:       []portYAML{published(q.Port)},
			DependsOn:   deps,
			Healthcheck: httpCheck(fmt.Sprintf("http://127.0.0.1:%d/-/ready", q.Port)),
			ReadOnly:    true,
		})
	}

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
			slo.GrafanaDashboardsEnv:         grafanaDashboardsDir,
			"GF_SECURITY_DISABLE_GRAVATAR":   "true",
			"GF_SECURITY_COOKIE_SAMESITE":    "strict",
		},
		Ports:       []portYAML{published(n.GrafanaPort)},
		Volumes:     append([]mount{{Type: "volume", Source: grafanaVolume, Target: grafanaDataDir}}, mounts[GrafanaService]...),
		DependsOn:   map[string]dependsOn{slo.QueryServer(st): healthy()},
		Healthcheck: httpCheck(fmt.Sprintf("http://127.0.0.1:%d/api/health", n.GrafanaPort)),
	})
	return p
}
