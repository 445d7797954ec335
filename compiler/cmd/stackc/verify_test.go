package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const verifyData = "../../verify/testdata"

// TestVerifyCommand runs `stackc verify` against expositions served over
// HTTP (with their Content-Type) and read from files, and checks the exit
// code and the output: problems on stderr, one line each, then a summary;
// usage, fetch and parse errors exit 2 with a clear message.
func TestVerifyCommand(t *testing.T) {
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(verifyData, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	mux := http.NewServeMux()
	serve := func(path, contentType string, body []byte) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if !strings.Contains(r.Header.Get("Accept"), "application/openmetrics-text") {
				t.Errorf("Accept %q does not propose OpenMetrics", r.Header.Get("Accept"))
			}
			w.Header().Set("Content-Type", contentType)
			w.Write(body)
		})
	}
	serve("/flask", "text/plain; version=0.0.4; charset=utf-8", read("flask.txt"))
	serve("/flask-om", "application/openmetrics-text; version=1.0.0; charset=utf-8", read("flask.om"))
	serve("/flask-rawpath", "text/plain; version=0.0.4; charset=utf-8", read("flask-rawpath.txt"))
	serve("/garbage", "text/plain; version=0.0.4; charset=utf-8", []byte("flask_exporter_info{version=\"0.23.1\" 1\n"))
	serve("/big", "text/plain", bytes.Repeat([]byte("# padding\n"), 200))
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	specPath := filepath.Join(verifyData, "verify.jsonnet")
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout []string
		stderr []string
	}{
		{name: "ok", args: []string{"--service", "catalog", "--url", srv.URL + "/flask", specPath}, code: exitOK,
			stdout: []string{"stackc verify: catalog: ok: " + srv.URL + "/flask: 5 families"}},
		{name: "ok, OpenMetrics", args: []string{"--service", "catalog", "--url", srv.URL + "/flask-om", specPath}, code: exitOK,
			stdout: []string{"stackc verify: catalog: ok"}},
		{name: "flags after the spec", args: []string{specPath, "--service", "catalog", "--file", filepath.Join(verifyData, "flask.txt")}, code: exitOK,
			stdout: []string{"stackc verify: catalog: ok"}},
		{name: "stdin", args: []string{"--service", "catalog", "--file", "-", specPath}, stdin: string(read("flask.om")), code: exitOK,
			stdout: []string{"stackc verify: catalog: ok: -"}},
		{name: "contract problems", args: []string{"--service", "catalog", "--url", srv.URL + "/flask-rawpath", specPath}, code: exitSpecError,
			stderr: []string{
				"stackc verify: catalog: flask_http_request_duration_seconds: label path holds raw request paths",
				"stackc verify: catalog: 1 problem(s): " + srv.URL + "/flask-rawpath",
			}},
		{name: "wrong service for the app", args: []string{"--service", "shop", "--url", srv.URL + "/flask", specPath}, code: exitSpecError,
			stderr: []string{"stackc verify: shop: http_requests_total: missing", "problem(s)"}},
		{name: "no service", args: []string{"--url", srv.URL + "/flask", specPath}, code: exitUsage,
			stderr: []string{"--service is required"}},
		{name: "unknown service", args: []string{"--service", "nope", "--url", srv.URL + "/flask", specPath}, code: exitUsage,
			stderr: []string{`no service "nope" (services: shop, catalog, search, billing)`}},
		{name: "url and file", args: []string{"--service", "catalog", "--url", srv.URL, "--file", "x", specPath}, code: exitUsage,
			stderr: []string{"exactly one of --url and --file"}},
		{name: "not http", args: []string{"--service", "catalog", "--url", "file:///etc/passwd", specPath}, code: exitUsage,
			stderr: []string{"want an http or https URL"}},
		{name: "non-2xx", args: []string{"--service", "catalog", "--url", srv.URL + "/fail", specPath}, code: exitUsage,
			stderr: []string{"500 Internal Server Error", "want a 2xx answer"}},
		{name: "timeout", args: []string{"--service", "catalog", "--url", srv.URL + "/slow", "--timeout", "50ms", specPath}, code: exitUsage,
			stderr: []string{"GET " + srv.URL + "/slow", "deadline exceeded"}},
		{name: "too large", args: []string{"--service", "catalog", "--url", srv.URL + "/big", "--max-bytes", "1000", specPath}, code: exitUsage,
			stderr: []string{"larger than 1000 bytes"}},
		{name: "refused", args: []string{"--service", "catalog", "--url", "http://127.0.0.1:1/metrics", specPath}, code: exitUsage,
			stderr: []string{"GET http://127.0.0.1:1/metrics", "refused"}},
		{name: "parse error", args: []string{"--service", "catalog", "--url", srv.URL + "/garbage", specPath}, code: exitUsage,
			stderr: []string{"stackc verify: " + srv.URL + "/garbage: parsing the text format", "line 1"}},
		{name: "missing file", args: []string{"--service", "catalog", "--file", "no/such/file", specPath}, code: exitUsage,
			stderr: []string{"no/such/file"}},
		{name: "bad spec", args: []string{"--service", "catalog", "--file", "x", filepath.Join(badDir, "instrumentation.jsonnet")}, code: exitUsage,
			stderr: []string{"instrumentation.jsonnet:", "fix the spec first"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.stdin != "" {
				old := stdin
				stdin = strings.NewReader(tc.stdin)
				defer func() { stdin = old }()
			}
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"verify"}, tc.args...), &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout.String(), stderr.String())
			}
			for _, w := range tc.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tc.stderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			if tc.code == exitSpecError {
				// One line per problem, then the summary.
				lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
				for _, l := range lines {
					if !strings.HasPrefix(l, "stackc verify: ") {
						t.Errorf("line %q is not a problem line", l)
					}
				}
				if !strings.Contains(lines[len(lines)-1], "problem(s)") {
					t.Errorf("the last line is not the summary: %q", lines[len(lines)-1])
				}
			}
		})
	}
}
