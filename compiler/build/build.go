// Package build runs the compiler: it loads the spec, runs every target's
// emitter over the validated model, and writes out/ atomically.
//
// Targets are siblings: each is a function of the model and of the
// artifacts of the targets it names in Needs, and none imports another
// target's package. Compile runs every target as soon as the targets it
// needs are done, so independent targets run at the same time; the output
// does not depend on the order in which they finish.
package build

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"sort"
	"sync"

	"github.com/stackc/stackc/compiler/alertmanager"
	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/compose"
	"github.com/stackc/stackc/compiler/grafana"
	"github.com/stackc/stackc/compiler/kubernetes"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/prometheus"
	"github.com/stackc/stackc/compiler/pyregistry"
	"github.com/stackc/stackc/compiler/registry"
	"github.com/stackc/stackc/compiler/review"
	"github.com/stackc/stackc/compiler/ruler"
	"github.com/stackc/stackc/compiler/simulate"
	"github.com/stackc/stackc/compiler/spec"
)

// Emitter is the one signature of every target: it reads the validated
// model and the artifacts of the targets it needs (prior; empty when it
// needs none) and writes its files to out as it produces them. It must not
// modify the model.
type Emitter = artifact.Emitter

// Target is one output target.
type Target struct {
	Name string
	// Needs names the targets whose artifacts Emit reads; they run first.
	Needs []string
	Emit  Emitter
}

// Targets are every output target. Their order is the order in which
// errors are reported; a target runs once the targets it needs are done.
var Targets = []Target{
	{Name: "stack", Emit: emitStackJSON},
	{Name: "registry", Emit: registry.Emit},
	{Name: "python", Emit: pyregistry.Emit},
	{Name: "prometheus", Emit: prometheus.Emit},
	{Name: "alertmanager", Emit: alertmanager.Emit},
	{Name: "grafana", Emit: grafana.Emit},
	{Name: "compose", Needs: []string{"prometheus", "alertmanager", "grafana"}, Emit: compose.Emit},
	{Name: "kubernetes", Needs: []string{"prometheus", "alertmanager", "grafana"}, Emit: kubernetes.Emit},
	{Name: "ruler", Needs: []string{"prometheus", "alertmanager"}, Emit: ruler.Emit},
	{Name: "simulate", Needs: []string{"prometheus", "alertmanager", "grafana"}, Emit: simulate.Emit},
	{Name: "review", Needs: []string{"alertmanager", "grafana", "simulate"}, Emit: review.Emit},
}

// Sink is where a build puts its files: a Writer that is safe for
// concurrent use, and that can read back what was written for the targets
// that need it.
type Sink interface {
	artifact.Writer
	Read(path string) ([]byte, error)
}

// Compile runs every target over st and returns the complete output in
// memory, with the Marker that lets the next build replace it.
func Compile(st *model.Stack) (artifact.Set, error) {
	sink := &setSink{set: artifact.Set{Marker: markerFile.Data}}
	if _, err := CompileTo(st, sink); err != nil {
		return nil, err
	}
	return sink.set, nil
}

// CompileTargets is Compile restricted to the named targets and the
// targets they need: what a consumer of some of the output (the native
// demo, which runs the servers' configs) compiles without waiting for the
// rest (the incident simulation and the review take most of a build).
// Without the Marker: the result is not an out/ directory a build replaces.
func CompileTargets(st *model.Stack, names ...string) (artifact.Set, error) {
	want := map[string]bool{}
	var add func(name string) error
	add = func(name string) error {
		i := slices.IndexFunc(Targets, func(t Target) bool { return t.Name == name })
		if i < 0 {
			return fmt.Errorf("no target %q", name)
		}
		if want[name] {
			return nil
		}
		want[name] = true
		for _, n := range Targets[i].Needs {
			if err := add(n); err != nil {
				return err
			}
		}
		return nil
	}
	for _, name := range names {
		if err := add(name); err != nil {
			return nil, err
		}
	}
	// In Targets' order, so a target still comes after the ones it needs.
	var targets []Target
	for _, t := range Targets {
		if want[t.Name] {
			targets = append(targets, t)
		}
	}
	sink := &setSink{set: artifact.Set{}}
	if _, err := compile(st, targets, sink); err != nil {
		return nil, err
	}
	return sink.set, nil
}

