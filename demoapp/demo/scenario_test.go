package demo

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/spec/spectest"
)

func demoModel(t *testing.T) *model.Stack {
	t.Helper()
	return spectest.Repo(t, "demo")
}

func TestLocalize(t *testing.T) {
	st := demoModel(t)
	origURLs := map[string]string{}
	for _, r := range st.Alerting.Receivers {
		origURLs[r.Name] = r.URL
	}
	loc, err := Localize(st, 40123)
	if err != nil {
		t.Fatal(err)
	}
	n := loc.Network
	ports := []int{n.PrometheusPort, n.AlertmanagerPort, n.InboxPort}
	for _, svc := range loc.Services {
		ports = append(ports, svc.Port, svc.AdminPort)
		if want := []string{"127.0.0.1:" + itoa(svc.Port)}; !slices.Equal(svc.Targets, want) {
			t.Errorf("service %s targets %v, want %v", svc.Name, svc.Targets, want)
		}
	}
	sorted := slices.Clone(ports)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != len(ports) || n.InboxPort != 40123 {
		t.Errorf("ports %v are not distinct or the inbox port moved", ports)
	}
	// Every webhook to the spec's inbox (127.0.0.1:9095) follows the inbox,
	// path kept; the others (the spec's email) post to the inbox at
	// /<receiver>.
	const specInbox = "http://127.0.0.1:9095/"
	moved, redirected := 0, 0
	for _, r := range loc.Alerting.Receivers {
		want := "http://127.0.0.1:40123/" + r.Name
		if path, ok := strings.CutPrefix(origURLs[r.Name], specInbox); ok {
			want = "http://127.0.0.1:40123/" + path
			moved++
		} else {
			redirected++
		}
		if r.URL != want || r.Type != model.Webhook {
			t.Errorf("receiver %s: %s %q, want a webhook to %q", r.Name, r.Type, r.URL, want)
		}
	}
	if moved < 2 || redirected < 1 {
		t.Errorf("%d of the spec's receivers post to its inbox and %d elsewhere; the test expects the demo's webhooks (at least oncall and tickets) and its email", moved, redirected)
	}
	// The original model is untouched.
	if st.Network.PrometheusPort != 9090 || st.Alerting.Receivers[0].URL != origURLs[st.Alerting.Receivers[0].Name] {
		t.Error("Localize changed its input")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// A receiver that would notify outside the machine posts to the inbox at
// /<receiver> in the demo, with no secret file left to read and its
// sendResolved kept.
func TestLocalizeReceivers(t *testing.T) {
	tests := []struct {
		name       string
		in         model.Receiver
		want       string
		redirected bool
	}{
		{"local webhook", model.Receiver{Type: model.Webhook, URL: "http://127.0.0.1:9095/alerts", SendResolved: true}, "http://127.0.0.1:40123/alerts", false},
		{"localhost webhook", model.Receiver{Type: model.Webhook, URL: "http://localhost:9095/x"}, "http://127.0.0.1:40123/x", false},
		{"compose inbox", model.Receiver{Type: model.Webhook, URL: "http://inbox:9095/r-1", SendResolved: true}, "http://127.0.0.1:40123/compose%20inbox", true},
		{"remote webhook", model.Receiver{Type: model.Webhook, URL: "https://hooks.example.com/page"}, "http://127.0.0.1:40123/remote%20webhook", true},
		{"secret-url", model.Receiver{Type: model.Webhook, URLFile: "/etc/am/url", SendResolved: true}, "http://127.0.0.1:40123/secret-url", true},
		{"mail", model.Receiver{Type: model.Email, To: "a@example.com", From: "b@example.com", Smarthost: "smtp.example.com:587", AuthUsername: "am", AuthPasswordFile: "/etc/am/smtp", SendResolved: true}, "http://127.0.0.1:40123/mail", true},
		{"chat", model.Receiver{Type: model.Slack, Channel: "#alerts", APIURLFile: "/etc/am/slack-url"}, "http://127.0.0.1:40123/chat", true},
		{"pd", model.Receiver{Type: model.PagerDuty, RoutingKeyFile: "/etc/am/pd-key", SendResolved: true}, "http://127.0.0.1:40123/pd", true},
	}
	st := demoModel(t)
	st.Alerting.Receivers = nil
	for _, tt := range tests {
		r := tt.in
		r.Name = tt.name
		st.Alerting.Receivers = append(st.Alerting.Receivers, r)
	}
	loc, err := Localize(st, 40123)
	if err != nil {
		t.Fatal(err)
	}
	redirected := Redirected(st)
	for i, tt := range tests {
		got := loc.Alerting.Receivers[i]
		want := model.Receiver{Name: tt.name, Type: model.Webhook, URL: tt.want, SendResolved: tt.in.SendResolved}
		if !tt.redirected {
			want = tt.in
			want.Name, want.URL = tt.name, tt.want
		}
		if got != want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, want)
		}
		in := slices.ContainsFunc(redirected, func(s string) bool { return strings.HasPrefix(s, tt.name+" (") })
		if in != tt.redirected {
			t.Errorf("%s: in Redirected %v, want %v (%q)", tt.name, in, tt.redirected, redirected)
		}
	}
}

