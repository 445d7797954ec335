package inbox

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/alert"
	amcommoncfg "github.com/prometheus/alertmanager/config/common"
	"github.com/prometheus/alertmanager/notify"
	"github.com/prometheus/alertmanager/notify/webhook"
	"github.com/prometheus/alertmanager/template"
	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
)

var (
	t0  = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now = t0.Add(83 * time.Second)
)

// syncBuffer is a bytes.Buffer safe for the server goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	in   *Inbox
	srv  *httptest.Server
	out  *syncBuffer
	logs *syncBuffer
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	f := &fixture{out: &syncBuffer{}, logs: &syncBuffer{}}
	opts.Out = f.out
	opts.Logger = slog.New(slog.NewTextHandler(f.logs, nil))
	opts.Now = func() time.Time { return now }
	f.in = New(opts)
	f.srv = httptest.NewServer(f.in)
	t.Cleanup(f.srv.Close)
	return f
}

// send delivers alerts to path with Alertmanager's own webhook notifier, so
// the inbox is tested against the payload the real server produces.
func (f *fixture) send(t *testing.T, path, receiver string, groupLabels model.LabelSet, alerts ...*alert.Alert) {
	t.Helper()
	tmpl, err := template.FromGlobs(nil)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.ExternalURL, _ = url.Parse("http://alertmanager.test")
	n, err := webhook.New(&webhook.WebhookConfig{
		URL:        amcommoncfg.SecretTemplateURL(f.srv.URL + path),
		HTTPConfig: &commoncfg.HTTPClientConfig{},
	}, tmpl, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx := notify.WithGroupKey(context.Background(), "{}/{severity=\"page\"}:"+groupLabels.String())
	ctx = notify.WithReceiverName(ctx, receiver)
	ctx = notify.WithGroupLabels(ctx, groupLabels)
	ctx = notify.WithNotificationReason(ctx, notify.ReasonFirstNotification)
	if err := n.Notify(ctx, alerts...).Err(); err != nil {
		t.Fatalf("notify: %v", err)
	}
}

func burnAlert(sloName, tier string, ends time.Time) *alert.Alert {
	return alert.New(model.Alert{
		Labels: model.LabelSet{
			"alertname": "CheckoutAvailabilityBudgetBurn", "service": "shop", "slo": model.LabelValue(sloName),
			"severity": "page", "tier": model.LabelValue(tier), "team": "storefront",
		},
		Annotations: model.LabelSet{
			"summary":     "shop: checkout-availability is burning its error budget",
			"description": "<b>14.4x</b> burn",
		},
		StartsAt:     t0,
		EndsAt:       ends,
		GeneratorURL: "http://prometheus.test/graph",
	}, t0, false)
}

func TestReceivesRealNotifications(t *testing.T) {
	f := newFixture(t, Options{})
	group := model.LabelSet{"alertname": "CheckoutAvailabilityBudgetBurn", "service": "shop", "slo": "checkout-availability"}

	// A grouped firing notification: two tiers of one SLO in one message.
	f.send(t, "/alerts", "oncall", group,
		burnAlert("checkout-availability", "page-fast", time.Time{}),
		burnAlert("checkout-availability", "page-slow", time.Time{}))
	// The resolution, through another receiver's path.
	f.send(t, "/tickets", "tickets", group, burnAlert("checkout-availability", "page-fast", t0.Add(2*time.Minute)))

	got := f.in.Alerts()
	if len(got) != 3 || f.in.Total() != 3 {
		t.Fatalf("got %d alerts (total %d), want 3: %+v", len(got), f.in.Total(), got)
	}
	want := []struct {
		path, receiver, status, tier string
	}{
		{"/alerts", "oncall", "firing", "page-fast"},
		{"/alerts", "oncall", "firing", "page-slow"},
		{"/tickets", "tickets", "resolved", "page-fast"},
	}
	for i, w := range want {
		e := got[i]
		if e.Seq != i+1 || e.Path != w.path || e.Receiver != w.receiver || e.Status != w.status || e.Labels["tier"] != w.tier {
			t.Errorf("alert %d = %+v, want %+v", i, e, w)
		}
		if e.Labels["slo"] != "checkout-availability" || e.Name() != "CheckoutAvailabilityBudgetBurn" || !e.StartsAt.Equal(t0) {
			t.Errorf("alert %d lost labels or times: %+v", i, e)
		}
		if e.ExternalURL != "http://alertmanager.test" {
			t.Errorf("alert %d names the sending Alertmanager %q, want http://alertmanager.test", i, e.ExternalURL)
		}
		if e.Fingerprint == "" || e.GroupKey == "" {
			t.Errorf("alert %d has no fingerprint or group key: %+v", i, e)
		}
	}

	lines := strings.Split(strings.TrimSpace(f.out.String()), "\n")
	wantLines := []string{
		`FIRING   CheckoutAvailabilityBudgetBurn severity=page service=shop slo=checkout-availability tier=page-fast via /alerts (oncall) "shop: checkout-availability is burning its error budget" started 1m23s ago`,
		`FIRING   CheckoutAvailabilityBudgetBurn severity=page service=shop slo=checkout-availability tier=page-slow via /alerts (oncall) "shop: checkout-availability is burning its error budget" started 1m23s ago`,
		`RESOLVED CheckoutAvailabilityBudgetBurn severity=page service=shop slo=checkout-availability tier=page-fast via /tickets (tickets) "shop: checkout-availability is burning its error budget" resolved after 2m0s`,
	}
	if strings.Join(lines, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("printed lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(wantLines, "\n"))
	}
	if f.logs.String() != "" {
		t.Errorf("valid notifications were logged as problems: %s", f.logs)
	}

	// The JSON API returns the same alerts.
	var api apiResponse
	getJSON(t, f.srv.URL+"/api/alerts", &api)
	if api.Total != 3 || len(api.Alerts) != 3 || api.Alerts[2].Status != "resolved" || api.Alerts[0].Path != "/alerts" {
		t.Errorf("/api/alerts = %+v", api)
	}

	// The page shows them, escaped.
	page := get(t, f.srv.URL+"/")
	for _, s := range []string{"CheckoutAvailabilityBudgetBurn", "slo=checkout-availability", "/tickets (tickets)", "3 alerts received"} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func TestPageEscapes(t *testing.T) {
	f := newFixture(t, Options{})
	a := burnAlert("<script>alert(1)</script>", "page-fast", time.Time{})
	a.Annotations["summary"] = `<img src=x onerror="alert(1)">`
	f.send(t, "/alerts", "oncall", model.LabelSet{}, a)
	page := get(t, f.srv.URL+"/")
	for _, bad := range []string{"<script>alert(1)", "<img src=x"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains unescaped %q", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;") {
		t.Errorf("page lacks the escaped label value:\n%s", page)
	}
}

func TestRejectsBadPayloads(t *testing.T) {
	valid := `{"version":"4","status":"firing","receiver":"oncall","alerts":[{"status":"firing","labels":{"alertname":"A"}}]}`
	tests := []struct {
		name, body, wantErr string
	}{
		{"empty body", "", "invalid JSON"},
		{"malformed JSON", `{"version":"4","alerts":[`, "invalid JSON"},
		{"not an object", `[1,2,3]`, "invalid JSON"},
		{"null", `null`, "protocol version"},
		{"empty object", `{}`, "protocol version"},
		{"wrong type", `{"version":"4","alerts":"many"}`, "invalid JSON"},
		{"unknown version", strings.Replace(valid, `"4"`, `"3"`, 1), "protocol version"},
		{"no alerts", `{"version":"4","status":"firing","alerts":[]}`, "no alerts"},
		{"only version", `{"version":"4"}`, "no alerts"},
		{"bad status", strings.Replace(valid, `"status":"firing","receiver"`, `"status":"burning","receiver"`, 1), "neither firing nor resolved"},
		{"bad alert status", strings.Replace(valid, `"status":"firing","labels"`, `"status":"","labels"`, 1), "alerts[0]: status"},
		{"no alertname", strings.Replace(valid, `"alertname":"A"`, `"severity":"page"`, 1), "no alertname"},
		{"trailing data", valid + `{"version":"4"}`, "trailing data"},
		{"oversized", `{"version":"4","status":"firing","receiver":"` + strings.Repeat("x", 2048) + `","alerts":[{"status":"firing","labels":{"alertname":"A"}}]}`, "larger than 1024 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{MaxBytes: 1024})
			resp, err := http.Post(f.srv.URL+"/alerts", "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status %d, want 400", resp.StatusCode)
			}
			if !strings.Contains(string(msg), tt.wantErr) {
				t.Errorf("response %q does not say %q", msg, tt.wantErr)
			}
			if logs := f.logs.String(); !strings.Contains(logs, "rejected notification") || !strings.Contains(logs, "path=/alerts") {
				t.Errorf("rejection not logged: %q", logs)
			}
			if f.in.Total() != 0 || f.out.String() != "" {
				t.Errorf("bad payload recorded: %d alerts, output %q", f.in.Total(), f.out)
			}
			// The inbox keeps working.
			resp, err = http.Post(f.srv.URL+"/alerts", "application/json", strings.NewReader(valid))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || f.in.Total() != 1 {
				t.Errorf("valid payload after a bad one: status %d, %d alerts", resp.StatusCode, f.in.Total())
			}
		})
	}
}

func TestKeepsTheLatest(t *testing.T) {
	f := newFixture(t, Options{Keep: 2})
	var seen []int
	f.in.opts.OnAlert = func(e Entry) { seen = append(seen, e.Seq) }
	for _, tier := range []string{"page-fast", "page-slow", "ticket-fast"} {
		f.send(t, "/alerts", "oncall", model.LabelSet{}, burnAlert("checkout-availability", tier, time.Time{}))
	}
	got := f.in.Alerts()
	if len(got) != 2 || got[0].Labels["tier"] != "page-slow" || got[1].Labels["tier"] != "ticket-fast" || got[1].Seq != 3 {
		t.Errorf("kept %+v, want the last two", got)
	}
	if f.in.Total() != 3 || len(seen) != 3 {
		t.Errorf("total %d, callbacks %v; want 3", f.in.Total(), seen)
	}
}

func TestRoutes(t *testing.T) {
	f := newFixture(t, Options{})
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/", 200},
		{"GET", "/api/alerts", 200},
		{"GET", "/healthz", 200},
		{"HEAD", "/", 200},
		{"GET", "/nope", 404},
		{"PUT", "/alerts", 405},
		{"DELETE", "/api/alerts", 405},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, f.srv.URL+tt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.path, resp.StatusCode, tt.want)
		}
	}
}

func TestLine(t *testing.T) {
	tests := []struct {
		name string
		e    Entry
		want string
	}{
		{"target down, no slo", Entry{Status: "firing", Path: "/alerts", Receiver: "oncall", Received: t0.Add(1500 * time.Millisecond), StartsAt: t0,
			Labels: map[string]string{"alertname": "ShopTargetDown", "severity": "page", "service": "shop"}},
			`FIRING   ShopTargetDown severity=page service=shop via /alerts (oncall) started 1.5s ago`},
		{"clock skew", Entry{Status: "firing", Path: "/", Receiver: "x", Received: t0, StartsAt: t0.Add(time.Second),
			Labels: map[string]string{"alertname": "A"}, Annotations: map[string]string{"summary": "s"}},
			`FIRING   A via / (x) "s" started 0s ago`},
		{"no start", Entry{Status: "resolved", Path: "/t", Receiver: "t", Labels: map[string]string{"alertname": "A"}},
			`RESOLVED A via /t (t)`},
	}
	for _, tt := range tests {
		if got := tt.e.Line(); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
	}
	return string(b)
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(get(t, u)), v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}
