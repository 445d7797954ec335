package grafana

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/golden"
	"github.com/stackc/stackc/compiler/internal/shape"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/spec"
	"github.com/stackc/stackc/compiler/spec/spectest"
)

func emit(t *testing.T, st *model.Stack) []artifact.File {
	t.Helper()
	files, err := artifact.Files(Emit, st, nil)
	if err != nil {
		t.Fatalf("Emit: %v", err)
	}
	return files
}

// TestGolden compares the dashboards and provisioning files of the demo
// stack with testdata/golden; go test -update rewrites them.
func TestGolden(t *testing.T) {
	files := emit(t, spectest.Load(t, "../../stack.jsonnet", ""))
	golden.Dir(t, filepath.Join("testdata", "golden"), files)
}

func TestDeterministic(t *testing.T) {
	for _, path := range []string{"../../stack.jsonnet", "testdata/small.jsonnet"} {
		a, b := emit(t, spectest.Load(t, path, "")), emit(t, spectest.Load(t, path, ""))
		if len(a) != len(b) {
			t.Fatalf("%s: %d files, then %d", path, len(a), len(b))
		}
		for i := range a {
			if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
				t.Errorf("%s: %s differs between two builds", path, a[i].Path)
			}
		}
	}
}

func TestFilesAndUIDs(t *testing.T) {
	files := emit(t, spectest.Load(t, "testdata/small.jsonnet", ""))
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	want := []string{
		"compose/grafana/provisioning/datasources/prometheus.yaml",
		"grafana/dashboards/stackc-cafe-overview.json",
		"grafana/dashboards/stackc-cafe-slos.json",
		"grafana/provisioning/dashboards/stackc.yaml",
		"grafana/provisioning/datasources/prometheus.yaml",
	}
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Errorf("files:\n%s\nwant:\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
}

// TestStrictRoundTrip decodes every dashboard with the SDK's strict
// decoder and checks that encoding it again gives the same JSON, so no
// field is lost or invented on the way. Emit lints the value it encoded
// rather than a decoded copy of the file; this is what makes the two the
// same.
func TestStrictRoundTrip(t *testing.T) {
	stacks := map[string]*model.Stack{
		"stack.jsonnet": spectest.Load(t, "../../stack.jsonnet", ""),
		"small.jsonnet": spectest.Load(t, "testdata/small.jsonnet", ""),
	}
	for name, st := range stacks {
		t.Run(name, func(t *testing.T) { checkRoundTrip(t, emit(t, st)) })
	}
}

func checkRoundTrip(t *testing.T, files []artifact.File) {
	t.Helper()
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".json") {
			continue
		}
		d, err := Decode(f.Data)
		if err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		again, err := Marshal(*d)
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if err := json.Unmarshal(f.Data, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(again, &b); err != nil {
			t.Fatal(err)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Errorf("%s changes in a strict decode/encode round trip", f.Path)
		}
	}
}