// setSink is an in-memory Sink.
type setSink struct {
	mu  sync.Mutex
	set artifact.Set
}

func (s *setSink) Write(f artifact.File) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set[f.Path] = f.Data
	return nil
}

func (s *setSink) Read(p string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.set.Read(p)
}

// CompileTo runs every target over st, writing their files to sink, and
// returns the number of files written. Targets run as soon as the targets
// they need are done; each sees only the artifacts of those.
func CompileTo(st *model.Stack, sink Sink) (int, error) {
	return compile(st, Targets, sink)
}

// run is one target's run: the paths it wrote and its error.
type run struct {
	mu    sync.Mutex
	paths map[string]bool
	err   error
	done  chan struct{}
	sink  Sink
}

// Write records the path and passes the file on (the target's Writer).
func (r *run) Write(f artifact.File) error {
	if err := artifact.CheckPath(f.Path); err != nil {
		return err
	}
	r.mu.Lock()
	if r.paths[f.Path] {
		r.mu.Unlock()
		return fmt.Errorf("internal: %s is written twice", f.Path)
	}
	r.paths[f.Path] = true
	r.mu.Unlock()
	return r.sink.Write(f)
}

// prior is the Reader of the artifacts of the targets a target needs.
type prior struct {
	paths map[string]bool
	sink  Sink
}

func (p prior) Paths() []string {
	out := make([]string, 0, len(p.paths))
	for path := range p.paths {
		out = append(out, path)
	}
	sort.Strings(out)
	return out
}

func (p prior) Read(path string) ([]byte, error) {
	if !p.paths[path] {
		return nil, fmt.Errorf("artifact %s: %w", path, fs.ErrNotExist)
	}
	return p.sink.Read(path)
}

func compile(st *model.Stack, targets []Target, sink Sink) (int, error) {
	runs := map[string]*run{}
	for _, t := range targets {
		if _, dup := runs[t.Name]; dup {
			return 0, fmt.Errorf("internal: two targets are named %s", t.Name)
		}
		runs[t.Name] = &run{paths: map[string]bool{}, done: make(chan struct{}), sink: sink}
	}
	for i, t := range targets {
		for _, n := range t.Needs {
			j := slices.IndexFunc(targets, func(o Target) bool { return o.Name == n })
			if j < 0 || j >= i {
				return 0, fmt.Errorf("internal: target %s needs %s, which is not a target listed before it", t.Name, n)
			}
		}
	}
	for _, t := range targets {
		r := runs[t.Name]
		go func() {
			defer close(r.done)
			in := prior{paths: map[string]bool{}, sink: sink}
			for _, n := range t.Needs {
				need := runs[n]
				<-need.done
				if need.err != nil {
					r.err = errSkipped
					return
				}
				for p := range need.paths {
					in.paths[p] = true
				}
			}
			r.err = t.Emit(st, in, r)
		}()
	}
	owner := map[string]string{}
	var failed error
	n := 0
	for _, t := range targets {
		r := runs[t.Name]
		<-r.done
		if failed != nil {
			continue
		}
		if r.err == nil {
			for _, p := range slices.Sorted(maps.Keys(r.paths)) {
				if other, dup := owner[p]; dup {
					r.err = fmt.Errorf("internal: %s is also written by target %s", p, other)
					break
				}
				owner[p] = t.Name
			}
			n += len(r.paths)
		}
		if r.err != nil && r.err != errSkipped {
			failed = fmt.Errorf("%s: %w", t.Name, r.err)
		}
	}
	if failed != nil {
		return 0, failed
	}
	return n, nil
}

// errSkipped marks a target that did not run because one it needs failed;
// the failure is reported for that target.
var errSkipped = errors.New("skipped")

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
func emitStackJSON(st *model.Stack, _ artifact.Reader, out artifact.Writer) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return err
	}
	return out.Write(artifact.File{Path: "stack.json", Data: buf.Bytes()})
}
