package pyregistry

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/golden"
	"github.com/stackc/stackc/compiler/internal/testtree"
	"github.com/stackc/stackc/compiler/spec/spectest"
	"github.com/stackc/stackc/tools"
)

func emitFile(t *testing.T, path string) []artifact.File {
	t.Helper()
	files, err := emitFiles(spectest.Load(t, path, ""))
	if err != nil {
		t.Fatalf("Emit(%s): %v", path, err)
	}
	return files
}

// TestGolden compares the module generated for testdata/flask.jsonnet's
// Python service (and nothing for its Go service) with testdata/python/;
// go test ./compiler/pyregistry -update rewrites it.
func TestGolden(t *testing.T) {
	files := emitFile(t, "testdata/flask.jsonnet")
	if len(files) != 1 || files[0].Path != "python/catalog_api_metrics.py" {
		t.Fatalf("files %v, want only python/catalog_api_metrics.py", files)
	}
	golden.Compare(t, filepath.Join("testdata", files[0].Path+".golden"), files[0].Data)
	again := emitFile(t, "testdata/flask.jsonnet")
	if !bytes.Equal(files[0].Data, again[0].Data) {
		t.Error("two emissions differ")
	}
}

// Python is the interpreter the Python tests use: the system python3,
// which Debian's python3-flask and python3-prometheus-client install into.
func Python(t *testing.T) string {
	t.Helper()
	py := os.Getenv("STACKC_PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	out, err := exec.Command(py, "-c", "import flask, prometheus_client").CombinedOutput()
	if err != nil {
		t.Fatalf("%s cannot import flask and prometheus_client (%v): %s\n"+
			"install them: apt-get install -y python3-flask python3-prometheus-client (make test does this on Debian),\n"+
			"or point STACKC_PYTHON at a Python 3.11+ with Flask 2.2+ and prometheus_client 0.16+", py, err, out)
	}
	return py
}

// TestGeneratedModule runs testdata/test_registry.py against the generated
// module with the system python3: series pre-initialised, unknown label
// values raise, url_rule labelling, unmatched requests bounded, exceptions
// as 500, client disconnects as 499.
func TestGeneratedModule(t *testing.T) {
	py := Python(t)
	dir := t.TempDir()
	testtree.Write(t, dir, emitFile(t, "testdata/flask.jsonnet")...)
	src, err := os.ReadFile("testdata/test_registry.py")
	if err != nil {
		t.Fatal(err)
	}
	testtree.WriteFile(t, filepath.Join(dir, "python", "test_registry.py"), src)
	cmd := exec.Command(py, "-m", "unittest", "-v", "test_registry")
	cmd.Dir = filepath.Join(dir, "python")
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python tests failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "\nRan 6 tests in ") {
		t.Errorf("want 6 Python tests run:\n%s", out)
	}
}

// TestExpositionPassesPromtool lints what the module exposes after a few
// requests with promtool check metrics.
func TestExpositionPassesPromtool(t *testing.T) {
	py := Python(t)
	promtool, err := tools.Path("promtool")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	testtree.Write(t, dir, emitFile(t, "testdata/flask.jsonnet")...)
	script := `
import sys, flask, prometheus_client, catalog_api_metrics as m
reg = prometheus_client.CollectorRegistry()
metrics = m.Metrics(reg)
app = flask.Flask("x")
app.get("/items/<int:i>")(lambda i: "ok")
metrics.init_app(app)
c = app.test_client()
for path in ("/items/1", "/nope", "/metrics"):
    c.get(path, buffered=True)
metrics.catalog_item_price_euros.observe(12)
sys.stdout.write(c.get("/metrics", buffered=True).get_data(as_text=True))
`
	cmd := exec.Command(py, "-c", script)
	cmd.Dir = filepath.Join(dir, "python")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	body, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !bytes.Contains(body, []byte(`http_requests_total{code="200",endpoint="get_item",method="GET"} 1.0`)) {
		t.Errorf("the request to /items/1 is not counted as get_item:\n%s", body)
	}
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = bytes.NewReader(body)
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s\n%s", err, out, body)
	}
}
