package prometheus

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/testtree"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/spec/spectest"
	"github.com/stackc/stackc/tools"
)

// repoFile returns the path of a file relative to the repository root.
func repoFile(t testing.TB, rel string) string {
	t.Helper()
	root, err := tools.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, filepath.FromSlash(rel))
}

// writeOut emits st into dir/out (like `stackc build -o dir/out`) and
// returns dir/out.
func writeOut(t testing.TB, st *model.Stack, dir string) string {
	t.Helper()
	files, err := artifact.Files(Emit, st, nil)
	if err != nil {
		t.Fatalf("Emit: %v", err)
	}
	out := filepath.Join(dir, "out")
	testtree.Write(t, out, files...)
	return out
}

func promtool(t testing.TB) string {
	t.Helper()
	bin, err := tools.Built("promtool")
	if err != nil {
		t.Fatalf("building promtool: %v", err)
	}
	return bin
}

// run runs promtool and returns its combined output and whether it succeeded.
func run(t testing.TB, bin string, args ...string) (string, bool) {
	t.Helper()
	var buf bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return buf.String(), err == nil
}

func mustRun(t testing.TB, bin string, args ...string) {
	t.Helper()
	if out, ok := run(t, bin, args...); !ok {
		t.Fatalf("promtool %s failed:\n%s", strings.Join(args, " "), out)
	}
}

func glob(t testing.TB, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// checkOut runs every promtool check over an output directory.
func checkOut(t *testing.T, bin, out string) {
	mustRun(t, bin, "check", "config", "--lint=all", "--lint-fatal", filepath.Join(out, "prometheus", "prometheus.yml"))
	mustRun(t, bin, append([]string{"check", "rules", "--lint=all", "--lint-fatal"}, glob(t, filepath.Join(out, "prometheus", "rules", "*", "*.yml"))...)...)
	testRulesParallel(t, bin, glob(t, filepath.Join(out, "prometheus", "tests", "*", "*.yml")))
}

// testRulesParallel runs `promtool test rules` on each file, as many at a
// time as there are CPUs (GOMAXPROCS): one promtool evaluates its tests on
// one core.
func testRulesParallel(t *testing.T, bin string, files []string) {
	t.Helper()
	if len(files) == 0 {
		t.Fatal("no generated test files")
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out, ok := run(t, bin, "test", "rules", f)
			if !ok {
				mu.Lock()
				t.Errorf("promtool test rules %s failed:\n%s", f, out)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

func TestPromtoolGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("runs promtool")
	}
	bin := promtool(t)
	for _, specFile := range []string{repoFile(t, "stack.jsonnet"), filepath.Join("testdata", "periods.jsonnet"), filepath.Join("testdata", "byom.jsonnet")} {
		t.Run(filepath.Base(specFile), func(t *testing.T) {
			t.Parallel()
			out := writeOut(t, spectest.Load(t, specFile, ""), t.TempDir())
			checkOut(t, bin, out)
		})
	}
}

// TestPromtoolHandWritten runs the reviewer's tests in rules/ against the
// rules generated for stack.jsonnet, laid out as in the repository.
func TestPromtoolHandWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("runs promtool")
	}
	bin := promtool(t)
	dir := t.TempDir()
	writeOut(t, spectest.Repo(t, ""), dir)
	tests := glob(t, repoFile(t, "rules/*.yml"))
	if len(tests) == 0 {
		t.Fatal("no hand-written tests in rules/")
	}
	var copied []string
	if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range tests {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, "rules", filepath.Base(f))
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
		copied = append(copied, dst)
	}
	mustRun(t, bin, append([]string{"test", "rules"}, copied...)...)
}

// TestPromtoolCommittedOut checks the committed out/ when it has been
// built. When its prometheus/ files are exactly what Emit generates, the
// unit tests already ran in TestPromtoolGenerated and TestPromtoolHandWritten;
// otherwise (a hand edit, a stale build) they run here against out/ itself.
func TestPromtoolCommittedOut(t *testing.T) {
	if testing.Short() {
		t.Skip("runs promtool")
	}
	out := repoFile(t, "out")
	if _, err := os.Stat(filepath.Join(out, "prometheus", "prometheus.yml")); err != nil {
		t.Skip("out/prometheus not built yet")
	}
	bin := promtool(t)
	mustRun(t, bin, "check", "config", "--lint=all", "--lint-fatal", filepath.Join(out, "prometheus", "prometheus.yml"))
	mustRun(t, bin, append([]string{"check", "rules", "--lint=all", "--lint-fatal"}, glob(t, filepath.Join(out, "prometheus", "rules", "*", "*.yml"))...)...)
	if sameAsGenerated(t, out) {
		t.Log("out/prometheus is what Emit generates; its unit tests ran against the generated copy")
		return
	}
	t.Log("out/prometheus differs from what Emit generates (run make build); testing it as it is")
	testRulesParallel(t, bin, glob(t, filepath.Join(out, "prometheus", "tests", "*", "*.yml")))
	if tests := glob(t, repoFile(t, "rules/*.yml")); len(tests) > 0 {
		mustRun(t, bin, append([]string{"test", "rules"}, tests...)...)
	}
}

