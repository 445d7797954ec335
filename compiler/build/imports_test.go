package build

import (
	"os/exec"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// targetPackage is the import path of the package that defines a
// target's emitter, from the function's symbol name.
func targetPackage(t *testing.T, tg Target) string {
	t.Helper()
	fn := runtime.FuncForPC(reflect.ValueOf(tg.Emit).Pointer())
	if fn == nil {
		t.Fatalf("target %s: cannot name its emitter", tg.Name)
	}
	name := fn.Name() // e.g. github.com/stackc/stackc/compiler/prometheus.Emit
	slash := strings.LastIndex(name, "/")
	dot := strings.Index(name[slash+1:], ".")
	if slash < 0 || dot < 0 {
		t.Fatalf("target %s: unexpected emitter name %q", tg.Name, name)
	}
	return name[:slash+1+dot]
}

// TestTargetsAreSiblings enforces the architecture: no target package
// depends, directly or through another package, on another target's
// package. Targets share facts only through the model, the conventions
// package (compiler/slo) and libraries such as promlint and routing, and
// read each other's output only as artifacts (Target.Needs).
func TestTargetsAreSiblings(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	own := map[string]string{} // package -> target name
	for _, tg := range Targets {
		pkg := targetPackage(t, tg)
		if pkg == "github.com/stackc/stackc/compiler/build" {
			continue // targets defined here (stack.json) are not packages of their own
		}
		own[pkg] = tg.Name
	}
	if len(own) < 5 {
		t.Fatalf("found %d target packages, want every target: %v", len(own), own)
	}
	for pkg, name := range own {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if other, ok := own[dep]; ok && dep != pkg {
				t.Errorf("target %s (%s) depends on the package of target %s (%s); share the fact through compiler/slo or read the artifact instead", name, pkg, other, dep)
			}
		}
	}
}
