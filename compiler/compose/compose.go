// Package compose is the Docker Compose target: out/compose.yaml runs the
// whole stack — every service's demo app and its traffic generator,
// Prometheus, Alertmanager, Grafana and the alert inbox — with pinned
// images, healthchecks, named volumes for state, and every port published
// on 127.0.0.1 only.
//
// Inside Compose the servers reach each other by service name (shop:8080,
// alertmanager:9093, inbox:9095) instead of loopback, so the configs that
// name addresses differ from the native ones. The targets that write those
// configs also write their Compose versions under out/compose/ (see
// slo.InContainers); this target reads the artifacts of the Prometheus,
// Alertmanager and Grafana targets and mounts each file from there, the
// Compose version where there is one. It runs no other target.
//
// An HA spec (model.HA) runs a service per Prometheus replica and per
// Alertmanager peer, named as in the model, each with its own data volume
// and its own configuration; the peers gossip on their cluster ports, and
// with Thanos a sidecar per replica and thanos-query (deduplicating on the
// replica label) join them.
package compose

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Paths of the generated files, relative to out/.
const (
	// Path is the Compose file.
	Path = "compose.yaml"
	// Dir holds the configs whose container version differs from the native one.
	Dir = slo.ComposeDir
)

// Pinned images. The servers match the versions the native demo and the
// end-to-end test build (tools.Pinned), so both runs behave alike.
const (
	PrometheusImage   = "prom/prometheus:v3.16.0"
	AlertmanagerImage = "prom/alertmanager:v0.31.1"
	GrafanaImage      = "grafana/grafana:12.3.0"
	// ThanosImage runs the HA stack's sidecars and Query (tools.Pinned's Thanos).
	ThanosImage = "quay.io/thanos/thanos:v0.42.4"
	// DemoAppImage is built locally from demoapp/Dockerfile.
	DemoAppImage = slo.DemoAppImage
)

// Names of the Compose services that are not spec services.
const (
	PrometheusService   = slo.PrometheusServer
	AlertmanagerService = slo.AlertmanagerServer
	GrafanaService      = slo.GrafanaServer
	InboxService        = slo.InboxServer
)

// LoadService is the name of a spec service's traffic generator.
func LoadService(service string) string { return service + "-load" }

// GrafanaPasswordVar is the environment variable the Grafana admin password
// comes from. It has no default: `docker compose up` refuses to start
// without it.
const GrafanaPasswordVar = "GF_ADMIN_PASSWORD"

// LoadRPS is the traffic generator's request rate per service. It keeps
// every SLO above its minimum event rate, so burn-rate alerts can fire.
const LoadRPS = 20

// header follows slo.Header.
const header = `# The whole stack in containers:
#   GF_ADMIN_PASSWORD=... docker compose -f out/compose.yaml up --build
# Every port is published on 127.0.0.1 only. Configs whose addresses differ
# inside Compose are under out/compose/; the rest are mounted from out/.
`

// Emit returns compose.yaml. prior holds the artifacts of the Prometheus,
// Alertmanager and Grafana targets: their run-time files are mounted into
// the servers' containers, from under out/compose/ where the target wrote a
// Compose version.
func Emit(st *model.Stack, prior artifact.Reader, out artifact.Writer) error {
	if err := checkNames(st); err != nil {
		return err
	}
	paths := prior.Paths()
	have := make(map[string]bool, len(paths))
	for _, p := range paths {
		have[p] = true
	}
	mounts := map[string][]mount{}
	for _, p := range paths {
		if strings.HasPrefix(p, Dir+"/") {
			continue
		}
		for _, c := range components {
			for _, t := range c.targets(st, p) {
				source := p
				if have[path.Join(Dir, p)] {
					source = path.Join(Dir, p)
				}
				// Sources are relative to compose.yaml, i.e. to out/.
				mounts[t.service] = append(mounts[t.service], mount{Type: "bind", Source: "./" + source, Target: t.path, ReadOnly: true})
			}
		}
	}
	for _, c := range components {
		for _, service := range c.services(st) {
			if len(mounts[service]) == 0 {
				return fmt.Errorf("internal: no %s files to mount; the compose target needs the artifacts of the %s target", service, c.name)
			}
		}
	}
	doc := project(st, mounts)
	data, err := artifact.YAML(slo.Header(st)+header, doc)
	if err != nil {
		return err
	}
	return out.Write(artifact.File{Path: Path, Data: data})
}

// component is a kind of server whose run-time files another target
// writes: one Compose service, or one per replica or peer of an HA stack.
type component struct {
	// name is the target that writes the files.
	name string
	// services are the Compose services of this kind.
	services func(st *model.Stack) []string
	// targets returns which of those services read a generated file, and
	// where; none when the file is not theirs or not read at run time
	// (tests, documentation).
	targets func(st *model.Stack, outPath string) []mountTarget
}

// mountTarget is where a Compose service reads a generated file.
type mountTarget struct{ service, path string }

// under maps the files below the out/ directory dir to the same relative
// paths below the container directory to.
func under(dir, to string) func(string) (string, bool) {
	return func(p string) (string, bool) {
		rel, ok := strings.CutPrefix(p, dir+"/")
		if !ok {
			return "", false
		}
		return path.Join(to, rel), true
	}
}

