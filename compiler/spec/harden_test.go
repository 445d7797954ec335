package spec

import (
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/model"
)

// TestExplicitZerosAreHonoured: a zero the spec writes is kept where it
// is valid, not replaced by the default as if the spec had left it out.
func TestExplicitZerosAreHonoured(t *testing.T) {
	src := `local s = import 'stackc.libsonnet';
s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [
        s.endpoint('GET', '/a', name='get_a', sim={ latency: '0ms', weight: 0 }),
        s.endpoint('GET', '/b', name='get_b'),
      ],
      slos: [s.availability('a-availability', 'get_a', 99.9, minEventRate=0)],
    },
  ],
  alerting: { groupWait: '0s', receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}`
	res, err := Load("zeros.jsonnet", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := res.Stack
	a, b := st.Services[0].Endpoints[0].Sim, st.Services[0].Endpoints[1].Sim
	s := st.Services[0].SLOs[0]
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"sim latency 0ms", a.Latency, model.Duration(0)},
		{"its p99 follows it", a.LatencyP99, model.Duration(0)},
		{"weight 0", a.Weight, 0.0},
		{"unset weight", b.Weight, 1.0},
		{"unset latency", b.Latency, model.Duration(DefaultSimLatency)},
		{"minEventRate 0", s.MinEventRate, 0.0},
		{"unset minBadEvents", s.MinBadEvents, float64(DefaultMinBadEvents)},
		{"groupWait 0s", st.Alerting.GroupWait, model.Duration(0)},
		{"unset groupInterval", st.Alerting.GroupInterval, model.Duration(5 * time.Minute)},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

// TestWorstCaseSeriesCountsTargetsAndNativeHistograms: every target
// exposes every series, and native histograms add one series per
// endpoint beside the classic buckets.
func TestWorstCaseSeriesCountsTargetsAndNativeHistograms(t *testing.T) {
	svc := model.Service{
		Name:           "shop",
		Targets:        []string{"a:1", "b:1", "c:1"},
		Endpoints:      []model.Endpoint{{Name: "x"}},
		StatusCodes:    []int{200},
		LatencyBuckets: []float64{0.1, 1},
		Metrics:        []model.Metric{{Name: "m_total", Type: model.Counter, Labels: []model.Label{{Name: "l", Values: []string{"a", "b"}}}}},
	}
	count := func(svc model.Service) map[string]int {
		out := map[string]int{}
		for _, c := range WorstCaseSeries(&model.Stack{Services: []model.Service{svc}}) {
			out[c.Metric] = c.Series
		}
		return out
	}
	got := count(svc)
	// 2 endpoint values (x, _unmatched); 1 code + 499 + 5 classes; 2 buckets + 3.
	want := map[string]int{"http_requests_total": 2 * 7 * 3, "http_request_duration_seconds": 2 * 5 * 3, "http_requests_in_flight": 2 * 3, "m_total": 2 * 3}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d series, want %d", k, got[k], v)
		}
	}
	svc.NativeHistograms = true
	if got, want := count(svc)["http_request_duration_seconds"], (2*5+2)*3; got != want {
		t.Errorf("with native histograms: %d series, want %d", got, want)
	}
}

// TestWholeDuration: the suggestion for a fractional duration.
func TestWholeDuration(t *testing.T) {
	for in, want := range map[string]string{"1.5s": "1500ms", "2.5h": "150m", "0.5d": "12h", ".25m": "15s", "1.5w": "252h", "0.0001ms": "", "5m": "", "1.5x": ""} {
		got, ok := wholeDuration(in)
		if got != want || ok != (want != "") {
			t.Errorf("wholeDuration(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
