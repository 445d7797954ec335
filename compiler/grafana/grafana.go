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
	"runtime"
	"sync"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/stackc/stackc/compiler/artifact"
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
		d, err := overview(st, svc)
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", slo.DashboardUID(svc.Name, KindOverview), err)
		}
		out = append(out, d)
		if len(svc.SLOs) == 0 {
			continue
		}
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

// Marshal renders a dashboard as indented JSON, as Grafana's file provider reads it.
func Marshal(d dashboard.Dashboard) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return unescapeHTML(buf.Bytes()), nil
}

// unescapeHTML undoes the \u003c, \u003e and \u0026 escapes the SDK's
// own MarshalJSON methods write for <, > and &, so queries read as PromQL
// in the file and its diffs. An escape preceded by an odd number of
// backslashes is literal text and stays.
func unescapeHTML(data []byte) []byte {
	repl := map[string]byte{`\u003c`: '<', `\u003e`: '>', `\u0026`: '&'}
	out := make([]byte, 0, len(data))
	backslashes := 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '\\' && backslashes%2 == 0 && i+6 <= len(data) {
			if r, ok := repl[string(data[i:i+6])]; ok {
				out = append(out, r)
				i += 5
				continue
			}
		}
		if c == '\\' {
			backslashes++
		} else {
			backslashes = 0
		}
		out = append(out, c)
	}
	return out
}

// Emit returns the dashboards and the provisioning files. The dashboards
// are linted against the metrics the stack exports and records; a problem
// fails the build, naming the dashboard and panel.
func emitFiles(st *model.Stack) ([]artifact.File, error) {
	ds, err := Dashboards(st)
	if err != nil {
		return nil, err
	}
	cat := catalogOf(st)
	type linted struct {
		data     []byte
		problems []Problem
		err      error
	}
	// Dashboards are independent and their strict decoding dominates the
	// target, so they are checked on every core; results keep their order.
	results := make([]linted, len(ds))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(ds)) {
		wg.Go(func() {
			for i := range next {
				r := &results[i]
				r.data, r.problems, r.err = lintBuilt(&ds[i], cat)
			}
		})
	}
	for i := range ds {
		next <- i
	}
	close(next)
	wg.Wait()

	var files []artifact.File
	var problems []Problem
	for i, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		problems = append(problems, r.problems...)
		files = append(files, artifact.File{Path: DashboardPath(deref(ds[i].Uid)), Data: r.data})
	}
	if len(problems) > 0 {
		return nil, &LintError{Problems: problems}
	}
	prov, err := provisioning(st)
	if err != nil {
		return nil, err
	}
	return append(files, prov...), nil
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

// Emit is the target (artifact.Emitter): it writes the files of emitFiles.
func Emit(st *model.Stack, _ artifact.Reader, out artifact.Writer) error {
	files, err := emitFiles(st)
	if err != nil {
		return err
	}
	return artifact.WriteAll(out, files...)
}
