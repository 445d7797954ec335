package sim

import (
	"math"
	"sort"
	"testing"
	"time"

	"github.com/stackc/stackc/runtime/instrument"
)

// TestLatencyQuantiles draws many latencies and checks their median and
// 99th percentile against the spec's, within sampling error.
func TestLatencyQuantiles(t *testing.T) {
	for _, tc := range []struct{ median, p99 time.Duration }{
		{40 * time.Millisecond, 160 * time.Millisecond},
		{180 * time.Millisecond, 280 * time.Millisecond},
		{20 * time.Millisecond, 20 * time.Millisecond},
	} {
		b := New(instrument.Sim{Latency: tc.median, LatencyP99: tc.p99})
		const n = 200000
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(b.Latency())
		}
		sort.Float64s(xs)
		for _, q := range []struct {
			name string
			got  float64
			want time.Duration
		}{{"median", xs[n/2], tc.median}, {"p99", xs[n*99/100], tc.p99}} {
			if math.Abs(q.got-float64(q.want)) > 0.03*float64(q.want) {
				t.Errorf("%s/%s: %s = %s, want %s within 3%%", tc.median, tc.p99, q.name, time.Duration(q.got), q.want)
			}
		}
	}
}

func TestErrorRate(t *testing.T) {
	b := New(instrument.Sim{ErrorRate: 0.1})
	fails := 0
	const n = 100000
	for i := 0; i < n; i++ {
		if b.Fail() {
			fails++
		}
	}
	// 5 standard deviations of a binomial(100000, 0.1) are ~475.
	if fails < 9500 || fails > 10500 {
		t.Errorf("%d failures in %d at rate 0.1", fails, n)
	}
	if New(instrument.Sim{}).Fail() {
		t.Error("rate 0 failed")
	}
	if New(instrument.Sim{}).Latency() != 0 {
		t.Error("no latency configured, yet latency drawn")
	}
}
