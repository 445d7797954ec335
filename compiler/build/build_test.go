package build

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/benchspec"
	"github.com/stackc/stackc/compiler/internal/testtree"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/spec"
)

const repoSpec = "../../stack.jsonnet"

func TestWrite(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	first := marked(artifact.Set{"a.txt": []byte("a"), "dir/b.txt": []byte("b"), "old/c.txt": []byte("c")})
	if err := Write(out, first); err != nil {
		t.Fatal(err)
	}
	if got := testtree.Read(t, out); !reflect.DeepEqual(got, map[string]string{Marker: markerText, "a.txt": "a", "dir/b.txt": "b", "old/c.txt": "c"}) {
		t.Fatalf("first write: %v", got)
	}

	// A second write replaces the tree: old/ is gone.
	second := marked(artifact.Set{"a.txt": []byte("A"), "dir/b.txt": []byte("b")})
	if err := Write(out, second); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{Marker: markerText, "a.txt": "A", "dir/b.txt": "b"}
	if got := testtree.Read(t, out); !reflect.DeepEqual(got, want) {
		t.Fatalf("second write: %v", got)
	}

	// A write that fails halfway (a path is both a file and a directory)
	// leaves the previous tree exactly as it was, and no temporary files.
	broken := artifact.Set{"a.txt": []byte("x"), "z": []byte("file"), "z/y": []byte("under a file")}
	if err := Write(out, broken); err == nil {
		t.Fatal("a write of a file below a file succeeded")
	}
	if got := testtree.Read(t, out); !reflect.DeepEqual(got, want) {
		t.Fatalf("after a failed write: %v", got)
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the parent directory holds %v, want only out", names)
	}
}

func TestStale(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	set := marked(artifact.Set{"same.txt": []byte("s"), "changed.txt": []byte("new"), "missing.txt": []byte("m")})
	if err := Write(out, marked(artifact.Set{"same.txt": []byte("s"), "changed.txt": []byte("old"), "extra/x.txt": []byte("x")})); err != nil {
		t.Fatal(err)
	}
	got, err := Stale(out, set)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"changed.txt (changed)", "extra/x.txt (no longer generated)", "missing.txt (missing)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Stale = %q, want %q", got, want)
	}
	if err := Write(out, set); err != nil {
		t.Fatal(err)
	}
	if got, err := Stale(out, set); err != nil || len(got) != 0 {
		t.Errorf("after writing: %q, %v", got, err)
	}
	got, err = Stale(filepath.Join(out, "absent"), set)
	if err != nil || len(got) != 4 {
		t.Errorf("absent dir: %q, %v", got, err)
	}
}

func TestCompileIsDeterministic(t *testing.T) {
	a, _, err := CompileFile(repoSpec, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := CompileFile(repoSpec, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("two compilations of stack.jsonnet differ")
	}
	if _, ok := a["stack.json"]; !ok {
		t.Error("no stack.json")
	}
}

func writeX(_ *model.Stack, _ artifact.Reader, w artifact.Writer) error {
	return w.Write(artifact.File{Path: "x"})
}

// TestCompileNamesTheFailingTarget swaps the target list for the test only.
func TestCompileNamesTheFailingTarget(t *testing.T) {
	saved := Targets
	t.Cleanup(func() { Targets = saved })
	boom := errors.New("boom")
	Targets = []Target{
		{Name: "ok", Emit: writeX},
		{Name: "twice", Emit: writeX},
	}
	if _, err := Compile(&model.Stack{}); err == nil || !strings.HasPrefix(err.Error(), "twice: ") {
		t.Errorf("two targets writing one path: %v", err)
	}
	Targets = []Target{{Name: "failing", Emit: func(*model.Stack, artifact.Reader, artifact.Writer) error { return boom }}}
	if _, err := Compile(&model.Stack{}); !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "failing: ") {
		t.Errorf("failing target: %v", err)
	}
}