func TestScenarioFromSpec(t *testing.T) {
	st := demoModel(t)
	b, err := PickBreakage(st)
	if err != nil {
		t.Fatal(err)
	}
	if b.SLO.Name != "checkout-availability" || b.Endpoint != "checkout" || b.Service.Name != "shop" {
		t.Errorf("breakage %s/%s/%s, want shop/checkout-availability/checkout", b.Service.Name, b.SLO.Name, b.Endpoint)
	}
	labels := b.PageLabels()
	if labels["alertname"] != "CheckoutAvailabilityBudgetBurn" || labels["severity"] != "page" || labels["team"] != "storefront" {
		t.Errorf("page labels %v", labels)
	}
	// demo profile: 5s scrape + 5s evaluation + no for + 5s group_wait.
	if got := Bound(st, labels, 0); got != 15*time.Second {
		t.Errorf("bound %s, want 15s", got)
	}
	path, err := ReceiverPath(st, "oncall")
	if err != nil || path != "/alerts" {
		t.Errorf("oncall path %q, %v", path, err)
	}
	if _, err := ReceiverPath(st, "storefront-email"); err == nil {
		t.Error("an email receiver has a webhook path")
	}
	// The demo and the e2e break every service of the committed spec, and
	// each page reaches one webhook of the inbox, its team's: distinct
	// teams, distinct receivers.
	bs := PickBreakages(st)
	if len(bs) != len(st.Services) {
		t.Errorf("%d breakages for %d services", len(bs), len(st.Services))
	}
	receiverOfTeam := map[string]string{}
	for _, b := range bs {
		recv := Receivers(st, b.PageLabels())
		if len(recv) != 1 {
			t.Errorf("%s's page goes to %v, want one receiver", b.Service.Name, recv)
			continue
		}
		if _, err := ReceiverPath(st, recv[0]); err != nil {
			t.Errorf("%s's page: %v", b.Service.Name, err)
		}
		receiverOfTeam[b.Service.Team] = recv[0]
	}
	seen := map[string]string{}
	for team, recv := range receiverOfTeam {
		if other, ok := seen[recv]; ok {
			t.Errorf("teams %s and %s are paged through the same receiver %s", team, other, recv)
		}
		seen[recv] = team
	}
}

func TestReceivers(t *testing.T) {
	wait := model.Duration(time.Second)
	st := &model.Stack{Alerting: model.Alerting{
		DefaultReceiver: "fallback",
		GroupWait:       model.Duration(30 * time.Second),
		Routes: []model.Route{
			{Match: map[string]string{"severity": "page"}, Receiver: "oncall", GroupWait: &wait},
			{Match: map[string]string{"severity": "ticket", "team": "a"}, Receiver: "a-mail", Continue: true},
			{Match: map[string]string{"severity": "ticket"}, Receiver: "tickets"},
		},
	}}
	tests := []struct {
		labels    map[string]string
		want      []string
		groupWait time.Duration
	}{
		{map[string]string{"severity": "page", "team": "a"}, []string{"oncall"}, time.Second},
		{map[string]string{"severity": "ticket", "team": "a"}, []string{"a-mail", "tickets"}, 30 * time.Second},
		{map[string]string{"severity": "ticket", "team": "b"}, []string{"tickets"}, 30 * time.Second},
		{map[string]string{"severity": "info"}, []string{"fallback"}, 30 * time.Second},
	}
	for _, tt := range tests {
		if got := Receivers(st, tt.labels); !slices.Equal(got, tt.want) {
			t.Errorf("Receivers(%v) = %v, want %v", tt.labels, got, tt.want)
		}
		if got := groupWait(st, tt.labels); got != tt.groupWait {
			t.Errorf("groupWait(%v) = %s, want %s", tt.labels, got, tt.groupWait)
		}
	}
}

