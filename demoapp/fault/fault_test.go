package fault

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:9080", true},
		{"localhost:9080", true},
		{"[::1]:9080", true},
		{"127.0.0.2:0", true},
		{"0.0.0.0:9080", false},
		{":9080", false},
		{"[::]:9080", false},
		{"10.0.0.1:9080", false},
		{"example.com:9080", false},
		{"nonsense", false},
	} {
		if err := CheckLoopback(tc.addr); (err == nil) != tc.ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%v", tc.addr, err, tc.ok)
		}
	}
}

func TestStoreExpiry(t *testing.T) {
	s := NewStore([]string{"a", "b"})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	if err := s.Set("a", Fault{ErrorRate: 0.5, Until: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("b", Fault{Latency: time.Second}); err != nil {
		t.Fatal(err)
	}
	if f, ok := s.Get(0); !ok || f.ErrorRate != 0.5 {
		t.Errorf("Get(a) = %+v, %v", f, ok)
	}
	now = now.Add(time.Minute)
	if _, ok := s.Get(0); ok {
		t.Error("fault a is active at its expiry")
	}
	if _, ok := s.Get(1); !ok {
		t.Error("fault b without expiry is gone")
	}
	if got := s.Active(); len(got) != 1 || got["b"].Latency != time.Second {
		t.Errorf("Active() = %v", got)
	}
	if err := s.Clear(""); err != nil {
		t.Fatal(err)
	}
	if got := s.Active(); len(got) != 0 {
		t.Errorf("Active() after Clear = %v", got)
	}
}

func TestStoreRejects(t *testing.T) {
	s := NewStore([]string{"a"})
	for _, tc := range []struct {
		name, endpoint string
		f              Fault
		want           string
	}{
		{"unknown endpoint", "zz", Fault{}, "unknown endpoint"},
		{"negative rate", "a", Fault{ErrorRate: -0.1}, "not between 0 and 1"},
		{"rate above 1", "a", Fault{ErrorRate: 1.5}, "not between 0 and 1"},
		{"negative latency", "a", Fault{Latency: -time.Second}, "latency"},
		{"latency too long", "a", Fault{Latency: time.Hour}, "latency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Set(tc.endpoint, tc.f); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Set = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

func TestHandler(t *testing.T) {
	for _, tc := range []struct {
		name, method, path, body string
		code                     int
		want                     string
	}{
		{"inject", "POST", "/faults/checkout", `{"errorRate":0.5,"latency":"200ms","for":"10m"}`, 200, `"latency":"200ms"`},
		{"list", "GET", "/faults", "", 200, `{"faults":[]}`},
		{"unknown endpoint", "POST", "/faults/nope", `{"errorRate":1}`, 404, "unknown endpoint"},
		{"malformed", "POST", "/faults/checkout", `{"errorRate":`, 400, "body"},
		{"unknown field", "POST", "/faults/checkout", `{"errors":1}`, 400, "unknown field"},
		{"oversized", "POST", "/faults/checkout", `{"latency":"` + strings.Repeat("1", 8<<10) + `ms"}`, 400, "too large"},
		{"bad latency", "POST", "/faults/checkout", `{"latency":"soon"}`, 400, "latency"},
		{"bad for", "POST", "/faults/checkout", `{"errorRate":1,"for":"-5m"}`, 400, "positive"},
		{"rate out of range", "POST", "/faults/checkout", `{"errorRate":3}`, 400, "not between"},
		{"clear one", "DELETE", "/faults/checkout", "", 204, ""},
		{"clear unknown", "DELETE", "/faults/nope", "", 404, "unknown endpoint"},
		{"clear all", "DELETE", "/faults", "", 204, ""},
		{"wrong method", "PUT", "/faults/checkout", "{}", 405, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := Handler(NewStore([]string{"checkout"}), slog.New(slog.NewTextHandler(io.Discard, nil)))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, apiRequest(tc.method, tc.path, tc.body))
			if w.Code != tc.code || !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("%s %s: %d %q, want %d containing %q", tc.method, tc.path, w.Code, w.Body, tc.code, tc.want)
			}
		})
	}
}

// apiRequest is a request as the fault client sends it: to a loopback
// Host, with a JSON body.
func apiRequest(method, path, body string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Host = "127.0.0.1:9080"
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// TestHandlerRefusesBrowserRequests covers what a web page can send: a
// form POST without preflight, or any request through a rebound DNS name.
func TestHandlerRefusesBrowserRequests(t *testing.T) {
	for _, tc := range []struct {
		name, method, host, contentType string
		code                            int
	}{
		{"json to 127.0.0.1", "POST", "127.0.0.1:9080", "application/json", 200},
		{"json with charset", "POST", "127.0.0.1", "application/json; charset=utf-8", 200},
		{"localhost", "POST", "LocalHost:9080", "application/json", 200},
		{"ipv6 loopback", "POST", "[::1]:9080", "application/json", 200},
		{"ipv6 loopback without port", "GET", "[::1]", "", 200},
		{"get needs no content type", "GET", "localhost", "", 200},
		{"form post", "POST", "127.0.0.1:9080", "application/x-www-form-urlencoded", 415},
		{"text/plain post", "POST", "127.0.0.1:9080", "text/plain", 415},
		{"no content type", "POST", "127.0.0.1:9080", "", 415},
		{"rebound name", "POST", "attacker.example:9080", "application/json", 403},
		{"rebound name on get", "GET", "attacker.example", "", 403},
		{"rebound name on delete", "DELETE", "evil.localhost.example", "", 403},
		{"other loopback spelling", "GET", "127.1:9080", "", 403},
		{"no host", "GET", "", "", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := Handler(NewStore([]string{"checkout"}), slog.New(slog.NewTextHandler(io.Discard, nil)))
			path := "/faults"
			if tc.method == "POST" {
				path = "/faults/checkout"
			}
			req := httptest.NewRequest(tc.method, path, strings.NewReader(`{"errorRate":0.5}`))
			req.Host = tc.host
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if tc.method == "DELETE" && tc.code == 200 {
				tc.code = http.StatusNoContent
			}
			if w.Code != tc.code {
				t.Errorf("%s host %q type %q: %d %s, want %d", tc.method, tc.host, tc.contentType, w.Code, w.Body, tc.code)
			}
		})
	}
}

func TestHandlerSetThenList(t *testing.T) {
	s := NewStore([]string{"b", "a"})
	h := Handler(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, ep := range []string{"b", "a"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, apiRequest("POST", "/faults/"+ep, `{"errorRate":0.1}`))
		if w.Code != http.StatusOK {
			t.Fatalf("POST: %d %s", w.Code, w.Body)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, apiRequest("GET", "/faults", ""))
	want := `{"faults":[{"endpoint":"a","errorRate":0.1,"latency":"0s"},{"endpoint":"b","errorRate":0.1,"latency":"0s"}]}`
	if got := strings.TrimSpace(w.Body.String()); got != want {
		t.Errorf("GET /faults = %s, want %s", got, want)
	}
}