// TestLintOfValueMatchesLintOfFile breaks built dashboards the way a bug
// in a builder would and checks that linting the value, as Emit does,
// finds exactly what Lint finds in the file.
func TestLintOfValueMatchesLintOfFile(t *testing.T) {
	st := spectest.Load(t, "testdata/small.jsonnet", "")
	cat := catalogOf(st)
	firstPanel := func(d *dashboard.Dashboard) *dashboard.Panel {
		for _, pr := range d.Panels {
			if pr.Panel != nil {
				return pr.Panel
			}
			if pr.RowPanel != nil && len(pr.RowPanel.Panels) > 0 {
				return &pr.RowPanel.Panels[0]
			}
		}
		t.Fatal("no panel")
		return nil
	}
	setExpr := func(p *dashboard.Panel, expr string) {
		switch q := p.Targets[0].(type) {
		case *prometheus.Dataquery:
			q.Expr = expr
		case prometheus.Dataquery:
			q.Expr = expr
			p.Targets[0] = q
		default:
			t.Fatalf("query of type %T", q)
		}
	}
	tests := []struct {
		name  string
		edit  func(d *dashboard.Dashboard)
		wants string
	}{
		{"unchanged", func(*dashboard.Dashboard) {}, ""},
		{"no description", func(d *dashboard.Dashboard) { firstPanel(d).Description = nil }, "no description"},
		{"no unit", func(d *dashboard.Dashboard) { firstPanel(d).FieldConfig.Defaults.Unit = nil }, "no unit"},
		{"no title", func(d *dashboard.Dashboard) { firstPanel(d).Title = nil }, "has no title"},
		{"duplicate id", func(d *dashboard.Dashboard) {
			var ids []*uint32
			for _, pr := range d.Panels {
				if pr.Panel != nil {
					ids = append(ids, pr.Panel.Id)
				}
			}
			*ids[1] = *ids[0]
		}, "duplicate panel id"},
		{"foreign data source", func(d *dashboard.Dashboard) {
			firstPanel(d).Datasource = &common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("other")}
		}, "is not the provisioned"},
		{"invalid PromQL", func(d *dashboard.Dashboard) { setExpr(firstPanel(d), "sum(rate(up[5m])") }, "invalid PromQL"},
		{"unknown variable", func(d *dashboard.Dashboard) { setExpr(firstPanel(d), "sum(rate(up[$window]))") }, "unknown variable"},
		{"schema version", func(d *dashboard.Dashboard) { d.SchemaVersion = 39 }, "schemaVersion 39"},
		{"no uid", func(d *dashboard.Dashboard) { d.Uid = nil }, "has no uid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 2 {
				ds, err := Dashboards(st)
				if err != nil {
					t.Fatal(err)
				}
				d := &ds[i]
				tt.edit(d)
				data, fromValue, err := lintBuilt(d, cat, &shape.Memo{}, nil)
				if err != nil {
					t.Fatal(err)
				}
				fromFile := Lint(data, cat)
				if !reflect.DeepEqual(fromValue, fromFile) {
					t.Errorf("dashboard %d: the value lints as\n%v\nthe file as\n%v", i, fromValue, fromFile)
				}
				text := fmt.Sprint(fromValue)
				if (tt.wants == "") != (len(fromValue) == 0) || !strings.Contains(text, tt.wants) {
					t.Errorf("dashboard %d: lint found %v, want a mention of %q", i, fromValue, tt.wants)
				}
			}
		})
	}
}

