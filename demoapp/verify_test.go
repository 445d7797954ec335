package main

import (
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/spec"
	"github.com/stackc/stackc/compiler/verify"
	"github.com/stackc/stackc/tools"
)

// verifyLive runs stackc verify's check against a running app's /metrics
// and fails the test with every problem found.
func verifyLive(t *testing.T, st *model.Stack, service, metricsURL string, logs interface{ String() string }) {
	t.Helper()
	data, contentType, err := verify.Fetch(t.Context(), metricsURL, verify.DefaultTimeout, verify.DefaultMaxBytes)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := verify.Parse(data, contentType)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	r, err := verify.Check(st, service, exp)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) > 0 {
		var lines []string
		for _, p := range r.Problems {
			lines = append(lines, r.Line(p))
		}
		t.Errorf("the demo app breaks its contract:\n%s\n%s", strings.Join(lines, "\n"), r.Summary(metricsURL))
		if logs != nil {
			t.Logf("server logs:\n%s", logs)
		}
	}
	if r.Declared == 0 || r.Declared > r.WorstCase {
		t.Errorf("series: %s", r.Summary(metricsURL))
	}
}

// TestVerifyGoDemoApp: the Go demo app, serving the registry generated
// from stack.jsonnet, passes stackc verify against that spec, before and
// after traffic.
func TestVerifyGoDemoApp(t *testing.T) {
	svc := shopService(t)
	root, err := tools.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	res, err := spec.LoadFile(filepath.Join(root, "stack.jsonnet"), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	app := start(t, svc, noSim)
	verifyLive(t, res.Stack, svc.Name, app.base+"/metrics", nil)
	hitEveryEndpoint(t, app.base, svc.Endpoints)
	verifyLive(t, res.Stack, svc.Name, app.base+"/metrics", nil)

	// The Go app answers OpenMetrics when asked (as Prometheus asks by
	// default): the same contract holds in that format.
	_, om := get(t, app.base+"/metrics", http.Header{"Accept": {"application/openmetrics-text; version=1.0.0"}})
	omExp, err := verify.Parse(om, "application/openmetrics-text; version=1.0.0; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	if r, err := verify.Check(res.Stack, svc.Name, omExp); err != nil || len(r.Problems) > 0 {
		t.Errorf("OpenMetrics: %v %+v", err, r)
	}

	// Not vacuous: a spec with one more endpoint than the app was built
	// from is a broken contract.
	newer, err := res.Stack.Clone()
	if err != nil {
		t.Fatal(err)
	}
	s := &newer.Services[slices.IndexFunc(newer.Services, func(s model.Service) bool { return s.Name == svc.Name })]
	s.Endpoints = append(s.Endpoints, model.Endpoint{Name: "refund", Method: "POST", Route: "/refunds"})
	data, contentType, err := verify.Fetch(t.Context(), app.base+"/metrics", verify.DefaultTimeout, verify.DefaultMaxBytes)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := verify.Parse(data, contentType)
	if err != nil {
		t.Fatal(err)
	}
	r, err := verify.Check(newer, svc.Name, exp)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) == 0 || !strings.Contains(r.Line(r.Problems[0]), `no series for the endpoint(s) "refund"`) {
		t.Errorf("against a spec with an endpoint the app lacks: %v", r.Problems)
	}
	t.Log(r.Summary(app.base + "/metrics"))
}

// TestVerifyFlaskDemoApp: the Flask demo app, serving the Python registry
// generated from the committed spec (its catalog service), passes stackc
// verify against that spec.
func TestVerifyFlaskDemoApp(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a python3 server")
	}
	serveFlaskServices(t, func(t *testing.T, st *model.Stack, svc model.Service, base, _ string, logs *syncBuffer) {
		verifyLive(t, st, svc.Name, base+"/metrics", logs)
	})
}
