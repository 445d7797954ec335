// Package registry generates the Go metric registry services import:
// one package per service under <out>/metrics/<service>/, and an index
// package <out>/metrics that lists every service for generic servers like
// the demo app. The import path of the index package is the model's
// GoImportPath (the build derives it from the go.mod enclosing the output
// directory), so a registry built into another Go module builds there.
//
// One package per service keeps the generated names short and collision
// free when a spec has several services (shop.PaymentCard, shop.New), and
// lets an application import only its own service. Each service package
// declares the RED metrics (named as in package slo, with the spec's
// buckets), every business metric with a Go type per label whose only
// values are the spec's, and the endpoint table with the simulated
// behaviour, and plugs into package runtime/instrument for binding and
// the HTTP middleware.
package registry

import (
	"bytes"
	"fmt"
	"go/format"
	"go/token"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// DefaultImportPath is the import path of the index package when the model
// names none: this repository's out/metrics. Service packages live below
// the index package.
const DefaultImportPath = "github.com/stackc/stackc/out/metrics"

// Dir is the index package's directory, relative to out/.
const Dir = "metrics"

// RuntimePath is the import path of the runtime package the generated code
// plugs into. It is part of this module, which an application's go.mod
// requires like any library.
const RuntimePath = "github.com/stackc/stackc/runtime/instrument"

// Emit generates the registry packages of every service of st.
func emitFiles(st *model.Stack) ([]artifact.File, error) {
	importPath := st.GoImportPath
	if importPath == "" {
		importPath = DefaultImportPath
	}
	var files []artifact.File
	index := indexView{Runtime: RuntimePath}
	owner := map[string]string{}
	for _, svc := range st.Services {
		pkg := PackageName(svc.Name)
		if other, dup := owner[pkg]; dup {
			return nil, fmt.Errorf("services %q and %q both map to the Go package %s; rename one", other, svc.Name, pkg)
		}
		owner[pkg] = svc.Name
		view, err := newServiceView(svc, pkg)
		if err == nil {
			view.Runtime = RuntimePath
		}
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", svc.Name, err)
		}
		src, err := render(serviceTemplate, view)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", svc.Name, err)
		}
		files = append(files, artifact.File{Path: Dir + "/" + pkg + "/metrics.go", Data: src})
		index.Services = append(index.Services, indexEntry{Package: pkg, Import: importPath + "/" + pkg})
	}
	src, err := render(indexTemplate, index)
	if err != nil {
		return nil, err
	}
	files = append(files, artifact.File{Path: Dir + "/metrics.go", Data: src})
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// PackageName is the Go package (and directory) name of a service's
// registry: the service name without dashes, with "metrics" appended when
// that would be a keyword or a name the go command treats specially.
func PackageName(service string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(service) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	name := b.String()
	switch {
	case name == "" || name[0] >= '0' && name[0] <= '9':
		return "svc" + name + "metrics"
	case token.IsKeyword(name), name == "main", name == "internal", name == "testdata", name == "vendor":
		return name + "metrics"
	}
	return name
}

func render(t *template.Template, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("internal: rendering %s: %w", t.Name(), err)
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("internal: generated Go does not parse: %w\n%s", err, buf.Bytes())
	}
	return src, nil
}

// names hands out unique Go identifiers in one scope, deterministically:
// the first comer keeps its preferred name, later ones get a suffix.
type names map[string]bool

func (n names) take(preferred, suffix string) string {
	if !n[preferred] {
		n[preferred] = true
		return preferred
	}
	for i := 1; ; i++ {
		cand := preferred + suffix
		if i > 1 {
			cand += strconv.Itoa(i)
		}
		if !n[cand] {
			n[cand] = true
			return cand
		}
	}
}

// exported returns slo.Camel(s), or fallback when s has no letters or digits
// or starts with a digit.
func exported(s, fallback string) string {
	id := slo.Camel(s)
	if id == "" || !unicode.IsLetter([]rune(id)[0]) {
		return fallback + id
	}
	return id
}

func lowerFirst(s string) string {
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// goDuration writes d as a Go expression in the largest unit that divides it.
func goDuration(d time.Duration) string {
	units := []struct {
		d    time.Duration
		name string
	}{{time.Hour, "time.Hour"}, {time.Minute, "time.Minute"}, {time.Second, "time.Second"},
		{time.Millisecond, "time.Millisecond"}, {time.Microsecond, "time.Microsecond"}}
	if d == 0 {
		return "0"
	}
	for _, u := range units {
		if d%u.d == 0 {
			return fmt.Sprintf("%d * %s", d/u.d, u.name)
		}
	}
	return strconv.FormatInt(int64(d), 10)
}

func goFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func goFloats(fs []float64) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = goFloat(f)
	}
	return strings.Join(parts, ", ")
}

