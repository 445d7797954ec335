// Package build runs the compiler: it loads the spec, runs every target's
// emitter over the validated model, and writes out/ atomically.
package build

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/stackc/stackc/compiler/alertmanager"
	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/compose"
	"github.com/stackc/stackc/compiler/grafana"
	"github.com/stackc/stackc/compiler/kubernetes"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/prometheus"
	"github.com/stackc/stackc/compiler/registry"
	"github.com/stackc/stackc/compiler/review"
	"github.com/stackc/stackc/compiler/ruler"
	"github.com/stackc/stackc/compiler/spec"
)

// Target is one output target: a pure function of the validated model.
type Target struct {
	Name string
	Emit func(*model.Stack) ([]artifact.File, error)
	// EmitFrom, set instead of Emit, also gets the output of the targets
	// before it, so it need not run them again.
	EmitFrom func(*model.Stack, artifact.Set) ([]artifact.File, error)
}

// Targets are every output target, in the order they run.
var Targets = []Target{
	{Name: "stack", Emit: emitStackJSON},
	{Name: "registry", Emit: registry.Emit},
	{Name: "prometheus", Emit: prometheus.Emit},
	{Name: "alertmanager", Emit: alertmanager.Emit},
	{Name: "grafana", Emit: grafana.Emit},
	{Name: "compose", EmitFrom: compose.EmitFrom},
	{Name: "kubernetes", EmitFrom: kubernetes.EmitFrom},
	{Name: "ruler", EmitFrom: ruler.EmitFrom},
	{Name: "review", Emit: review.Emit},
}

// Compile runs every target over st and returns the complete output,
// with the Marker that lets the next build replace it.
func Compile(st *model.Stack) (artifact.Set, error) {
	out := artifact.Set{}
	if err := out.Add(markerFile); err != nil {
		return nil, err
	}
	for _, t := range Targets {
		var files []artifact.File
		var err error
		if t.EmitFrom != nil {
			files, err = t.EmitFrom(st, out)
		} else {
			files, err = t.Emit(st)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		if err := out.Add(files...); err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
	}
	return out, nil
}

// CompileFile loads the spec at path and compiles it. A spec problem a
// target finds (a *spec.Error) is located in the spec like the loader's.
func CompileFile(path string, opts spec.Options) (artifact.Set, *spec.Result, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	res, err := spec.Load(path, src, opts)
	if err != nil {
		return nil, res, err
	}
	out, err := Compile(res.Stack)
	var specErr *spec.Error
	if errors.As(err, &specErr) {
		specErr.Locate(path, src)
	}
	return out, res, err
}

// emitStackJSON writes the resolved spec with every default filled in.
func emitStackJSON(st *model.Stack) ([]artifact.File, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return nil, err
	}
	return []artifact.File{{Path: "stack.json", Data: buf.Bytes()}}, nil
}
