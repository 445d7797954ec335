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
	// DemoAppImage is built locally from demoapp/Dockerfile.
	DemoAppImage = "stackc-demoapp:local"
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
			target, ok := c.target(p)
			if !ok {
				continue
			}
			source := p
			if have[path.Join(Dir, p)] {
				source = path.Join(Dir, p)
			}
			// Sources are relative to compose.yaml, i.e. to out/.
			mounts[c.service] = append(mounts[c.service], mount{Type: "bind", Source: "./" + source, Target: target, ReadOnly: true})
		}
	}
	for _, c := range components {
		if len(mounts[c.service]) == 0 {
			return fmt.Errorf("internal: no %s files to mount; the compose target needs the artifacts of the %s target", c.service, c.service)
		}
	}
	doc := project(st, mounts)
	data, err := artifact.YAML(slo.Header(st)+header, doc)
	if err != nil {
		return err
	}
	return out.Write(artifact.File{Path: Path, Data: data})
}

// component is a server whose run-time files another target writes.
type component struct {
	service string
	// target returns where the server reads a generated file, or false
	// when the file is not the server's or not read at run time (tests,
	// documentation).
	target func(outPath string) (string, bool)
}

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
	{service: PrometheusService, target: func(p string) (string, bool) {
		if p == slo.PrometheusConfigPath {
			return prometheusConfigFile, true
		}
		return under(slo.PrometheusRulesDir, prometheusConfigDir+"/"+path.Base(slo.PrometheusRulesDir))(p)
	}},
	{service: AlertmanagerService, target: func(p string) (string, bool) {
		if p == slo.AlertmanagerConfigPath {
			return alertmanagerConfigFile, true
		}
		return under(slo.AlertmanagerTemplatesDir, alertmanagerConfigDir+"/"+path.Base(slo.AlertmanagerTemplatesDir))(p)
	}},
	{service: GrafanaService, target: func(p string) (string, bool) {
		if t, ok := under(slo.GrafanaProvisioningDir, grafanaProvisioningDir)(p); ok {
			return t, true
		}
		return under(slo.GrafanaDashboardDir, grafanaDashboardsDir)(p)
	}},
}

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
