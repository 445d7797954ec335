package inbox

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"
)

const validNotification = `{"version":"4","status":"firing","receiver":"oncall","groupKey":"k",
"alerts":[{"status":"firing","labels":{"alertname":"ShopTargetDown","service":"shop"},"annotations":{}}]}`

// TestRefusesBrowserRequests: like the fault API, the inbox answers only
// requests naming this machine (or an allowed host such as its Compose
// service name) and takes only JSON posts, so a web page cannot post fake
// alerts through a simple form or a rebound DNS name, nor read them.
func TestRefusesBrowserRequests(t *testing.T) {
	in := New(Options{Hosts: []string{"inbox"}})
	for _, tc := range []struct {
		name, method, host, contentType string
		code                            int
	}{
		{"alertmanager on loopback", "POST", "127.0.0.1:9095", "application/json", 200},
		{"alertmanager in compose", "POST", "inbox:9095", "application/json", 200},
		{"localhost page", "GET", "localhost:9095", "", 200},
		{"ipv6 loopback", "GET", "[::1]:9095", "", 200},
		{"form post", "POST", "127.0.0.1:9095", "application/x-www-form-urlencoded", 415},
		{"text/plain post", "POST", "127.0.0.1:9095", "text/plain", 415},
		{"no content type", "POST", "127.0.0.1:9095", "", 415},
		{"rebound name posts", "POST", "attacker.example:9095", "application/json", 403},
		{"rebound name reads", "GET", "attacker.example:9095", "", 403},
		{"other single-label name", "POST", "evil:9095", "application/json", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := "/"
			if tc.method == "POST" {
				path = "/alerts"
			}
			req := httptest.NewRequest(tc.method, path, strings.NewReader(validNotification))
			req.Host = tc.host
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			w := httptest.NewRecorder()
			in.ServeHTTP(w, req)
			if w.Code != tc.code {
				t.Errorf("%s host %q type %q: %d %s, want %d", tc.method, tc.host, tc.contentType, w.Code, w.Body, tc.code)
			}
		})
	}
	if got := in.Total(); got != 2 {
		t.Errorf("the inbox kept %d alerts, want the 2 accepted ones", got)
	}
}

// TestLineEscapesLabels: label values, the path and the receiver come from
// the request; a newline or a terminal escape must not forge a console line.
func TestLineEscapesLabels(t *testing.T) {
	e := Entry{Status: "firing", Path: "/alerts\n", Receiver: "on\x1b[2Jcall", Labels: map[string]string{
		"alertname": "A\nFIRING   Fake", "service": "shop\r", "severity": "page \"x\"", "slo": "Platform Team", "tier": "\u202egnp"}}
	got := e.Line()
	want := `FIRING   "A\nFIRING   Fake" severity="page \"x\"" service="shop\r" slo=Platform Team tier="\u202egnp" via "/alerts\n" ("on\x1b[2Jcall")`
	if got != want {
		t.Errorf("Line:\n got %s\nwant %s", got, want)
	}
	checkPrintable(t, got)
}

func checkPrintable(t *testing.T, line string) {
	t.Helper()
	if i := strings.IndexFunc(line, func(r rune) bool { return !unicode.IsGraphic(r) }); i >= 0 {
		t.Errorf("line holds an unprintable rune at %d: %q", i, line)
	}
}

// FuzzDecode feeds arbitrary webhook bodies to the inbox's decoder: it
// must never panic, and every alert it accepts prints as one line of
// printable text.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(validNotification))
	f.Add([]byte(`{"version":"4","status":"resolved","alerts":[{"status":"resolved","labels":{"alertname":"x\n"}}]}`))
	f.Add([]byte(`{"version":"4"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"a"},"startsAt":"2026-01-02T03:04:05Z"}]} x`))
	f.Fuzz(func(t *testing.T, body []byte) {
		msg, err := decode(bytes.NewReader(body))
		if err != nil {
			return
		}
		for _, a := range msg.Alerts {
			e := Entry{Status: a.Status, Path: "/alerts", Receiver: msg.Receiver, Labels: nonNil(a.Labels),
				Annotations: nonNil(a.Annotations), StartsAt: a.StartsAt, EndsAt: a.EndsAt}
			line := e.Line()
			if strings.ContainsAny(line, "\n\r\x1b") {
				t.Fatalf("line %q of %q holds a control character", line, body)
			}
		}
		// The whole server path must not panic either.
		req := httptest.NewRequest(http.MethodPost, "/alerts", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		New(Options{}).ServeHTTP(httptest.NewRecorder(), req)
	})
}