func goInts(is []int) string {
	parts := make([]string, len(is))
	for i, v := range is {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ", ")
}

func goStrings(ss []string) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = strconv.Quote(s)
	}
	return strings.Join(parts, ", ")
}

// comment makes free text safe inside a // comment.
func comment(s string) string { return strings.Join(strings.Fields(s), " ") }

type indexView struct {
	Runtime  string
	Services []indexEntry
}

type indexEntry struct{ Package, Import string }

type serviceView struct {
	Runtime             string
	Package, Name, Team string
	Port, AdminPort     int
	Endpoints           []endpointView
	StatusCodes         string
	LatencyBuckets      string
	NativeHistograms    bool
	RequestsTotal       string
	RequestDuration     string
	RequestsInFlight    string
	LabelEndpoint       string
	LabelMethod         string
	LabelCode           string
	Labels              []labelView
	Metrics             []metricView
	UsesTime            bool
}

type endpointView struct {
	Const, Name, Method, Route string
	Latency, LatencyP99        string
	ErrorRate, Weight          string
}

type labelView struct {
	Type, Label, ValuesVar, Parse string
	Index                         string
	Values                        []valueView
	Metrics                       string
}

type valueView struct{ Var, Value string }

type metricView struct {
	Field, Name, Help, Type string
	Opts, Ctor, VecCtor     string
	Child                   string
	Vec                     string
	Labels                  []labelRef
	LabelNames              string
	Size                    int
	Index                   string
	ValuesVars              string
	Buckets                 string
	Objectives              string
	// RuntimeType is the runtime's constant for the metric type.
	RuntimeType string
}

type labelRef struct{ Param, Type, Name, ValuesVar string }

// reserved are the package-level names the service template always declares.
var reserved = []string{"New", "Metrics", "Service", "Endpoint", "Endpoints", "StatusCodes", "LatencyBuckets"}

