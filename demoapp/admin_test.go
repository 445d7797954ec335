package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestProfilerBehindHostGuard: pprof on the admin listener answers only
// requests that name this machine, like the fault API beside it; a
// rebound DNS name gets 403 instead of heap and goroutine dumps.
func TestProfilerBehindHostGuard(t *testing.T) {
	a, err := newApp(shopService(t), appOptions{Sim: noSim.Sim, Profile: true}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host, path string
		code       int
	}{
		{"127.0.0.1:9080", "/debug/pprof/cmdline", http.StatusOK},
		{"localhost", "/debug/pprof/", http.StatusOK},
		{"attacker.example:9080", "/debug/pprof/cmdline", http.StatusForbidden},
		{"attacker.example:9080", "/debug/pprof/", http.StatusForbidden},
		{"attacker.example:9080", "/faults", http.StatusForbidden},
	} {
		req := httptest.NewRequest(http.MethodGet, tc.path, nil)
		req.Host = tc.host
		w := httptest.NewRecorder()
		a.admin.ServeHTTP(w, req)
		if w.Code != tc.code {
			t.Errorf("GET %s with host %q: %d, want %d", tc.path, tc.host, w.Code, tc.code)
		}
	}
}
