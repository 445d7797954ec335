package grafana

import (
	"fmt"
	"net"
	"path"
	"strconv"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// DashboardsEnv is the environment variable the dashboard provider reads
// its directory from; Grafana expands variables in provisioning files.
const DashboardsEnv = slo.GrafanaDashboardsEnv

type datasourceFile struct {
	APIVersion  int          `yaml:"apiVersion"`
	Datasources []datasource `yaml:"datasources"`
}

type datasource struct {
	Name      string         `yaml:"name"`
	Type      string         `yaml:"type"`
	UID       string         `yaml:"uid"`
	Access    string         `yaml:"access"`
	URL       string         `yaml:"url"`
	IsDefault bool           `yaml:"isDefault"`
	Editable  bool           `yaml:"editable"`
	JSONData  datasourceJSON `yaml:"jsonData"`
}

type datasourceJSON struct {
	// TimeInterval is the scrape interval; Grafana derives $__rate_interval from it.
	TimeInterval string `yaml:"timeInterval"`
	HTTPMethod   string `yaml:"httpMethod"`
}

type dashboardFile struct {
	APIVersion int        `yaml:"apiVersion"`
	Providers  []provider `yaml:"providers"`
}

type provider struct {
	Name                  string          `yaml:"name"`
	OrgID                 int             `yaml:"orgId"`
	Folder                string          `yaml:"folder"`
	FolderUID             string          `yaml:"folderUid"`
	Type                  string          `yaml:"type"`
	DisableDeletion       bool            `yaml:"disableDeletion"`
	AllowUIUpdates        bool            `yaml:"allowUiUpdates"`
	UpdateIntervalSeconds int             `yaml:"updateIntervalSeconds"`
	Options               providerOptions `yaml:"options"`
}

type providerOptions struct {
	Path                      string `yaml:"path"`
	FoldersFromFilesStructure bool   `yaml:"foldersFromFilesStructure"`
}

// datasourceHeader and dashboardHeader follow slo.Header.
const datasourceHeader = `# The Prometheus data source every generated panel uses (uid %s).
# Grafana reads this directory as its provisioning/datasources.
`

const dashboardHeader = `# Loads the generated dashboards (out/grafana/dashboards) read-only: change
# the spec, not the dashboards in the UI.
#
# The directory comes from $%[1]s:
#   native:  %[1]s=$PWD/out/grafana/dashboards grafana server \
#              cfg:paths.provisioning=$PWD/out/grafana/provisioning
#   compose: mount ./grafana/dashboards at /var/lib/grafana/dashboards/stackc
#            and set %[1]s=/var/lib/grafana/dashboards/stackc
`

// provisioning returns the data source and dashboard provider files, and
// the Compose version of the data source, which reaches Prometheus (or
// Thanos Query, slo.QueryServer) by its service name.
func provisioning(st *model.Stack) ([]artifact.File, error) {
	inCompose, err := slo.InContainers(st, slo.GrafanaServer)
	if err != nil {
		return nil, err
	}
	composeDS, err := datasourceYAML(inCompose)
	if err != nil {
		return nil, err
	}
	dsData, err := datasourceYAML(st)
	if err != nil {
		return nil, err
	}
	db := dashboardFile{APIVersion: 1, Providers: []provider{{
		Name:                  "stackc",
		OrgID:                 1,
		Folder:                "stackc",
		FolderUID:             "stackc",
		Type:                  "file",
		DisableDeletion:       true,
		AllowUIUpdates:        false,
		UpdateIntervalSeconds: 30,
		Options:               providerOptions{Path: "${" + DashboardsEnv + "}"},
	}}}
	dbData, err := artifact.YAML(slo.Header(st)+fmt.Sprintf(dashboardHeader, DashboardsEnv), db)
	if err != nil {
		return nil, err
	}
	return []artifact.File{
		{Path: DatasourceProvisioning, Data: dsData},
		{Path: path.Join(slo.ComposeDir, DatasourceProvisioning), Data: composeDS},
		{Path: DashboardProvisioning, Data: dbData},
	}, nil
}

// datasourceYAML is the data source: the server on slo.QueryPort, which is
// Prometheus, or in an HA stack with Thanos, Thanos Query, which answers the
// same PromQL over every replica, deduplicated.
func datasourceYAML(st *model.Stack) ([]byte, error) {
	ds := datasourceFile{APIVersion: 1, Datasources: []datasource{{
		Name:      "Prometheus",
		Type:      "prometheus",
		UID:       slo.DatasourceUID,
		Access:    "proxy",
		URL:       "http://" + net.JoinHostPort(localHost(st.Network.BindAddress), strconv.Itoa(slo.QueryPort(st))),
		IsDefault: true,
		Editable:  false,
		JSONData:  datasourceJSON{TimeInterval: st.ScrapeInterval.String(), HTTPMethod: "POST"},
	}}}
	return artifact.YAML(slo.Header(st)+fmt.Sprintf(datasourceHeader, slo.DatasourceUID), ds)
}

// localHost is the address a local Grafana reaches a server bound to bind:
// loopback unless the spec binds the stack to one specific address.
func localHost(bind string) string {
	if bind == "" || bind == "0.0.0.0" || bind == "::" {
		return "127.0.0.1"
	}
	return bind
}
