// Package grafana emits the Grafana side of the stack: per service an
// overview and an SLO dashboard, built with grafana-foundation-sdk's
// builders as classic dashboard JSON, and the provisioning files that load
// them with the Prometheus data source. Every dashboard passes Lint's
// checks before it is written.
package grafana

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/parallel"
	"github.com/stackc/stackc/compiler/internal/shape"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Output paths, relative to out/.
const (
	DashboardDir           = slo.GrafanaDashboardDir
	DatasourceProvisioning = slo.GrafanaProvisioningDir + "/datasources/prometheus.yaml"
	DashboardProvisioning  = slo.GrafanaProvisioningDir + "/dashboards/stackc.yaml"
)

// SchemaVersion is the classic dashboard schema the SDK emits (Grafana 12).
// It is pinned so that Grafana never migrates, and rewrites, a provisioned
// dashboard on load; a new SDK that changes it fails the tests.
const SchemaVersion = 42

// DashboardPath is where the dashboard with uid is written.
func DashboardPath(uid string) string { return slo.DashboardPath(uid) }

// Dashboards builds every dashboard of the stack, in a stable order: per
// service its overview, then its SLO dashboard when it has SLOs.
func Dashboards(st *model.Stack) ([]dashboard.Dashboard, error) {
	var out []dashboard.Dashboard
	for _, svc := range st.Services {
		ds, err := serviceDashboards(st, svc)
		if err != nil {
			return nil, err
		}
		out = append(out, ds...)
	}
	return out, nil
}

// serviceDashboards builds the overview of svc and, when it has SLOs, its
// SLO dashboard.
func serviceDashboards(st *model.Stack, svc model.Service) ([]dashboard.Dashboard, error) {
	d, err := overview(st, svc)
	if err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", slo.DashboardUID(svc.Name, KindOverview), err)
	}
	out := []dashboard.Dashboard{d}
	if len(svc.SLOs) > 0 {
		d, err = slos(st, svc)
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", slo.DashboardUID(svc.Name, KindSLOs), err)
		}
		out = append(out, d)
	}
	for i := range out {
		if out[i].SchemaVersion != SchemaVersion {
			return nil, fmt.Errorf("internal: the SDK emits schemaVersion %d, stackc pins %d", out[i].SchemaVersion, SchemaVersion)
		}
	}
	return out, nil
}

// shapeNames are the spec names a service's dashboards are written from
// (see package shape).
func shapeNames(svc model.Service) []string {
	names := []string{svc.Name, slo.Camel(svc.Name), svc.Team}
	for _, s := range svc.SLOs {
		names = append(names, s.Name, s.Description)
	}
	for _, e := range svc.Endpoints {
		names = append(names, e.Name, e.Route)
	}
	return names
}

// Marshal renders a dashboard as indented JSON, as Grafana's file provider reads it.
func Marshal(d dashboard.Dashboard) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return indent(buf.Bytes()), nil
}