// largeSpec writes a stack of services x endpoints, each service with slos
// SLOs, as Jsonnet text the way a user would write it.
func largeSpec(services, endpoints, slos int) string {
	var b strings.Builder
	b.WriteString("local s = import 'stackc.libsonnet';\ns.stack {\n  seriesBudget: 1000000,\n  services: [\n")
	for i := range services {
		fmt.Fprintf(&b, "    s.service('svc%d', team='team%d', port=%d) {\n      endpoints: [\n", i, i%7, 20000+i)
		for j := range endpoints {
			fmt.Fprintf(&b, "        s.endpoint('GET', '/r%d/{id}', name='ep%d', sim={ latency: '%dms', errorRate: 0.001 }),\n", j, j, 10+j)
		}
		b.WriteString("      ],\n      metrics: [\n")
		fmt.Fprintf(&b, "        s.counter('svc%d_orders_total', 'Orders.', labels={ payment: ['card', 'paypal'] }),\n", i)
		fmt.Fprintf(&b, "        s.histogram('svc%d_order_value_euros', 'Order value.', buckets=[5, 10, 50]),\n", i)
		b.WriteString("      ],\n      slos: [\n")
		for k := range slos {
			eps := fmt.Sprintf("['ep%d', 'ep%d']", k%endpoints, (k+1)%endpoints)
			if k%2 == 0 {
				fmt.Fprintf(&b, "        s.availability('svc%d-slo%d', %s, 99.9),\n", i, k, eps)
			} else {
				fmt.Fprintf(&b, "        s.latency('svc%d-slo%d', %s, '250ms', 99, period='28d'),\n", i, k, eps)
			}
		}
		b.WriteString("      ],\n    },\n")
	}
	b.WriteString(benchspec.End)
	return b.String()
}

func TestLargeSpecIsValid(t *testing.T) {
	res, err := spec.Load("large.jsonnet", []byte(largeSpec(3, 4, 5)), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Stack.Services); n != 3 {
		t.Errorf("%d services", n)
	}
}

// BenchmarkBuild measures a whole build but the disk write: evaluate the
// Jsonnet, decode, validate, and run every target registered in Targets
// (build/...), and the spec loading alone (load/...).
//
//	go test -run='^$' -bench=BenchmarkBuild -benchmem ./compiler/build
func BenchmarkBuild(b *testing.B) {
	stack, err := os.ReadFile(repoSpec)
	if err != nil {
		b.Fatal(err)
	}
	specs := []struct {
		name string
		src  []byte
	}{
		{"stack.jsonnet", stack},
		{"large-10x20x10", []byte(largeSpec(10, 20, 10))},
		{"large-50x20x10", []byte(largeSpec(50, 20, 10))},
		{"slos-1000", []byte(benchspec.Stack(100))},
	}
	for _, bc := range specs {
		b.Run("load/"+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := spec.Load(bc.name, bc.src, spec.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, bc := range specs {
		b.Run("build/"+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := spec.Load(bc.name, bc.src, spec.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Compile(res.Stack); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// marked adds the Marker, as Compile does, so Write may replace the tree.
func marked(set artifact.Set) artifact.Set {
	set[Marker] = []byte(markerText)
	return set
}

// BenchmarkSimulate measures what the incident simulation adds to a build
// of 1,000 SLOs (benchspec: 100 services × 10 SLOs, one availability and
// one latency SLO per endpoint): each iteration compiles the spec with
// every target but simulate, then runs the simulate target on that output.
// The metric simulate-added-% is the simulation's time over the build's;
// issue #12 allows 10%. Run it once per process (-benchtime=1x): the
// targets and the simulation keep caches that make later iterations
// faster than a real build.
//
//	go test -run='^$' -bench=BenchmarkSimulate -benchtime=1x ./compiler/build
func BenchmarkSimulate(b *testing.B) {
	res, err := spec.Load("slos-1000.jsonnet", []byte(benchspec.Stack(100)), spec.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var without []Target
	var sim Target
	for _, t := range Targets {
		if t.Name == "simulate" {
			sim = t
			continue
		}
		t.Needs = slices.DeleteFunc(slices.Clone(t.Needs), func(n string) bool { return n == "simulate" })
		without = append(without, t)
	}
	var build, simulate time.Duration
	for b.Loop() {
		sink := &setSink{set: artifact.Set{}}
		start := time.Now()
		if _, err := compile(res.Stack, without, sink); err != nil {
			b.Fatal(err)
		}
		build += time.Since(start)
		start = time.Now()
		if err := sim.Emit(res.Stack, sink.set, artifact.Set{}); err != nil {
			b.Fatal(err)
		}
		simulate += time.Since(start)
	}
	b.ReportMetric(float64(build.Milliseconds())/float64(b.N), "build-ms/op")
	b.ReportMetric(float64(simulate.Milliseconds())/float64(b.N), "simulate-ms/op")
	b.ReportMetric(100*float64(simulate)/float64(build), "simulate-added-%")
}