// TestLintRenamedMetric builds the dashboards of a spec, renames a
// business metric in the spec, and lints the old dashboards against the
// new stack: the lint must name the panel that still queries the old name.
func TestLintRenamedMetric(t *testing.T) {
	const path = "testdata/small.jsonnet"
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before := spectest.Load(t, path, "")
	renamedSrc := strings.Replace(string(src), "'cafe_coffees_total'", "'cafe_drinks_total'", 1)
	if renamedSrc == string(src) {
		t.Fatal("testdata no longer declares cafe_coffees_total")
	}
	res, err := spec.Load(path, []byte(renamedSrc), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	after := catalogOf(res.Stack)

	ds, err := Dashboards(before)
	if err != nil {
		t.Fatal(err)
	}
	data, err := Marshal(ds[0])
	if err != nil {
		t.Fatal(err)
	}
	if ps := Lint(data, catalogOf(before)); len(ps) != 0 {
		t.Fatalf("the dashboard fails the lint before the rename: %v", ps)
	}
	ps := Lint(data, after)
	if len(ps) != 1 {
		t.Fatalf("want one problem after the rename, got %d: %v", len(ps), ps)
	}
	got := ps[0].String()
	for _, want := range []string{"stackc-cafe-overview", `"cafe_coffees_total"`, "unknown metric"} {
		if !strings.Contains(got, want) {
			t.Errorf("problem %q does not mention %s", got, want)
		}
	}
	if ps[0].PanelID == 0 || ps[0].Panel != "cafe_coffees_total" {
		t.Errorf("problem names panel %d %q, want the cafe_coffees_total panel", ps[0].PanelID, ps[0].Panel)
	}
	// The same failure stops the build: Emit with the renamed stack's
	// catalog would never produce this dashboard, so check the error type.
	err = &LintError{Problems: ps}
	if !strings.Contains(err.Error(), "1 dashboard lint problem") {
		t.Errorf("LintError: %v", err)
	}
}

// TestLintFindings breaks one thing at a time in a generated dashboard and
// checks that the lint reports it.
func TestLintFindings(t *testing.T) {
	st := spectest.Load(t, "testdata/small.jsonnet", "")
	cat := catalogOf(st)
	ds, err := Dashboards(st)
	if err != nil {
		t.Fatal(err)
	}
	good, err := Marshal(ds[0])
	if err != nil {
		t.Fatal(err)
	}
	if ps := Lint(good, cat); len(ps) != 0 {
		t.Fatalf("generated dashboard has lint problems: %v", ps)
	}
	tests := []struct {
		name  string
		edit  func(d map[string]any)
		wants []string
	}{
		{"unknown field", func(d map[string]any) { d["colour"] = "blue" }, []string{"strict decoding failed", "colour"}},
		{"unknown query field", func(d map[string]any) {
			panelAt(d, 1)["targets"].([]any)[0].(map[string]any)["exprs"] = "up"
		}, []string{"strict decoding failed", "exprs"}},
		{"unknown options field", func(d map[string]any) {
			panelAt(d, 1)["options"].(map[string]any)["sparkline"] = true
		}, []string{"strict decoding failed", "sparkline"}},
		{"unknown field config field", func(d map[string]any) {
			panelAt(d, 1)["fieldConfig"].(map[string]any)["defaults"].(map[string]any)["units"] = "s"
		}, []string{"strict decoding failed", "units"}},
		{"no description", func(d map[string]any) { panelAt(d, 1)["description"] = "" }, []string{`panel 2 "Request rate"`, "no description"}},
		{"no unit", func(d map[string]any) {
			delete(panelAt(d, 1)["fieldConfig"].(map[string]any)["defaults"].(map[string]any), "unit")
		}, []string{"no unit"}},
		{"no title", func(d map[string]any) { panelAt(d, 1)["title"] = "" }, []string{"has no title"}},
		{"duplicate id", func(d map[string]any) { panelAt(d, 2)["id"] = 2 }, []string{"duplicate panel id 2"}},
		{"foreign data source", func(d map[string]any) {
			panelAt(d, 1)["datasource"] = map[string]any{"type": "prometheus", "uid": "other"}
		}, []string{"data source prometheus/other is not the provisioned"}},
		{"data source variable default", func(d map[string]any) {
			variables(d)[0].(map[string]any)["current"] = map[string]any{"text": "x", "value": "other"}
		}, []string{`must default to the provisioned "stackc-prometheus"`}},
		{"invalid PromQL", func(d map[string]any) { setExpr(d, 1, "sum(rate(http_requests_total[5m])") }, []string{"invalid PromQL"}},
		{"unknown label", func(d map[string]any) {
			setExpr(d, 1, `sum(rate(http_requests_total{path="/x"}[$__rate_interval]))`)
		}, []string{`no label "path"`}},
		{"unknown variable", func(d map[string]any) {
			setExpr(d, 1, `sum(rate(http_requests_total[$window]))`)
		}, []string{"unknown variable(s) $window"}},
		{"group by missing label", func(d map[string]any) {
			setExpr(d, 1, `sum by (route) (rate(http_requests_total[$__rate_interval]))`)
		}, []string{`label "route"`}},
		{"variable query", func(d map[string]any) {
			v := variables(d)[1].(map[string]any)
			v["query"] = `label_values(up{service="cafe"}, pod)`
		}, []string{`variable "instance"`, `label "pod"`}},
		{"schema version", func(d map[string]any) { d["schemaVersion"] = 39 }, []string{"schemaVersion 39"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d map[string]any
			if err := json.Unmarshal(good, &d); err != nil {
				t.Fatal(err)
			}
			tt.edit(d)
			data, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			ps := Lint(data, cat)
			if len(ps) == 0 {
				t.Fatal("lint found nothing")
			}
			var all []string
			for _, p := range ps {
				all = append(all, p.String())
			}
			text := strings.Join(all, "\n")
			for _, w := range tt.wants {
				if !strings.Contains(text, w) {
					t.Errorf("lint output does not mention %q:\n%s", w, text)
				}
			}
		})
	}
}

func TestDecodeSuccessIsNil(t *testing.T) {
	ds, err := Dashboards(spectest.Load(t, "testdata/small.jsonnet", ""))
	if err != nil {
		t.Fatal(err)
	}
	data, err := Marshal(ds[1])
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode(data)
	if err != nil || d == nil {
		t.Fatalf("Decode of a valid dashboard: %v (dashboard %v)", err, d)
	}
}

func panelAt(d map[string]any, i int) map[string]any {
	return d["panels"].([]any)[i].(map[string]any)
}

func variables(d map[string]any) []any {
	return d["templating"].(map[string]any)["list"].([]any)
}

func setExpr(d map[string]any, panel int, expr string) {
	panelAt(d, panel)["targets"].([]any)[0].(map[string]any)["expr"] = expr
}

func BenchmarkEmit(b *testing.B) {
	st := spectest.Load(b, "../../stack.jsonnet", "")
	for b.Loop() {
		if _, err := artifact.Files(Emit, st, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLint(b *testing.B) {
	st := spectest.Load(b, "../../stack.jsonnet", "")
	ds, err := Dashboards(st)
	if err != nil {
		b.Fatal(err)
	}
	data, err := Marshal(ds[1])
	if err != nil {
		b.Fatal(err)
	}
	cat := catalogOf(st)
	for b.Loop() {
		if ps := Lint(data, cat); len(ps) > 0 {
			b.Fatal(ps)
		}
	}
}

// TestEdgeSpecs builds and lints the dashboards of specs at the edges:
// no SLOs, no business metrics, disabled tiers, several services.
func TestEdgeSpecs(t *testing.T) {
	const head = "local s = import 'stackc.libsonnet';\n"
	tests := []struct {
		name       string
		src        string
		dashboards int
		burnPanels int
	}{
		{"no SLOs, no metrics", `s.stack { services: [s.service('a', team='t') { endpoints: [s.endpoint('GET', '/', name='root')] }],
			alerting: { receivers: { r: s.webhook('http://127.0.0.1:9095/x') } } }`, 1, 0},
		{"disabled tiers", `s.stack { services: [s.service('a', team='t') {
			endpoints: [s.endpoint('GET', '/', name='root')],
			slos: [s.availability('up', endpoint='root', objective=99, disabledTiers=['ticket-slow', 'ticket-fast'])] }],
			alerting: { receivers: { r: s.webhook('http://127.0.0.1:9095/x') } } }`, 2, 2},
		{"two services", `s.stack { services: [
			s.service('a', team='t', port=8080) { endpoints: [s.endpoint('GET', '/', name='root')],
				slos: [s.latency('fast', endpoint='root', threshold='250ms', objective=99)] },
			s.service('b', team='u', port=8070) { endpoints: [s.endpoint('GET', '/', name='root')] }],
			alerting: { receivers: { r: s.webhook('http://127.0.0.1:9095/x') } } }`, 3, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := spec.Load("edge.jsonnet", []byte(head+tt.src), spec.Options{})
			if err != nil {
				t.Fatal(err)
			}
			files := emit(t, res.Stack)
			checkRoundTrip(t, files)
			dashboards, burn := 0, 0
			for _, f := range files {
				if strings.HasPrefix(f.Path, DashboardDir+"/") {
					dashboards++
					burn += strings.Count(string(f.Data), `"title": "Burn rate `)
				}
			}
			if dashboards != tt.dashboards || burn != tt.burnPanels {
				t.Errorf("%d dashboards with %d burn-rate panels, want %d and %d", dashboards, burn, tt.dashboards, tt.burnPanels)
			}
		})
	}
}
