package slo

import (
	"fmt"
	"net"
	"net/url"
	"strconv"

	"github.com/stackc/stackc/compiler/model"
)

// Names of the stack's servers in the Docker Compose deployment; inside
// Compose they reach each other by these names.
const (
	PrometheusServer   = "prometheus"
	AlertmanagerServer = "alertmanager"
	GrafanaServer      = "grafana"
	InboxServer        = "inbox"
)

// ComposeDir is the directory under out/ that holds the Compose versions of
// the configs that name addresses (prometheus.yml, alertmanager.yml, the
// Grafana data source). The target that writes a config also writes its
// Compose version there; the Compose target only mounts them.
const ComposeDir = "compose"

// InContainers returns a copy of st with the addresses the servers have
// inside Compose, as seen from the server named from (one of the *Server
// names): each service is scraped at <name>:<port>, webhooks that point at
// the local inbox go to the inbox service, and the bind address, from which
// the emitters derive the address of the one peer a config names, is that
// peer's service name (Prometheus names the Alertmanager, Grafana names
// Prometheus or Thanos Query, QueryServer). An HA stack's Alertmanager peers
// are reached by their names.
func InContainers(st *model.Stack, from string) (*model.Stack, error) {
	c, err := st.Clone()
	if err != nil {
		return nil, err
	}
	for i := range c.Services {
		svc := &c.Services[i]
		svc.Targets = []string{net.JoinHostPort(svc.Name, strconv.Itoa(svc.Port))}
	}
	inbox := net.JoinHostPort(InboxServer, strconv.Itoa(st.Network.InboxPort))
	for i := range c.Alerting.Receivers {
		r := &c.Alerting.Receivers[i]
		if r.Type != model.Webhook || r.URL == "" {
			continue
		}
		u, err := url.Parse(r.URL)
		if err != nil {
			return nil, fmt.Errorf("receiver %s: %w", r.Name, err)
		}
		if IsLocalInbox(st, u) {
			u.Host = inbox
			r.URL = u.String()
		}
	}
	if c.HA != nil {
		// An HA stack's Alertmanager peers run under their own names.
		for i := range c.HA.Alertmanagers {
			c.HA.Alertmanagers[i].Host = c.HA.Alertmanagers[i].Name
		}
	}
	switch from {
	case PrometheusServer:
		c.Network.BindAddress = AlertmanagerServer
	case GrafanaServer:
		c.Network.BindAddress = QueryServer(st)
	}
	return c, nil
}

// QueryServer is the Compose name of the server Grafana queries (on
// QueryPort): Thanos Query, the first replica of an HA stack without
// Thanos, or Prometheus.
func QueryServer(st *model.Stack) string {
	switch {
	case ThanosEnabled(st):
		return ThanosQueryName
	case st.HA != nil && len(st.HA.Prometheus) > 0:
		return st.HA.Prometheus[0].Name
	}
	return PrometheusServer
}

// IsLocalInbox reports whether a webhook URL points at the inbox on this
// machine: a loopback or bind address host and the spec's inbox port.
func IsLocalInbox(st *model.Stack, u *url.URL) bool {
	if u.Port() != strconv.Itoa(st.Network.InboxPort) {
		return false
	}
	host := u.Hostname()
	if host == "localhost" || host == st.Network.BindAddress {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// The layout of out/ that one target writes and another reads (the
// Compose target mounts them, review reads them). Paths are relative to
// out/ and slash-separated.
const (
	PrometheusConfigPath     = "prometheus/prometheus.yml"
	PrometheusRulesDir       = "prometheus/rules"
	AlertmanagerConfigPath   = "alertmanager/alertmanager.yml"
	AlertmanagerTemplatesDir = "alertmanager/templates"
	GrafanaDashboardDir      = "grafana/dashboards"
	GrafanaProvisioningDir   = "grafana/provisioning"
	// GrafanaDashboardsEnv is the environment variable Grafana's dashboard
	// provider reads its directory from.
	GrafanaDashboardsEnv = "STACKC_GRAFANA_DASHBOARDS"
)

// The demo apps' container images, built locally: the Go demo app (every
// Go service, the inbox) from demoapp/Dockerfile, and the Flask demo
// service (every Python service, with every generated Python registry
// under FlaskRegistryDir) from demoapp/flaskapp/Dockerfile. Compose builds
// them under these tags; the Kubernetes target runs them unless the spec
// names others.
const (
	DemoAppImage  = "stackc-demoapp:local"
	FlaskAppImage = "stackc-flaskapp:local"
	// FlaskRegistryDir is where the Flask image holds the generated registries.
	FlaskRegistryDir = "/app/registry"
)

// FlaskRegistryPath is the path of svc's generated registry in the Flask image.
func FlaskRegistryPath(service string) string {
	return FlaskRegistryDir + "/" + PythonModule(service) + ".py"
}
