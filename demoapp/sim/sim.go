// Package sim makes the demo app behave like the spec says its endpoints
// do: log-normal latency from the median and 99th percentile, a share of
// server errors, and on top of that whatever faults are injected.
package sim

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/stackc/stackc/demoapp/fault"
	"github.com/stackc/stackc/runtime/instrument"
)

// z99 is the standard normal 99th percentile.
const z99 = 2.3263478740408408

// Behaviour is the simulated behaviour of one endpoint.
type Behaviour struct {
	mu, sigma float64 // of the latency's logarithm, in seconds
	errorRate float64
}

// New returns the behaviour the spec gives an endpoint. A log-normal with
// median m and 99th percentile p has mu = ln m and sigma = ln(p/m) / z99.
func New(s instrument.Sim) Behaviour {
	b := Behaviour{errorRate: s.ErrorRate, mu: math.Inf(-1)}
	if s.Latency > 0 {
		b.mu = math.Log(s.Latency.Seconds())
		if s.LatencyP99 > s.Latency {
			b.sigma = math.Log(float64(s.LatencyP99)/float64(s.Latency)) / z99
		}
	}
	return b
}

// Latency draws one response time.
func (b Behaviour) Latency() time.Duration {
	if math.IsInf(b.mu, -1) {
		return 0
	}
	return time.Duration(math.Exp(b.mu+b.sigma*rand.NormFloat64()) * float64(time.Second))
}

// Fail draws whether a request fails.
func (b Behaviour) Fail() bool { return b.errorRate > 0 && rand.Float64() < b.errorRate }

// Options tune the simulation for all endpoints.
type Options struct {
	// LatencyScale multiplies simulated latency (0 turns it off, for tests);
	// injected fault latency is never scaled.
	LatencyScale float64
	// NoErrors turns the spec's simulated errors off (faults still apply).
	NoErrors bool
}

// Handler answers like endpoint i of store would: it waits the simulated
// and injected latency, fails with 500 (simulated) or 503 (injected), and
// otherwise calls next.
func Handler(i int, b Behaviour, store *fault.Store, opts Options, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		delay := time.Duration(float64(b.Latency()) * opts.LatencyScale)
		f, faulty := store.Get(i)
		if faulty {
			delay += f.Latency
		}
		if !sleep(r.Context(), delay) {
			// The client went away; net/http discards the answer anyway.
			http.Error(w, "request cancelled", http.StatusServiceUnavailable)
			return
		}
		if faulty && f.ErrorRate > 0 && rand.Float64() < f.ErrorRate {
			http.Error(w, "injected fault", http.StatusServiceUnavailable)
			return
		}
		if !opts.NoErrors && b.Fail() {
			http.Error(w, "simulated server error", http.StatusInternalServerError)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// sleep waits d or until ctx ends, and reports whether it waited in full.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