func TestStartFailsCleanlyOnABadSpec(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonnet")
	if err := os.WriteFile(bad, []byte(`{ services: 42 }`), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Start(context.Background(), Options{Spec: bad})
	if err == nil {
		s.Close()
		t.Fatal("started a stack from a bad spec")
	}
	if s == nil {
		t.Fatal("no stack to close after a failed start")
	}
	workDir := s.Dir
	s.Close()
	if _, err := os.Stat(workDir); !os.IsNotExist(err) {
		t.Errorf("the temporary directory %s survived Close: %v", workDir, err)
	}
}

// TestPickBreakages: one breakage per service with a pageable availability
// SLO, in spec order, the first of which PickBreakage returns.
func TestPickBreakages(t *testing.T) {
	st := &model.Stack{Services: []model.Service{
		{Name: "a", SLOs: []model.SLO{{Name: "a-lat", Kind: model.Latency, Endpoints: []string{"x"}, Objective: 99, Period: model.Duration(30 * 24 * time.Hour)}}},
		{Name: "b", SLOs: []model.SLO{
			{Name: "b-avail", Kind: model.Availability, Endpoints: []string{"y", "z"}, Objective: 99.9, Period: model.Duration(30 * 24 * time.Hour)},
			{Name: "b-avail2", Kind: model.Availability, Endpoints: []string{"w"}, Objective: 99.9, Period: model.Duration(30 * 24 * time.Hour)},
		}},
		{Name: "c", SLOs: []model.SLO{{Name: "c-avail", Kind: model.Availability, Endpoints: []string{"v"}, Objective: 99.5, Period: model.Duration(30 * 24 * time.Hour)}}},
	}}
	var got []string
	for _, b := range PickBreakages(st) {
		got = append(got, b.Service.Name+"/"+b.SLO.Name+"/"+b.Endpoint)
	}
	if want := "b/b-avail/y c/c-avail/v"; strings.Join(got, " ") != want {
		t.Errorf("PickBreakages = %v, want %s", got, want)
	}
	if b, err := PickBreakage(st); err != nil || b.SLO.Name != "b-avail" {
		t.Errorf("PickBreakage = %v, %v", b.SLO.Name, err)
	}
	if _, err := PickBreakage(&model.Stack{}); err == nil {
		t.Error("PickBreakage of a spec without SLOs succeeded")
	}
}

// The demo runs the services the demo apps can instrument and leaves the
// exporter presets' services out, saying why; with none left it refuses.
func TestNativeServices(t *testing.T) {
	tests := []struct {
		instrumentation []string // of the demo spec's services, in order
		wantKept        []string
		wantSkipped     []string
	}{
		{[]string{"", ""}, []string{"shop", "catalog"}, nil},
		{[]string{"registry", "prometheus-flask-exporter"}, []string{"shop"}, []string{"catalog"}},
		{[]string{"opentelemetry", ""}, []string{"catalog"}, []string{"shop"}},
		{[]string{"micrometer", "opentelemetry"}, nil, []string{"shop", "catalog"}},
	}
	for _, tt := range tests {
		st := demoModel(t)
		if len(st.Services) != len(tt.instrumentation) {
			t.Fatalf("the demo spec has %d services, the test expects %d", len(st.Services), len(tt.instrumentation))
		}
		for i, in := range tt.instrumentation {
			st.Services[i].Instrumentation = in
		}
		native, skipped, err := NativeServices(st)
		if len(skipped) != len(tt.wantSkipped) {
			t.Errorf("%v: skipped %q, want %v", tt.instrumentation, skipped, tt.wantSkipped)
		}
		for i, name := range tt.wantSkipped {
			if i < len(skipped) && !strings.HasPrefix(skipped[i], "service "+name+": it is instrumented by ") {
				t.Errorf("%v: skipped[%d] = %q, want service %s", tt.instrumentation, i, skipped[i], name)
			}
		}
		if tt.wantKept == nil {
			if err == nil {
				t.Errorf("%v: no error with every service left out", tt.instrumentation)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tt.instrumentation, err)
		}
		var kept []string
		for _, svc := range native.Services {
			kept = append(kept, svc.Name)
		}
		if !slices.Equal(kept, tt.wantKept) {
			t.Errorf("%v: kept %v, want %v", tt.instrumentation, kept, tt.wantKept)
		}
		if len(st.Services) != len(tt.instrumentation) {
			t.Errorf("%v: NativeServices changed its input", tt.instrumentation)
		}
	}
}
