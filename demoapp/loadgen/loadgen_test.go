package loadgen

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackc/stackc/runtime/instrument"
)

// counter is a target that counts requests by method and path shape.
type counter struct {
	mu   sync.Mutex
	hits map[string]int
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hits == nil {
		c.hits = map[string]int{}
	}
	c.hits[r.Method+" "+regexp.MustCompile(`\d+`).ReplaceAllString(r.URL.Path, "N")]++
	w.WriteHeader(http.StatusOK)
}

var endpoints = []instrument.Endpoint{
	{Name: "list", Method: "GET", Route: "/items", Sim: instrument.Sim{Weight: 3}},
	{Name: "get", Method: "GET", Route: "/items/{id}", Sim: instrument.Sim{Weight: 1}},
	{Name: "never", Method: "DELETE", Route: "/items/{id}", Sim: instrument.Sim{Weight: 0}},
}

func TestRunStopsAtMaxRequests(t *testing.T) {
	c := &counter{}
	srv := httptest.NewServer(c)
	defer srv.Close()
	res, err := Run(context.Background(), Config{Target: srv.URL, Endpoints: endpoints, RPS: 2000, Duration: time.Hour, MaxRequests: 200})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total() != 200 {
		t.Errorf("sent %d, want exactly 200", res.Total())
	}
	served := 0
	for _, n := range c.hits {
		served += n
	}
	answered := 0
	for _, codes := range res.Codes {
		answered += codes[200]
	}
	if served != 200 || answered != 200 || res.Failed != 0 {
		t.Errorf("server saw %d, client got %d answers and %d failures; want 200, 200, 0", served, answered, res.Failed)
	}
	if c.hits["DELETE /items/N"] != 0 || res.Sent["never"] != 0 {
		t.Error("an endpoint of weight 0 was requested")
	}
	if c.hits["GET /items"] == 0 || c.hits["GET /items/N"] == 0 {
		t.Errorf("hits %v: every weighted endpoint should be requested", c.hits)
	}
}

// TestRunBoundedInTime gives a run far more requests than its duration
// allows at its rate: it must stop at the deadline with at most
// rate x duration requests.
func TestRunBoundedInTime(t *testing.T) {
	srv := httptest.NewServer(&counter{})
	defer srv.Close()
	res, err := Run(context.Background(), Config{Target: srv.URL, Endpoints: endpoints, RPS: 100, Duration: 200 * time.Millisecond, MaxRequests: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total() > 20 {
		t.Errorf("sent %d requests in 200ms at 100/s, want at most 20", res.Total())
	}
}

// TestRunStopsOnCancel cancels a long run: it returns, and requests in
// flight against a server that never answers are abandoned, not leaked.
func TestRunStopsOnCancel(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result, 1)
	go func() {
		res, _ := Run(ctx, Config{Target: srv.URL, Endpoints: endpoints, RPS: 50, Duration: time.Hour, Concurrency: 4})
		done <- res
	}()
	time.Sleep(100 * time.Millisecond) // let some requests start; not an assertion
	cancel()
	res := <-done
	// The server answers nothing before the cancel, so no worker ever
	// frees up: at most 4 requests, all abandoned.
	if res.Total() > 4 || res.Failed != res.Total() {
		t.Errorf("sent %d, %d without answer; want at most 4, all without answer", res.Total(), res.Failed)
	}
}

func TestConfigRejected(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no target", Config{Endpoints: endpoints, RPS: 1, Duration: time.Second}, "target"},
		{"no endpoints", Config{Target: "http://x", RPS: 1, Duration: time.Second}, "no endpoints"},
		{"zero rps", Config{Target: "http://x", Endpoints: endpoints, Duration: time.Second}, "rps"},
		{"huge rps", Config{Target: "http://x", Endpoints: endpoints, RPS: 1e9, Duration: time.Second}, "rps"},
		{"no duration", Config{Target: "http://x", Endpoints: endpoints, RPS: 1}, "duration"},
		{"all weights zero", Config{Target: "http://x", Endpoints: endpoints[2:], RPS: 1, Duration: time.Second}, "weight 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestPath(t *testing.T) {
	re := regexp.MustCompile(`^/orders/\d+/items/\d+$`)
	for i := 0; i < 100; i++ {
		if p := Path("/orders/{id}/items/{item}"); !re.MatchString(p) {
			t.Fatalf("Path = %q", p)
		}
	}
	if p := Path("/plain"); p != "/plain" {
		t.Errorf("Path(/plain) = %q", p)
	}
}
