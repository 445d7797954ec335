// Package pyregistry generates the Python metric registry of every service
// the spec marks `language: 'python'`: one self-contained module per
// service, out/python/<service>_metrics.py, for prometheus_client (0.16 and
// later) and Flask (2.2 and later).
//
// The module declares the same metrics as the Go registry (names, labels,
// buckets, bounded label values, all from package slo and the model), binds
// every series at zero on creation, refuses label values the spec does not
// list, and integrates with Flask: requests are labelled by the matched
// url_rule's spec endpoint (never the raw path), unmatched requests share
// one label value, exceptions are 500s and a client that went away is a 499,
// not a server error.
package pyregistry

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Dir is the modules' directory, relative to out/.
const Dir = "python"

// ModuleName is the Python module name of a service's registry.
func ModuleName(service string) string { return slo.PythonModule(service) }

// Emit writes the registry module of every Python service of st.
func Emit(st *model.Stack, _ artifact.Reader, out artifact.Writer) error {
	files, err := emitFiles(st)
	if err != nil {
		return err
	}
	return artifact.WriteAll(out, files...)
}

func emitFiles(st *model.Stack) ([]artifact.File, error) {
	var files []artifact.File
	for _, svc := range st.Services {
		if svc.Language != model.Python {
			continue
		}
		var buf bytes.Buffer
		if err := moduleTemplate.Execute(&buf, newView(svc)); err != nil {
			return nil, fmt.Errorf("service %s: internal: %w", svc.Name, err)
		}
		files = append(files, artifact.File{Path: Dir + "/" + ModuleName(svc.Name) + ".py", Data: buf.Bytes()})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

type view struct {
	Name, Team, Module          string
	Port, AdminPort             int
	StatusCodes, LatencyBuckets string
	Endpoints                   []endpointView
	Metrics                     []metricView
	Labels                      []labelView
	RequestsTotal               string
	RequestDuration             string
	RequestsInFlight            string
	LabelEndpoint               string
	LabelMethod                 string
	LabelCode                   string
}

type endpointView struct {
	Name, Method, Route string
	Latency, LatencyP99 string
	ErrorRate, Weight   string
}

type metricView struct {
	Name, Help, Class string
	Attr              string
	Labels            []labelRef
	Buckets           string
	Objectives        string
}

type labelRef struct{ Name, Values string }

type labelView struct{ Const, Value string }

func newView(svc model.Service) view {
	v := view{
		Name: svc.Name, Team: svc.Team, Module: ModuleName(svc.Name), Port: svc.Port, AdminPort: svc.AdminPort,
		StatusCodes:    pyInts(svc.StatusCodes),
		LatencyBuckets: pyFloats(svc.LatencyBuckets),
		RequestsTotal:  slo.RequestsTotal, RequestDuration: slo.RequestDuration, RequestsInFlight: slo.RequestsInFlight,
		LabelEndpoint: slo.LabelEndpoint, LabelMethod: slo.LabelMethod, LabelCode: slo.LabelCode,
	}
	for _, ep := range svc.Endpoints {
		v.Endpoints = append(v.Endpoints, endpointView{
			Name: strconv.Quote(ep.Name), Method: strconv.Quote(ep.Method), Route: strconv.Quote(ep.Route),
			Latency:    pyFloat(time.Duration(ep.Sim.Latency).Seconds()),
			LatencyP99: pyFloat(time.Duration(ep.Sim.LatencyP99).Seconds()),
			ErrorRate:  pyFloat(ep.Sim.ErrorRate), Weight: pyFloat(ep.Sim.Weight),
		})
	}
	seen := map[string]bool{}
	for _, m := range svc.Metrics {
		mv := metricView{Name: strconv.Quote(m.Name), Help: strconv.Quote(m.Help), Attr: constName(m.Name)}
		switch m.Type {
		case model.Counter:
			mv.Class = "Counter"
		case model.Gauge:
			mv.Class = "Gauge"
		case model.Histogram:
			mv.Class = "Histogram"
			mv.Buckets = pyFloats(m.Buckets)
		case model.Summary:
			// prometheus_client's Summary has no quantiles; the Go side's
			// objectives stay a Go feature, count and sum agree.
			mv.Class = "Summary"
		}
		for _, l := range m.Labels {
			vals := make([]string, len(l.Values))
			for i, val := range l.Values {
				vals[i] = strconv.Quote(val)
				c := strings.ToUpper(constName(l.Name) + "_" + constName(val))
				if !seen[c] {
					seen[c] = true
					v.Labels = append(v.Labels, labelView{Const: c, Value: strconv.Quote(val)})
				}
			}
			mv.Labels = append(mv.Labels, labelRef{Name: strconv.Quote(l.Name), Values: "(" + strings.Join(vals, ", ") + ",)"})
		}
		v.Metrics = append(v.Metrics, mv)
	}
	return v
}

// constName turns a label name or value into part of a Python identifier.
func constName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

func pyFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

func pyFloats(fs []float64) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = pyFloat(f)
	}
	return "(" + strings.Join(parts, ", ") + ",)"
}

func pyInts(is []int) string {
	parts := make([]string, len(is))
	for i, n := range is {
		parts[i] = strconv.Itoa(n)
	}
	return "(" + strings.Join(parts, ", ") + ",)"
}

var moduleTemplate = template.Must(template.New("module").Parse(moduleSource))
