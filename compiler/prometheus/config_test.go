package prometheus

import (
	"strings"
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

func TestLoopbackFor(t *testing.T) {
	for bind, want := range map[string]string{
		"":          "127.0.0.1",
		"0.0.0.0":   "127.0.0.1",
		"::":        "127.0.0.1",
		"127.0.0.1": "127.0.0.1",
		"10.1.2.3":  "10.1.2.3",
	} {
		if got := loopbackFor(bind); got != want {
			t.Errorf("loopbackFor(%q) = %q, want %q", bind, got, want)
		}
	}
}

func TestConfigFile(t *testing.T) {
	st := &model.Stack{
		ScrapeInterval:     model.Duration(5 * time.Second),
		EvaluationInterval: model.Duration(30 * time.Second),
		Network:            model.Network{BindAddress: "0.0.0.0", AlertmanagerPort: 9093},
		Services: []model.Service{
			{Name: "a", Team: "t1", Targets: []string{"127.0.0.1:8080"}},
			{Name: "b", Team: "t2", Targets: []string{"127.0.0.1:8081", "127.0.0.1:8082"}, NativeHistograms: true},
		},
	}
	data, err := configFile(st, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := string(data)
	for _, want := range []string{
		"scrape_interval: 5s\n",
		"scrape_timeout: 5s\n", // never above the interval
		"- 127.0.0.1:9093\n",
		"- rules/a/*.yml\n",
		"- rules/b/*.yml\n",
		"job_name: a\n",
		"service: b\n",
		"team: t2\n",
		"scrape_native_histograms: true\n",
		"always_scrape_classic_histograms: true\n",
		"- 127.0.0.1:8082\n",
	} {
		if !strings.Contains(cfg, want) {
			t.Errorf("prometheus.yml lacks %q:\n%s", want, cfg)
		}
	}
	if strings.Count(cfg, "scrape_native_histograms") != 1 {
		t.Errorf("native histograms must be scraped for service b only:\n%s", cfg)
	}
}

// Prometheus refuses a scrape_timeout longer than the scrape_interval, so
// short intervals clamp the 10s timeout.
func TestConfigScrapeTimeoutClamped(t *testing.T) {
	for _, c := range []struct {
		interval time.Duration
		want     string
	}{
		{time.Second, "scrape_timeout: 1s\n"},
		{5 * time.Second, "scrape_timeout: 5s\n"},
		{10 * time.Second, "scrape_timeout: 10s\n"},
		{15 * time.Second, "scrape_timeout: 10s\n"},
		{time.Minute, "scrape_timeout: 10s\n"},
	} {
		st := &model.Stack{ScrapeInterval: model.Duration(c.interval), EvaluationInterval: model.Duration(time.Minute)}
		data, err := configFile(st, "")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), c.want) {
			t.Errorf("scrape interval %v: want %q in\n%s", c.interval, c.want, data)
		}
	}
}

// Each replica of an HA stack gets its own file: the replica label on its
// series, dropped from its alerts, which go to every Alertmanager peer.
func TestConfigFileHA(t *testing.T) {
	st := &model.Stack{
		ScrapeInterval:     model.Duration(5 * time.Second),
		EvaluationInterval: model.Duration(5 * time.Second),
		Network:            model.Network{BindAddress: "127.0.0.1", PrometheusPort: 9090, AlertmanagerPort: 9093},
		Services:           []model.Service{{Name: "a", Team: "t", Targets: []string{"127.0.0.1:8080"}}},
		HA: &model.HA{
			PrometheusReplicas: 2, AlertmanagerPeers: 3,
			Prometheus: []model.PrometheusReplica{{Name: "prometheus-0", Port: 9090}, {Name: "prometheus-1", Port: 9190}},
			Alertmanagers: []model.AlertmanagerPeer{
				{Name: "alertmanager-0", Port: 9093, ClusterPort: 9094},
				{Name: "alertmanager-1", Port: 9193, ClusterPort: 9194},
				{Name: "alertmanager-2", Host: "am2.example", Port: 9293, ClusterPort: 9294},
			},
		},
	}
	files, err := artifact.Files(Emit, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	configs := map[string]string{}
	for _, f := range files {
		if strings.HasPrefix(f.Path, "prometheus/") && !strings.HasPrefix(f.Path, "prometheus/rules/") && !strings.HasPrefix(f.Path, "prometheus/tests/") {
			configs[f.Path] = string(f.Data)
		}
	}
	if _, ok := configs[ConfigPath]; ok || len(configs) != 2 {
		t.Fatalf("want one config per replica, no prometheus.yml; got %v", keys(configs))
	}
	for _, replica := range []string{"prometheus-0", "prometheus-1"} {
		cfg, ok := configs[slo.PrometheusConfigPathOf(replica)]
		if !ok {
			t.Fatalf("no %s", slo.PrometheusConfigPathOf(replica))
		}
		for _, want := range []string{
			"external_labels:\n    replica: " + replica + "\n",
			"alert_relabel_configs:\n    - action: labeldrop\n      regex: replica\n",
			"- 127.0.0.1:9093\n", "- 127.0.0.1:9193\n", "- am2.example:9293\n",
		} {
			if !strings.Contains(cfg, want) {
				t.Errorf("%s lacks %q:\n%s", replica, want, cfg)
			}
		}
	}
	single, err := configFile(&model.Stack{Network: st.Network, ScrapeInterval: st.ScrapeInterval, EvaluationInterval: st.EvaluationInterval}, "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(single), "replica") {
		t.Errorf("a single Prometheus has no replica label:\n%s", single)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
