package grafana

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"

	"github.com/stackc/stackc/compiler/internal/shape"
	"github.com/stackc/stackc/compiler/promlint"
	"github.com/stackc/stackc/compiler/slo"
)

// Problem is one lint finding, located at a dashboard and, where it
// applies, a panel.
type Problem struct {
	Dashboard string
	// PanelID and Panel (its title) are zero for dashboard-level problems.
	PanelID uint32
	Panel   string
	Message string
}

func (p Problem) String() string {
	if p.Panel == "" && p.PanelID == 0 {
		return fmt.Sprintf("dashboard %s: %s", p.Dashboard, p.Message)
	}
	return fmt.Sprintf("dashboard %s, panel %d %q: %s", p.Dashboard, p.PanelID, p.Panel, p.Message)
}

// LintError is a failed dashboard lint; the build prints every problem.
type LintError struct{ Problems []Problem }

func (e *LintError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%d dashboard lint problem(s):\n\t%s", len(e.Problems), strings.Join(lines, "\n\t"))
}

var registerPlugins sync.Once

// Decode reads dashboard JSON with the SDK's strict decoder, which rejects
// unknown or mistyped fields in the dashboard, its panels' options and
// their Prometheus queries.
//
// The strict decoder of v0.0.22 only validates: on success each nested
// decoder returns a typed-nil cog.BuildErrors, which its caller takes for
// a failure, silently dropping every panel, query and options block from
// the result. So the value returned comes from the SDK's regular decoder,
// after the strict one accepted the document; the tests check that the
// value encodes back to the same JSON.
func Decode(data []byte) (*dashboard.Dashboard, error) {
	if err := checkStrict(data); err != nil {
		return nil, err
	}
	d := &dashboard.Dashboard{}
	if err := json.Unmarshal(data, d); err != nil {
		return nil, err
	}
	return d, nil
}

// checkStrict is the validating half of Decode.
func checkStrict(data []byte) error {
	// Panel options and queries decode into their typed structs only when
	// the plugin variants are registered.
	registerPlugins.Do(plugins.RegisterDefaultPlugins)
	if err := (&dashboard.Dashboard{}).UnmarshalJSONStrict(data); !isNil(err) {
		return err
	}
	return strictFieldConfigs(data)
}

