package main

import (
	"bytes"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/build"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/pyregistry"
	"github.com/stackc/stackc/demoapp/demo"
	"github.com/stackc/stackc/demoapp/loadgen"
	"github.com/stackc/stackc/tools"
)

// TestFlaskDemoService serves every Python service of the committed spec
// (the catalog) with the Flask demo app (demoapp/flaskapp) and its generated module:
// every endpoint answers and is counted under its name, /metrics passes
// promtool check metrics, and `demoapp fault` drives its fault API, which
// keeps the Go demo app's guards.
func TestFlaskDemoService(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python3 servers")
	}
	promtool, err := tools.Path("promtool")
	if err != nil {
		t.Fatal(err)
	}
	serveFlaskServices(t, func(t *testing.T, _ *model.Stack, svc model.Service, base, admin string, logs *syncBuffer) {
		do := func(method, url string) int {
			t.Helper()
			req, err := http.NewRequest(method, url, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", method, url, err, logs)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp.StatusCode
		}
		for _, ep := range svc.Endpoints {
			if code := do(ep.Method, base+loadgen.Path(ep.Route)); code >= 400 {
				t.Errorf("%s %s: %d\n%s", ep.Method, ep.Route, code, logs)
			}
		}
		if code := do("GET", base+"/no/such/path"); code != http.StatusNotFound {
			t.Errorf("unknown path: %d, want 404", code)
		}

		// A fault through the Go CLI, against the Python admin API.
		ep := svc.Endpoints[0]
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), []string{"fault", "--admin", admin, ep.Name, "--errors", "1", "--for", "10m"}, &stdout, &stderr); code != exitOK {
			t.Fatalf("demoapp fault: exit %d\n%s%s\n%s", code, stdout.String(), stderr.String(), logs)
		}
		if code := do(ep.Method, base+loadgen.Path(ep.Route)); code != http.StatusServiceUnavailable {
			t.Errorf("with a full fault, %s answered %d, want 503", ep.Name, code)
		}
		stdout.Reset()
		if code := run(t.Context(), []string{"fault", "--admin", admin}, &stdout, &stderr); code != exitOK || !strings.Contains(stdout.String(), ep.Name) {
			t.Errorf("fault list: exit %d\n%s%s", code, stdout.String(), stderr.String())
		}
		if code := run(t.Context(), []string{"fault", "--admin", admin, "--clear"}, &stdout, &stderr); code != exitOK {
			t.Errorf("fault --clear: exit %d\n%s", code, stderr.String())
		}
		if code := do(ep.Method, base+loadgen.Path(ep.Route)); code >= 400 {
			t.Errorf("after clearing, %s answered %d", ep.Name, code)
		}
		// The guards: a form POST and a foreign Host are refused.
		form, _ := http.NewRequest("POST", admin+"/faults/"+ep.Name, strings.NewReader("errorRate=1"))
		form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rebound, _ := http.NewRequest("GET", admin+"/faults", nil)
		rebound.Host = "evil.example:80"
		for _, tc := range []struct {
			req  *http.Request
			want int
		}{{form, http.StatusUnsupportedMediaType}, {rebound, http.StatusForbidden}} {
			resp, err := http.DefaultClient.Do(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("%s %s (Host %s): %d, want %d", tc.req.Method, tc.req.URL, tc.req.Host, resp.StatusCode, tc.want)
			}
		}

		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{
			`http_requests_total{code="503",endpoint="` + ep.Name + `",method="` + ep.Method + `"} 1.0`,
			`http_requests_total{code="404",endpoint="_unmatched",method="ANY"} 1.0`,
		} {
			if !bytes.Contains(body, []byte(want)) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		for _, e := range svc.Endpoints {
			if !regexp.MustCompile(`http_requests_total\{code="2\w\w",endpoint="` + e.Name + `",method="` + e.Method + `"\} [1-9]`).Match(body) {
				t.Errorf("%s is not counted under its name", e.Name)
			}
		}
		check := exec.Command(promtool, "check", "metrics")
		check.Stdin = bytes.NewReader(body)
		if out, err := check.CombinedOutput(); err != nil {
			t.Errorf("promtool check metrics: %v\n%s\n%s", err, out, body)
		}
	})
}

// serveFlaskServices compiles the committed spec into a temporary out/ and
// runs fn in a subtest for each of its Python services (it must have one),
// with the service served by the Flask demo app from its generated module,
// without latency or errors: base and admin are the app's and its fault
// API's URLs.
func serveFlaskServices(t *testing.T, fn func(t *testing.T, st *model.Stack, svc model.Service, base, admin string, logs *syncBuffer)) {
	t.Helper()
	py, err := demo.Python()
	if err != nil {
		t.Fatal(err)
	}
	root, set, res := compileCommitted(t)
	out := filepath.Join(t.TempDir(), "out")
	if err := build.Write(out, set); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, svc := range res.Stack.Services {
		if svc.Language != model.Python {
			continue
		}
		n++
		t.Run(svc.Name, func(t *testing.T) {
			module := filepath.Join(out, pyregistry.Dir, pyregistry.ModuleName(svc.Name)+".py")
			base, admin, logs := serveBinary(t, py, filepath.Join(root, "demoapp", "flaskapp", "app.py"), "--registry", module,
				"--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--latency-scale", "0", "--no-errors")
			fn(t, res.Stack, svc, base, admin, logs)
		})
	}
	if n == 0 {
		t.Fatal("the committed spec has no Python service")
	}
}