// indent lays out the compact JSON that encoding/json wrote as its
// Encoder does with SetIndent("", "  "), and undoes the \u003c, \u003e and
// \u0026 escapes the SDK's own MarshalJSON methods write for <, > and &,
// so queries read as PromQL in the file and its diffs. It is one pass over
// bytes that are valid JSON already, where the Encoder's indentation
// re-scans them with its validating state machine (a large part of a
// build's time); the tests check it against json.Indent.
func indent(compact []byte) []byte {
	out := make([]byte, 0, len(compact)+len(compact)/2)
	depth := 0
	newline := func() {
		out = append(out, '\n')
		for range depth {
			out = append(out, ' ', ' ')
		}
	}
	for i := 0; i < len(compact); i++ {
		c := compact[i]
		switch c {
		case '"':
			// Copy the string through its closing quote.
			out = append(out, c)
			for i++; i < len(compact); i++ {
				c = compact[i]
				if c == '\\' && i+1 < len(compact) {
					if r, ok := htmlEscape(compact[i:]); ok {
						out = append(out, r)
						i += 5
						continue
					}
					out = append(out, c, compact[i+1])
					i++
					continue
				}
				out = append(out, c)
				if c == '"' {
					break
				}
			}
		case '{', '[':
			out = append(out, c)
			if i+1 < len(compact) && (compact[i+1] == '}' || compact[i+1] == ']') {
				out = append(out, compact[i+1])
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			out = append(out, c)
		case ',':
			out = append(out, c)
			newline()
		case ':':
			out = append(out, c, ' ')
		default:
			out = append(out, c)
		}
	}
	return out
}

// htmlEscape reads \u003c, \u003e or \u0026 at the start of b.
func htmlEscape(b []byte) (byte, bool) {
	if len(b) < 6 || b[1] != 'u' || b[2] != '0' || b[3] != '0' {
		return 0, false
	}
	switch string(b[4:6]) {
	case "3c":
		return '<', true
	case "3e":
		return '>', true
	case "26":
		return '&', true
	}
	return 0, false
}

// Emit writes the dashboards and the provisioning files. Services are
// built and checked on every core. Every dashboard is linted against the
// metrics the stack exports and records; a problem fails the build, naming
// the dashboard and panel. The strict SDK decoding runs once per shape of
// dashboard (see package shape); the other checks run on every dashboard.
func Emit(st *model.Stack, _ artifact.Reader, out artifact.Writer) error {
	cat := catalogOf(st)
	var shapes shape.Memo
	problems := make([][]Problem, len(st.Services))
	err := parallel.Each(len(st.Services), func(i int) error {
		svc := st.Services[i]
		ds, err := serviceDashboards(st, svc)
		if err != nil {
			return err
		}
		names := shapeNames(svc)
		for j := range ds {
			data, ps, err := lintBuilt(&ds[j], cat, &shapes, names)
			if err != nil {
				return err
			}
			problems[i] = append(problems[i], ps...)
			if len(problems[i]) > 0 {
				continue
			}
			if err := out.Write(artifact.File{Path: DashboardPath(deref(ds[j].Uid)), Data: data}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var all []Problem
	for _, ps := range problems {
		all = append(all, ps...)
	}
	if len(all) > 0 {
		return &LintError{Problems: all}
	}
	prov, err := provisioning(st)
	if err != nil {
		return err
	}
	return artifact.WriteAll(out, prov...)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func datasourceVariable() cog.Builder[dashboard.VariableModel] {
	return dashboard.NewDatasourceVariableBuilder(varDatasource).
		Label("Data source").
		Type("prometheus").
		Regex("").
		Current(dashboard.VariableOption{
			Text:  dashboard.StringOrArrayOfString{String: cog.ToPtr("Prometheus")},
			Value: dashboard.StringOrArrayOfString{String: cog.ToPtr(slo.DatasourceUID)},
		}).
		Multi(false).
		IncludeAll(false)
}

// instanceQuery lists a service's instances from its scrape health series.
func instanceQuery(svc model.Service) string {
	return fmt.Sprintf(`label_values(up{%s="%s"}, instance)`, scrapeLabel, svc.Name)
}

func instanceVariable(svc model.Service) cog.Builder[dashboard.VariableModel] {
	q := instanceQuery(svc)
	return dashboard.NewQueryVariableBuilder(varInstance).
		Label("Instance").
		Description("Scrape targets of " + svc.Name + ".").
		Datasource(datasourceRef()).
		Query(dashboard.StringOrMap{String: cog.ToPtr(q)}).
		Definition(q).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortNaturalAsc).
		Multi(true).
		IncludeAll(true).
		AllValue(".*").
		Current(dashboard.VariableOption{
			Text:  dashboard.StringOrArrayOfString{String: cog.ToPtr("All")},
			Value: dashboard.StringOrArrayOfString{String: cog.ToPtr("$__all")},
		})
}

func dashboardLink(title, uid string) cog.Builder[dashboard.DashboardLink] {
	return dashboard.NewDashboardLinkBuilder(title).
		Type(dashboard.DashboardLinkTypeLink).
		Url("/d/" + uid).
		Icon("dashboard").
		Tooltip("").
		Tags([]string{}).
		AsDropdown(false).
		TargetBlank(false).
		IncludeVars(false).
		KeepTime(true)
}