// strictFieldConfigs checks every panel's fieldConfig strictly, which the
// SDK's strict panel decoder reads leniently except for its custom part.
// Panels of one kind share their fieldConfig byte for byte, so each
// distinct one is decoded once.
func strictFieldConfigs(data []byte) error {
	var doc struct {
		Panels []rawPanel `json:"panels"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return err
	}
	checked := map[string]error{}
	var check func(path string, ps []rawPanel) error
	check = func(path string, ps []rawPanel) error {
		for i, p := range ps {
			where := fmt.Sprintf("%s[%d]", path, i)
			if p.FieldConfig != nil {
				err, seen := checked[string(p.FieldConfig)]
				if !seen {
					if err = (&dashboard.FieldConfigSource{}).UnmarshalJSONStrict(p.FieldConfig); isNil(err) {
						err = nil
					}
					checked[string(p.FieldConfig)] = err
				}
				if err != nil {
					return fmt.Errorf("%s.fieldConfig: %w", where, err)
				}
			}
			if err := check(where+".panels", p.Panels); err != nil {
				return err
			}
		}
		return nil
	}
	return check("panels", doc.Panels)
}

type rawPanel struct {
	FieldConfig json.RawMessage `json:"fieldConfig"`
	Panels      []rawPanel      `json:"panels"`
}

// isNil sees through the SDK's success value: UnmarshalJSONStrict returns
// its cog.BuildErrors slice as an error even when the slice is nil, and a
// typed nil in an interface is not == nil.
func isNil(err error) bool {
	if err == nil {
		return true
	}
	var be cog.BuildErrors
	return errors.As(err, &be) && len(be) == 0
}

// Lint checks one dashboard's JSON: it must decode strictly; panels need a
// title, a description, a unit, a unique id and a position; every data
// source reference must resolve to the provisioned Prometheus; every query,
// with Grafana's variables substituted, must parse as PromQL and use only
// metrics and labels in cat.
func Lint(data []byte, cat *promlint.Catalog) []Problem {
	d, err := Decode(data)
	if err != nil {
		return strictProblem(data, err)
	}
	return lintValue(d, cat)
}

// lintBuilt marshals a dashboard this package built and lints it as Lint
// lints the file: the JSON is checked with the strict decoder, the rest on
// the value itself, which spares the regular decode of a value already in
// hand. The tests check that a built value and its decoded file lint the
// same and encode the same.
//
// The strict decoding runs once per shape in shapes: a dashboard whose JSON
// differs from a checked one only in the spec names (names) decodes alike.
func lintBuilt(d *dashboard.Dashboard, cat *promlint.Catalog, shapes *shape.Memo, names []string) ([]byte, []Problem, error) {
	data, err := Marshal(*d)
	if err != nil {
		return nil, nil, fmt.Errorf("dashboard %s: %w", deref(d.Uid), err)
	}
	if err := shapes.Check(shape.Key(data, names...), func() error { return checkStrict(data) }); err != nil {
		return data, strictProblem(data, err), nil
	}
	return data, lintValue(d, cat), nil
}

func strictProblem(data []byte, err error) []Problem {
	return []Problem{{Dashboard: uidOf(data), Message: "strict decoding failed: " + err.Error()}}
}

// lintValue runs every check after strict decoding on a dashboard value.
func lintValue(d *dashboard.Dashboard, cat *promlint.Catalog) []Problem {
	l := &linter{uid: deref(d.Uid), cat: cat, ids: map[uint32]string{}, vars: map[string]string{}}
	if l.uid == "" {
		l.uid = "(no uid)"
		l.dashboardf("has no uid")
	}
	if deref(d.Title) == "" {
		l.dashboardf("has no title")
	}
	if d.SchemaVersion != SchemaVersion {
		l.dashboardf("schemaVersion %d, want the pinned %d", d.SchemaVersion, SchemaVersion)
	}
	l.variables(d.Templating.List)
	for _, pr := range d.Panels {
		switch {
		case pr.Panel != nil:
			l.panel(pr.Panel)
		case pr.RowPanel != nil:
			l.row(pr.RowPanel)
		}
	}
	return l.problems
}

type linter struct {
	uid      string
	cat      *promlint.Catalog
	ids      map[uint32]string
	vars     map[string]string
	problems []Problem
}

func (l *linter) dashboardf(format string, args ...any) {
	l.problems = append(l.problems, Problem{Dashboard: l.uid, Message: fmt.Sprintf(format, args...)})
}

func (l *linter) panelf(id uint32, title, format string, args ...any) {
	l.problems = append(l.problems, Problem{Dashboard: l.uid, PanelID: id, Panel: title, Message: fmt.Sprintf(format, args...)})
}

// variables records each template variable's stand-in value for query
// substitution and checks that data sources default to the provisioned one.
func (l *linter) variables(vars []dashboard.VariableModel) {
	hasDatasource := false
	for _, v := range vars {
		switch v.Type {
		case "datasource":
			hasDatasource = v.Name == varDatasource
			cur := ""
			if v.Current != nil {
				cur = deref(v.Current.Value.String)
			}
			if v.Query == nil || deref(v.Query.String) != "prometheus" {
				l.dashboardf("data source variable %q must list prometheus data sources", v.Name)
			}
			if cur != slo.DatasourceUID {
				l.dashboardf("data source variable %q must default to the provisioned %q, got %q", v.Name, slo.DatasourceUID, cur)
			}
			l.vars[v.Name] = slo.DatasourceUID
		case "query":
			l.datasource(0, "variable "+v.Name, v.Datasource)
			// Variables are used inside regex matchers (=~"$instance").
			l.vars[v.Name] = ".*"
			if v.Query != nil && v.Query.String != nil {
				l.variableQuery(v.Name, *v.Query.String)
			}
		default:
			l.vars[v.Name] = ".*"
		}
	}
	if !hasDatasource {
		l.dashboardf("has no data source variable named %q", varDatasource)
	}
}

var labelValuesQuery = regexp.MustCompile(`^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$`)

// variableQuery checks label_values(selector, label): the selector like any
// panel query, and that its metric has the label.
func (l *linter) variableQuery(name, q string) {
	m := labelValuesQuery.FindStringSubmatch(q)
	if m == nil {
		l.dashboardf("variable %q: query %q is not label_values(selector, label)", name, q)
		return
	}
	expr := l.substitute(m[1])
	if err := promlint.Check(fmt.Sprintf("count by (%s) (%s)", m[2], expr), l.cat); err != nil {
		l.dashboardf("variable %q: %s", name, oneLine(err))
	}
}

func (l *linter) datasource(id uint32, where string, ref *common.DataSourceRef) {
	if ref == nil {
		l.panelf(id, where, "has no data source")
		return
	}
	uid := deref(ref.Uid)
	if v, ok := strings.CutPrefix(uid, "${"); ok {
		uid = l.vars[strings.TrimSuffix(v, "}")]
	}
	if uid != slo.DatasourceUID || deref(ref.Type) != "prometheus" {
		l.panelf(id, where, "data source %s/%s is not the provisioned prometheus/%s", deref(ref.Type), deref(ref.Uid), slo.DatasourceUID)
	}
}

func (l *linter) id(id *uint32, title string) uint32 {
	if id == nil {
		l.panelf(0, title, "has no id")
		return 0
	}
	if other, dup := l.ids[*id]; dup {
		l.panelf(*id, title, "duplicate panel id %d (also %q)", *id, other)
	}
	l.ids[*id] = title
	return *id
}

func (l *linter) row(r *dashboard.RowPanel) {
	title := deref(r.Title)
	id := l.id(cog.ToPtr(r.Id), title)
	if title == "" {
		l.panelf(id, title, "row has no title")
	}
	if r.GridPos == nil {
		l.panelf(id, title, "row has no gridPos")
	}
	for i := range r.Panels {
		l.panel(&r.Panels[i])
	}
}

func (l *linter) panel(p *dashboard.Panel) {
	title := deref(p.Title)
	id := l.id(p.Id, title)
	if title == "" {
		l.panelf(id, title, "has no title")
	}
	if deref(p.Description) == "" {
		l.panelf(id, title, "has no description")
	}
	if p.FieldConfig == nil || deref(p.FieldConfig.Defaults.Unit) == "" {
		l.panelf(id, title, "has no unit")
	}
	if p.GridPos == nil || p.GridPos.W == 0 || p.GridPos.H == 0 || p.GridPos.X+p.GridPos.W > gridWidth {
		l.panelf(id, title, "has no valid gridPos")
	}
	l.datasource(id, title, p.Datasource)
	if len(p.Targets) == 0 {
		l.panelf(id, title, "has no queries")
	}
	for _, t := range p.Targets {
		q, ok := t.(prometheus.Dataquery)
		if !ok {
			if qp, okp := t.(*prometheus.Dataquery); okp {
				q, ok = *qp, true
			}
		}
		if !ok {
			l.panelf(id, title, "query of type %T is not a Prometheus query", t)
			continue
		}
		l.datasource(id, title, q.Datasource)
		expr := l.substitute(q.Expr)
		if left := variableRef.FindAllString(expr, -1); len(left) > 0 {
			l.panelf(id, title, "query %s %s: unknown variable(s) %s", deref(q.RefId), q.Expr, strings.Join(left, ", "))
			continue
		}
		if err := promlint.Check(expr, l.cat); err != nil {
			l.panelf(id, title, "query %s %s: %s", deref(q.RefId), q.Expr, oneLine(err))
		}
	}
}

// Stand-ins for Grafana's built-in variables: any valid duration will do
// for parsing and name checks.
var builtins = map[string]string{
	"__rate_interval": "5m",
	"__interval":      "1m",
	"__range":         "1d",
	"__range_s":       "86400",
	"__range_ms":      "86400000",
	"__interval_ms":   "60000",
}

// variableRef matches $name, ${name}, ${name:format} and [[name]].
var variableRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\[\[([A-Za-z_][A-Za-z0-9_]*)(?::[^\]]*)?\]\]`)

// substitute replaces Grafana variables with stand-ins; unknown variables
// stay, so the parser or the catalog check reports them.
func (l *linter) substitute(expr string) string {
	return variableRef.ReplaceAllStringFunc(expr, func(ref string) string {
		m := variableRef.FindStringSubmatch(ref)
		name := m[1] + m[2] + m[3]
		if v, ok := builtins[name]; ok {
			return v
		}
		if v, ok := l.vars[name]; ok {
			return v
		}
		return ref
	})
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

// uidOf finds a dashboard's uid for a message when strict decoding failed.
func uidOf(data []byte) string {
	m := regexp.MustCompile(`"uid":\s*"([^"]*)"`).FindSubmatch(data)
	if m == nil {
		return "(unknown)"
	}
	return string(m[1])
}