func newServiceView(svc model.Service, pkg string) (*serviceView, error) {
	top := names{}
	for _, r := range reserved {
		top[r] = true
	}
	v := &serviceView{
		Package: pkg, Name: svc.Name, Team: svc.Team, Port: svc.Port, AdminPort: svc.AdminPort,
		StatusCodes:      goInts(svc.StatusCodes),
		LatencyBuckets:   goFloats(svc.LatencyBuckets),
		NativeHistograms: svc.NativeHistograms,
		RequestsTotal:    slo.RequestsTotal, RequestDuration: slo.RequestDuration, RequestsInFlight: slo.RequestsInFlight,
		LabelEndpoint: slo.LabelEndpoint, LabelMethod: slo.LabelMethod, LabelCode: slo.LabelCode,
		UsesTime: svc.NativeHistograms || len(svc.Endpoints) > 0,
	}
	for _, ep := range svc.Endpoints {
		v.Endpoints = append(v.Endpoints, endpointView{
			Const:      top.take(exported(ep.Name, "Endpoint"), "Endpoint"),
			Name:       ep.Name,
			Method:     ep.Method,
			Route:      ep.Route,
			Latency:    goDuration(time.Duration(ep.Sim.Latency)),
			LatencyP99: goDuration(time.Duration(ep.Sim.LatencyP99)),
			ErrorRate:  goFloat(ep.Sim.ErrorRate),
			Weight:     goFloat(ep.Sim.Weight),
		})
	}

	// One label type per label name when every metric agrees on its values;
	// otherwise one per metric, so no type admits a value its metric lacks.
	type labelKey struct{ name, values string }
	byName := map[string]map[string]bool{}
	for _, m := range svc.Metrics {
		for _, l := range m.Labels {
			if byName[l.Name] == nil {
				byName[l.Name] = map[string]bool{}
			}
			byName[l.Name][strings.Join(l.Values, "\x00")] = true
		}
	}
	labelTypes := map[labelKey]*labelView{}
	fields := names{"HTTP": true, "Handle": true}
	for _, m := range svc.Metrics {
		mv := metricView{
			Field: fields.take(exported(m.Name, "Metric"), "Metric"),
			Name:  m.Name, Help: m.Help, Type: string(m.Type),
			Size: 1,
		}
		for _, l := range m.Labels {
			key := labelKey{l.Name, strings.Join(l.Values, "\x00")}
			lv, ok := labelTypes[key]
			if !ok {
				preferred := exported(l.Name, "Label")
				if len(byName[l.Name]) > 1 {
					preferred = exported(m.Name, "Metric") + preferred
				}
				typ := top.take(preferred, "Label")
				if len(l.Values) > 1<<16 {
					return nil, fmt.Errorf("metric %s: label %s has more than %d values", m.Name, l.Name, 1<<16)
				}
				index := "uint8"
				if len(l.Values) > 1<<8 {
					index = "uint16"
				}
				lv = &labelView{Type: typ, Label: l.Name, Index: index, ValuesVar: top.take(lowerFirst(typ)+"Values", ""), Parse: top.take("Parse"+typ, "")}
				ids := names{}
				for _, val := range l.Values {
					id := ids.take(exported(val, "V"), "")
					lv.Values = append(lv.Values, valueView{Var: top.take(typ+id, ""), Value: val})
				}
				labelTypes[key] = lv
				v.Labels = append(v.Labels, *lv)
			}
			mv.Labels = append(mv.Labels, labelRef{Param: paramName(l.Name, len(mv.Labels)), Type: lv.Type, Name: l.Name, ValuesVar: lv.ValuesVar})
			mv.Size *= len(l.Values)
			if mv.Size > 1<<20 {
				return nil, fmt.Errorf("metric %s: more than %d label combinations", m.Name, 1<<20)
			}
		}
		mv.RuntimeType = exported(string(m.Type), "")
		switch m.Type {
		case model.Counter:
			mv.Opts, mv.Ctor, mv.VecCtor, mv.Child = "CounterOpts", "NewCounter", "NewCounterVec", "prometheus.Counter"
		case model.Gauge:
			mv.Opts, mv.Ctor, mv.VecCtor, mv.Child = "GaugeOpts", "NewGauge", "NewGaugeVec", "prometheus.Gauge"
		case model.Histogram:
			mv.Opts, mv.Ctor, mv.VecCtor, mv.Child = "HistogramOpts", "NewHistogram", "NewHistogramVec", "prometheus.Histogram"
			mv.Buckets = goFloats(m.Buckets)
		case model.Summary:
			mv.Opts, mv.Ctor, mv.VecCtor, mv.Child = "SummaryOpts", "NewSummary", "NewSummaryVec", "prometheus.Summary"
			objs := append([]model.Objective(nil), m.Objectives...)
			sort.Slice(objs, func(i, j int) bool { return objs[i].Quantile < objs[j].Quantile })
			parts := make([]string, len(objs))
			for i, o := range objs {
				parts[i] = goFloat(o.Quantile) + ": " + goFloat(o.Error)
			}
			mv.Objectives = strings.Join(parts, ", ")
		default:
			return nil, fmt.Errorf("metric %s: unknown type %q", m.Name, m.Type)
		}
		if len(mv.Labels) > 0 {
			if m.Type == model.Histogram || m.Type == model.Summary {
				mv.Child = "prometheus.Observer"
			}
			mv.Vec = top.take(mv.Field+"Vec", "")
			var labelNames, valuesVars, terms []string
			stride := mv.Size
			for i, l := range m.Labels {
				stride /= len(l.Values)
				labelNames = append(labelNames, l.Name)
				valuesVars = append(valuesVars, labelTypes[labelKey{l.Name, strings.Join(l.Values, "\x00")}].ValuesVar+"[:]")
				term := "int(" + mv.Labels[i].Param + ".i)"
				if stride > 1 {
					term += "*" + strconv.Itoa(stride)
				}
				terms = append(terms, term)
			}
			mv.LabelNames = goStrings(labelNames)
			mv.ValuesVars = strings.Join(valuesVars, ", ")
			mv.Index = strings.Join(terms, " + ")
		}
		v.Metrics = append(v.Metrics, mv)
	}
	for i := range v.Labels {
		var users []string
		for _, mv := range v.Metrics {
			for _, l := range mv.Labels {
				if l.Type == v.Labels[i].Type {
					users = append(users, mv.Name)
				}
			}
		}
		v.Labels[i].Metrics = strings.Join(users, ", ")
	}
	return v, nil
}

// paramName is a parameter name for a label: its lower camel form, unless
// that is a Go keyword or would shadow something the method body uses.
func paramName(label string, i int) string {
	id := slo.Camel(label)
	if id == "" {
		return "l" + strconv.Itoa(i)
	}
	p := lowerFirst(id)
	if token.IsKeyword(p) || p == "v" || p == "int" || p == "prometheus" {
		return p + "Value"
	}
	if !unicode.IsLetter([]rune(p)[0]) {
		return "l" + p
	}
	return p
}

// Emit is the target (artifact.Emitter): it writes the files of emitFiles.
func Emit(st *model.Stack, _ artifact.Reader, out artifact.Writer) error {
	files, err := emitFiles(st)
	if err != nil {
		return err
	}
	return artifact.WriteAll(out, files...)
}