// sameAsGenerated reports whether out/prometheus holds exactly the files
// Emit generates for stack.jsonnet.
func sameAsGenerated(t *testing.T, out string) bool {
	files, err := artifact.Files(Emit, spectest.Repo(t, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, f := range files {
		p := filepath.Join(out, filepath.FromSlash(f.Path))
		want[p] = true
		got, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(got, f.Data) {
			return false
		}
	}
	extra := false
	_ = filepath.WalkDir(filepath.Join(out, "prometheus"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !want[p] {
			extra = true
		}
		return err
	})
	return !extra
}

// TestMutation removes single lines from a generated rule file and expects
// promtool (check rules, then the generated tests) to notice each one.
// Running every test per line would take minutes, so it removes a sample
// of lines that matter in different ways: a recorded series' label, the
// alert's severity, an annotation, the minimum-rate gate and a record name.
func TestMutation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs promtool")
	}
	bin := promtool(t)
	st := spectest.Repo(t, "")
	mutations := []struct {
		name string
		// nth line (0-based) containing the substring is removed.
		contains string
		nth      int
	}{
		{"slo label of the 5m error rate", "slo: checkout-availability", 0},
		{"severity of the fast page", "severity: page", 0},
		{"runbook annotation", "runbook_url:", 0},
		{"minimum event rate gate", "[1h]) >= 0.1", 0},
		{"record name of the 5m ratio", "record: slo:sli_error:ratio_rate5m", 0},
	}
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			out := writeOut(t, st, t.TempDir())
			file := filepath.Join(out, "prometheus", "rules", "shop", "slo-checkout-availability.yml")
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitAfter(string(data), "\n")
			seen, removed := 0, -1
			for i, l := range lines {
				if strings.Contains(l, m.contains) {
					if seen == m.nth {
						removed = i
						break
					}
					seen++
				}
			}
			if removed < 0 {
				t.Fatalf("no line %d containing %q in %s", m.nth, m.contains, file)
			}
			mutated := strings.Join(append(lines[:removed:removed], lines[removed+1:]...), "")
			if err := os.WriteFile(file, []byte(mutated), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, ok := run(t, bin, "check", "rules", "--lint=all", "--lint-fatal", file); !ok {
				return
			}
			tests := filepath.Join(out, "prometheus", "tests", "shop", "slo-checkout-availability.yml")
			if _, ok := run(t, bin, "test", "rules", tests); ok {
				t.Errorf("removing line %d (%s) of %s went unnoticed by promtool", removed+1, strings.TrimSpace(lines[removed]), file)
			}
		})
	}
}

// TestSelectorMutation changes the SLI selector of one SLO per
// instrumentation in testdata/byom.jsonnet (a label the exporter does not
// use, or the wrong error matcher) and expects the generated tests, whose
// input series have the exporter's exact shape, to fail.
func TestSelectorMutation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs promtool")
	}
	bin := promtool(t)
	st := spectest.Load(t, filepath.Join("testdata", "byom.jsonnet"), "")
	mutations := []struct {
		name, service, slo, from, to string
	}{
		{"registry: 4xx counted as errors", "shop", "shop-availability", `code=~"5.."`, `code=~"4.."`},
		{"flask: raw path instead of url_rule", "catalog", "catalog-availability", `url_rule=~`, `path=~`},
		{"flask: threshold bucket of another bound", "catalog", "catalog-latency", `le="0.25"`, `le="0.5"`},
		{"opentelemetry: route label of an older semconv", "search", "search-latency", `http_route=`, `http_target=`},
		{"opentelemetry: job of the service name", "search", "search-availability", `job="search-otel"`, `job="search"`},
		{"micrometer: client errors as the outcome", "billing", "billing-availability", `outcome="SERVER_ERROR"`, `outcome="CLIENT_ERROR"`},
		{"micrometer: status label of the registry", "billing", "billing-latency", `uri=`, `endpoint=`},
	}
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			out := writeOut(t, st, t.TempDir())
			file := filepath.Join(out, "prometheus", "rules", m.service, "slo-"+m.slo+".yml")
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte(m.from)) {
				t.Fatalf("%s has no %s", file, m.from)
			}
			mutated := bytes.ReplaceAll(data, []byte(m.from), []byte(m.to))
			if err := os.WriteFile(file, mutated, 0o644); err != nil {
				t.Fatal(err)
			}
			tests := filepath.Join(out, "prometheus", "tests", m.service, "slo-"+m.slo+".yml")
			if _, ok := run(t, bin, "test", "rules", tests); ok {
				t.Errorf("replacing %s by %s in %s went unnoticed by its generated tests", m.from, m.to, file)
			}
		})
	}
}