var components = []component{
	{name: "prometheus", services: names(prometheusServices), targets: func(st *model.Stack, p string) []mountTarget {
		var out []mountTarget
		for _, srv := range prometheusServices(st) {
			// Each server reads its own configuration, and every rule file.
			if p == slo.PrometheusConfigPathOf(srv.Name) {
				out = append(out, mountTarget{srv.service, prometheusConfigFile})
			} else if t, ok := under(slo.PrometheusRulesDir, prometheusConfigDir+"/"+path.Base(slo.PrometheusRulesDir))(p); ok {
				out = append(out, mountTarget{srv.service, t})
			}
		}
		return out
	}},
	{name: "alertmanager", services: names(alertmanagerServices), targets: func(st *model.Stack, p string) []mountTarget {
		var out []mountTarget
		for _, peer := range alertmanagerServices(st) {
			// The peers of a cluster share one configuration.
			if p == slo.AlertmanagerConfigPath {
				out = append(out, mountTarget{peer.service, alertmanagerConfigFile})
			} else if t, ok := under(slo.AlertmanagerTemplatesDir, alertmanagerConfigDir+"/"+path.Base(slo.AlertmanagerTemplatesDir))(p); ok {
				out = append(out, mountTarget{peer.service, t})
			}
		}
		return out
	}},
	{name: "grafana", services: func(*model.Stack) []string { return []string{GrafanaService} }, targets: func(_ *model.Stack, p string) []mountTarget {
		if t, ok := under(slo.GrafanaProvisioningDir, grafanaProvisioningDir)(p); ok {
			return []mountTarget{{GrafanaService, t}}
		}
		if t, ok := under(slo.GrafanaDashboardDir, grafanaDashboardsDir)(p); ok {
			return []mountTarget{{GrafanaService, t}}
		}
		return nil
	}},
}

// server is one Prometheus or Alertmanager of the stack, with the Compose
// service it runs as.
type server struct {
	service string
	model.PrometheusReplica
}

type peer struct {
	service string
	model.AlertmanagerPeer
}

// prometheusServices are the Prometheus servers: the single "prometheus",
// or the replicas of an HA stack under their own names.
func prometheusServices(st *model.Stack) []server {
	var out []server
	for _, r := range slo.PrometheusServers(st) {
		name := r.Name
		if name == "" {
			name = PrometheusService
		}
		out = append(out, server{name, r})
	}
	return out
}

// alertmanagerServices are the Alertmanagers: the single "alertmanager", or
// the peers of an HA stack's cluster.
func alertmanagerServices(st *model.Stack) []peer {
	var out []peer
	for _, a := range slo.AlertmanagerServers(st) {
		name := a.Name
		if name == "" {
			name = AlertmanagerService
		}
		out = append(out, peer{name, a})
	}
	return out
}

// names turns a list of servers into their Compose service names.
func names[T interface{ serviceName() string }](list func(*model.Stack) []T) func(*model.Stack) []string {
	return func(st *model.Stack) []string {
		var out []string
		for _, x := range list(st) {
			out = append(out, x.serviceName())
		}
		return out
	}
}

func (s server) serviceName() string { return s.service }
func (p peer) serviceName() string   { return p.service }

// Where the servers read their configs and keep their state in the images.
const (
	prometheusConfigDir    = "/etc/prometheus"
	prometheusConfigFile   = prometheusConfigDir + "/prometheus.yml"
	prometheusDataDir      = "/prometheus"
	alertmanagerConfigDir  = "/etc/alertmanager"
	alertmanagerConfigFile = alertmanagerConfigDir + "/alertmanager.yml"
	alertmanagerDataDir    = "/alertmanager"
	grafanaProvisioningDir = "/etc/grafana/provisioning"
	grafanaDataDir         = "/var/lib/grafana"
	grafanaDashboardsDir   = grafanaDataDir + "/dashboards/stackc"
)

// ContainerModel returns a copy of st with the addresses the servers have
// inside Compose (slo.InContainers as seen from the inbox).
func ContainerModel(st *model.Stack) (*model.Stack, error) {
	return slo.InContainers(st, InboxService)
}

// IsLocalInbox reports whether a webhook URL points at the inbox on this
// machine (slo.IsLocalInbox).
func IsLocalInbox(st *model.Stack, u *url.URL) bool { return slo.IsLocalInbox(st, u) }

var serviceNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// checkNames refuses spec services whose Compose service names would be
// invalid or collide with the stack's own servers.
func checkNames(st *model.Stack) error {
	taken := map[string]string{
		PrometheusService: "the Prometheus server", AlertmanagerService: "the Alertmanager",
		GrafanaService: "Grafana", InboxService: "the alert inbox",
	}
	for _, name := range haServices(st) {
		taken[name] = "a server of the HA stack"
	}
	for _, svc := range st.Services {
		for _, name := range []string{svc.Name, LoadService(svc.Name)} {
			if !serviceNameRE.MatchString(name) {
				return fmt.Errorf("service %s: %q is not a valid Compose service name (lower-case letters, digits, - and _)", svc.Name, name)
			}
			if other, ok := taken[name]; ok {
				return fmt.Errorf("service %s: the Compose service %q is already %s; rename the service", svc.Name, name, other)
			}
			taken[name] = "service " + svc.Name
		}
	}
	return nil
}
