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
	// path kept; other receivers are untouched.
	const specInbox = "http://127.0.0.1:9095/"
	moved := 0
	for _, r := range loc.Alerting.Receivers {
		want := origURLs[r.Name]
		if path, ok := strings.CutPrefix(want, specInbox); ok {
			want = "http://127.0.0.1:40123/" + path
			moved++
		}
		if r.URL != want {
			t.Errorf("receiver %s URL %q, want %q", r.Name, r.URL, want)
		}
	}
	if moved < 2 {
		t.Errorf("%d of the spec's receivers post to its inbox; the test expects the demo's webhooks (at least oncall and tickets)", moved)
	}
	// The original model is untouched.
	if st.Network.PrometheusPort != 9090 || st.Alerting.Receivers[0].URL != origURLs[st.Alerting.Receivers[0].Name] {
		t.Error("Localize changed its input")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

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
