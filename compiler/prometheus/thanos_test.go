package prometheus

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/spec/spectest"
	"github.com/stackc/stackc/tools"
)

// thanosRulesCheck runs `thanos tools rules-check` over rule files.
func thanosRulesCheck(t *testing.T, bin string, files []string) (string, bool) {
	t.Helper()
	args := []string{"tools", "rules-check"}
	for _, f := range files {
		args = append(args, "--rules="+f)
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	return string(out), err == nil
}

// TestThanosRulerAcceptsRules checks that Thanos Ruler, which evaluates
// rules against Thanos Query in an HA stack, accepts every generated rule
// file as it is: `thanos tools rules-check` reports every file a success.
func TestThanosRulerAcceptsRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs thanos")
	}
	bin, err := tools.Built("thanos")
	if err != nil {
		t.Fatal(err)
	}
	for _, specFile := range []string{repoFile(t, "stack.jsonnet"), filepath.Join("testdata", "periods.jsonnet"), spectest.HAPath(t)} {
		t.Run(filepath.Base(specFile), func(t *testing.T) {
			out := writeOut(t, spectest.Load(t, specFile, ""), t.TempDir())
			files := glob(t, filepath.Join(out, "prometheus", "rules", "*", "*.yml"))
			if len(files) == 0 {
				t.Fatal("no rule files")
			}
			log, ok := thanosRulesCheck(t, bin, files)
			if !ok || strings.Count(log, "result=SUCCESS") != len(files) {
				t.Fatalf("thanos tools rules-check refuses the rules (%d files):\n%s", len(files), log)
			}
		})
	}
	// The check can fail: a rule file with a broken expression.
	bad := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(bad, []byte("groups:\n  - name: g\n    rules:\n      - record: x:y\n        expr: sum(\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if log, ok := thanosRulesCheck(t, bin, []string{bad}); ok {
		t.Errorf("thanos tools rules-check accepts a broken expression:\n%s", log)
	}
}
