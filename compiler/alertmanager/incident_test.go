package alertmanager

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec/spectest"
	"github.com/stackc/stackc/tools"
)

// notification is one webhook call the Alertmanager made.
type notification struct {
	receiver string
	status   string
	alerts   []string // "alertname tier status"
}

// webhookSink records the webhook calls of every receiver (its path).
type webhookSink struct {
	mu   sync.Mutex
	seen []notification
}

func (s *webhookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var msg struct {
		Status string `json:"status"`
		Alerts []struct {
			Status string            `json:"status"`
			Labels map[string]string `json:"labels"`
		} `json:"alerts"`
	}
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	n := notification{receiver: strings.TrimPrefix(r.URL.Path, "/"), status: msg.Status}
	for _, a := range msg.Alerts {
		n.alerts = append(n.alerts, a.Labels["alertname"]+" "+a.Labels[slo.LabelTier]+" "+a.Status)
	}
	s.mu.Lock()
	s.seen = append(s.seen, n)
	s.mu.Unlock()
}

func (s *webhookSink) all() []notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]notification(nil), s.seen...)
}

// prometheusAlert is an alert as Prometheus sends it to the Alertmanager.
type prometheusAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
}

func post(t *testing.T, base string, alerts []prometheusAlert) {
	t.Helper()
	data, err := json.Marshal(alerts)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(base+"/api/v2/alerts", "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("posting alerts: %s: %s", resp.Status, msg)
	}
}

// TestServerOneIncidentOneNotification replays, against the real
// Alertmanager server and the generated configuration, what Prometheus
// sends during an incident with the generated rules (the promtool tests
// prove the rules do this): one page alert per SLO, re-sent at every
// evaluation while it fires, its description changing as the burn rate
// and the burning tiers change (the page tiers are one alert, so page-slow
// joining is no new alert), then resolved. On-call must get exactly one
// firing and one resolved notification, and the ticket receivers nothing.
// Time is compressed: group_wait 1s, group_interval 2s, one evaluation
// every 250ms.
func TestServerOneIncidentOneNotification(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips starting an Alertmanager server")
	}
	bin, err := tools.Path("alertmanager")
	if err != nil {
		t.Fatal(err)
	}
	sink := &webhookSink{}
	hook := httptest.NewServer(sink)
	defer hook.Close()

	for _, spec := range []string{"default", "demo"} {
		t.Run(spec, func(t *testing.T) {
			sink.mu.Lock()
			sink.seen = nil
			sink.mu.Unlock()
			st := spectest.Repo(t, spec)
			// Every receiver becomes a webhook to the sink, named by its path.
			for i, r := range st.Alerting.Receivers {
				st.Alerting.Receivers[i] = model.Receiver{Name: r.Name, Type: model.Webhook, URL: hook.URL + "/" + r.Name, SendResolved: true}
			}
			groupInterval := 2 * time.Second
			st.Alerting.GroupWait = model.Duration(time.Second)
			st.Alerting.GroupInterval = model.Duration(groupInterval)
			st.Alerting.RepeatInterval = model.Duration(time.Hour)
			for i := range st.Alerting.Routes {
				st.Alerting.Routes[i].GroupWait, st.Alerting.Routes[i].GroupInterval, st.Alerting.Routes[i].RepeatInterval = nil, nil, nil
			}
			base := startAlertmanager(t, bin, writeOut(t, emit(t, st)))

			svc, s := st.Services[0], st.Services[0].SLOs[0]
			var page Alert
			for _, a := range Alerts(st) {
				if a.Name == slo.BurnAlertName(s) && a.Labels[slo.LabelSeverity] == string(slo.Page) {
					page = a
				}
			}
			if page.Name == "" {
				t.Fatalf("%s has no page alert", s.Name)
			}
			labels := map[string]string{}
			for k, v := range page.LabelSet() {
				labels[string(k)] = string(v)
			}
			tick := 250 * time.Millisecond
			started := time.Now().UTC()
			// Prometheus re-sends a firing alert every evaluation with
			// endsAt 4 evaluations ahead, and a resolved one with endsAt at
			// its resolution for a while after.
			for i := range 24 {
				tiers := "page-fast"
				if i >= 8 {
					tiers = "page-fast, page-slow"
				}
				post(t, base, []prometheusAlert{{Labels: labels, StartsAt: started, EndsAt: time.Now().UTC().Add(4 * tick),
					Annotations: map[string]string{"summary": s.Name + " pages", "description": fmt.Sprintf("burns %dx; burning: %s", 20+i, tiers)}}})
				time.Sleep(tick)
			}
			resolved := time.Now().UTC()
			for range 8 {
				post(t, base, []prometheusAlert{{Labels: labels, StartsAt: started, EndsAt: resolved,
					Annotations: map[string]string{"summary": s.Name + " pages", "description": "burns 0x"}}})
				time.Sleep(tick)
			}
			// Long enough for any further notification of the group.
			deadline := time.Now().Add(3 * groupInterval)
			for time.Now().Before(deadline) {
				if n := sink.all(); len(n) > 2 {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}

			cfg, err := LoadConfig(emit(t, st)[ConfigPath])
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][]string{}
			for _, e := range Expectations(st, cfg) {
				if e.Alert.String() != page.String() {
					continue
				}
				for _, r := range e.Receivers {
					want[r] = []string{"firing [" + page.Name + " page firing]", "resolved [" + page.Name + " page resolved]"}
				}
			}
			got := map[string][]string{}
			for _, n := range sink.all() {
				got[n.receiver] = append(got[n.receiver], n.status+" "+fmt.Sprint(n.alerts))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s %s: notifications per receiver\n got %v\nwant %v", svc.Name, s.Name, got, want)
			}
		})
	}
}
