package alertmanager

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os/exec"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec/spectest"
	"github.com/stackc/stackc/tools"
)

// TestServerV0311 starts the Alertmanager server the stack runs (v0.31.1,
// older than the v0.35.0 library the config is built with) on the
// generated files, posts every alert but target-down, and reads back from
// its API which receivers each alert reaches and which are inhibited.
func TestServerV0311(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips starting an Alertmanager server")
	}
	bin, err := tools.Built("alertmanager")
	if err != nil {
		t.Fatal(err)
	}
	st := spectest.Repo(t, "default")
	// Nobody may be notified while the test runs: the demo inbox could be
	// listening on the webhook URLs. The first notification waits a day.
	st.Alerting.GroupWait = model.Duration(24 * time.Hour)
	files := emit(t, st)
	cfgPath := writeOut(t, files)
	base := startAlertmanager(t, bin, cfgPath)

	var active []Alert
	for _, a := range Alerts(st) {
		if a.Name != slo.TargetDownAlertName(st.Services[0]) {
			active = append(active, a)
		}
	}
	postAlerts(t, base, active)

	cfg, err := LoadConfig(files[ConfigPath])
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]serverView{}
	for _, e := range Expectations(st, cfg) {
		if e.Alert.Name == slo.TargetDownAlertName(st.Services[0]) {
			continue
		}
		v := serverView{Receivers: append([]string(nil), e.Receivers...), State: "active"}
		for _, s := range e.SilencedBy {
			if s.Name != slo.TargetDownAlertName(st.Services[0]) {
				v.State = "suppressed"
			}
		}
		sort.Strings(v.Receivers)
		want[e.Alert.String()] = v
	}

	var got map[string]serverView
	deadline := time.Now().Add(30 * time.Second)
	for {
		got = getAlerts(t, base)
		if reflect.DeepEqual(got, want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for k, w := range want {
		if g, ok := got[k]; !ok {
			t.Errorf("%s: not in the server's alerts", k)
		} else if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: server says %+v, want %+v", k, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("server has %d alerts, want %d", len(got), len(want))
	}
	suppressed := 0
	for _, v := range got {
		if v.State == "suppressed" {
			suppressed++
		}
	}
	t.Logf("%d alerts, %d of them inhibited", len(got), suppressed)
}

type serverView struct {
	Receivers []string
	State     string
}

// startAlertmanager runs the server on a free loopback port until the test
// ends and returns its base URL; its log is printed if the test fails.
func startAlertmanager(t *testing.T, bin, cfgPath string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	data := t.TempDir()
	var log bytes.Buffer
	cmd := exec.Command(bin,
		"--config.file="+cfgPath,
		"--storage.path="+data,
		"--web.listen-address="+addr,
		"--cluster.listen-address=", // no gossip port
	)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("alertmanager log:\n%s", log.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("alertmanager exited: %v\n%s", err, log.String())
		default:
		}
		resp, err := http.Get(base + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("alertmanager not ready after 30s\n%s", log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// postAlerts posts alerts as firing since a minute ago, for an hour.
func postAlerts(t *testing.T, base string, alerts []Alert) {
	t.Helper()
	now := time.Now().UTC()
	var body []prometheusAlert
	for _, a := range alerts {
		ls := map[string]string{}
		for k, v := range a.LabelSet() {
			ls[string(k)] = string(v)
		}
		body = append(body, prometheusAlert{Labels: ls, StartsAt: now.Add(-time.Minute), EndsAt: now.Add(time.Hour)})
	}
	post(t, base, body)
}

// getAlerts reads the server's alerts keyed like Alert.String.
func getAlerts(t *testing.T, base string) map[string]serverView {
	t.Helper()
	resp, err := http.Get(base + "/api/v2/alerts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var alerts []struct {
		Labels    map[string]string `json:"labels"`
		Receivers []struct {
			Name string `json:"name"`
		} `json:"receivers"`
		Status struct {
			State string `json:"state"`
		} `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&alerts); err != nil {
		t.Fatal(err)
	}
	out := map[string]serverView{}
	for _, a := range alerts {
		al := Alert{Name: a.Labels["alertname"], Labels: map[string]string{}}
		for k, v := range a.Labels {
			if k != "alertname" {
				al.Labels[k] = v
			}
		}
		v := serverView{State: a.Status.State}
		for _, r := range a.Receivers {
			v.Receivers = append(v.Receivers, r.Name)
		}
		sort.Strings(v.Receivers)
		out[al.String()] = v
	}
	return out
}
