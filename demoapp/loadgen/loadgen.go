// Package loadgen drives a service's endpoints with a realistic mix: each
// request picks an endpoint with probability proportional to its sim weight
// from the spec. A run is bounded in time and in requests, never runs more
// than Concurrency requests at once (it skips ticks instead of queueing),
// and stops cleanly when its context ends.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stackc/stackc/runtime/instrument"
)

// Config is one load run.
type Config struct {
	// Target is the base URL of the service, e.g. http://127.0.0.1:8080.
	Target    string
	Endpoints []instrument.Endpoint
	// RPS is the request rate per second.
	RPS float64
	// Duration bounds the run in time; MaxRequests in count (0: RPS x Duration).
	Duration    time.Duration
	MaxRequests int
	// Concurrency bounds requests in flight (default 32).
	Concurrency int
	// Client sends the requests (default: 10s timeout).
	Client *http.Client
}

// Result counts what a run sent and received.
type Result struct {
	// Sent counts requests by endpoint name; Codes counts answers by
	// endpoint name and status code.
	Sent  map[string]int
	Codes map[string]map[int]int
	// Failed counts requests that got no answer; Skipped ticks at which
	// every worker was busy.
	Failed, Skipped int
}

// Total is the number of requests sent.
func (r Result) Total() int {
	n := 0
	for _, v := range r.Sent {
		n += v
	}
	return n
}

// String summarises the result, one endpoint per line, sorted.
func (r Result) String() string {
	var b strings.Builder
	names := make([]string, 0, len(r.Sent))
	for n := range r.Sent {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(&b, "sent %d requests (%d without answer, %d ticks skipped)\n", r.Total(), r.Failed, r.Skipped)
	for _, n := range names {
		codes := make([]int, 0, len(r.Codes[n]))
		for c := range r.Codes[n] {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		parts := make([]string, len(codes))
		for i, c := range codes {
			parts[i] = fmt.Sprintf("%d×%d", r.Codes[n][c], c)
		}
		fmt.Fprintf(&b, "  %-20s %6d  %s\n", n, r.Sent[n], strings.Join(parts, " "))
	}
	return b.String()
}

// Limits on a run, so a typo cannot flood a machine.
const (
	MaxRPS      = 10000
	MaxDuration = 24 * time.Hour
)

func (c *Config) check() error {
	switch {
	case c.Target == "":
		return errors.New("no target URL")
	case len(c.Endpoints) == 0:
		return errors.New("the service has no endpoints")
	case !(c.RPS > 0 && c.RPS <= MaxRPS):
		return fmt.Errorf("rps %v is not in (0, %d]", c.RPS, MaxRPS)
	case c.Duration <= 0 || c.Duration > MaxDuration:
		return fmt.Errorf("duration %s is not in (0, %s]", c.Duration, MaxDuration)
	case c.MaxRequests < 0:
		return fmt.Errorf("max requests %d is negative", c.MaxRequests)
	}
	total := 0.0
	for _, e := range c.Endpoints {
		total += e.Sim.Weight
	}
	if total <= 0 {
		return errors.New("every endpoint has weight 0")
	}
	return nil
}

// Run sends requests until Duration passes, MaxRequests are sent or ctx
// ends, then waits for the requests in flight.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.check(); err != nil {
		return Result{}, fmt.Errorf("load: %w", err)
	}
	if cfg.MaxRequests == 0 {
		cfg.MaxRequests = max(1, int(cfg.RPS*cfg.Duration.Seconds()))
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 32
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	// The deadline stops new requests; those in flight finish unless the
	// caller's ctx ends.
	reqCtx := ctx
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()

	cum := make([]float64, len(cfg.Endpoints))
	total := 0.0
	for i, e := range cfg.Endpoints {
		total += e.Sim.Weight
		cum[i] = total
	}
	res := Result{Sent: map[string]int{}, Codes: map[string]map[int]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, cfg.Concurrency)
	tick := time.NewTicker(time.Duration(float64(time.Second) / cfg.RPS))
	defer tick.Stop()
	for sent := 0; sent < cfg.MaxRequests; {
		select {
		case <-ctx.Done():
			wg.Wait()
			return res, nil
		case <-tick.C:
		}
		if ctx.Err() != nil {
			break // select picks at random among ready cases; never send after the end
		}
		select {
		case slots <- struct{}{}:
		default:
			mu.Lock()
			res.Skipped++
			mu.Unlock()
			continue
		}
		ep := cfg.Endpoints[pick(cum, total)]
		sent++
		mu.Lock()
		res.Sent[ep.Name]++
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			code, err := send(reqCtx, cfg.Client, cfg.Target, ep)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Failed++
				return
			}
			if res.Codes[ep.Name] == nil {
				res.Codes[ep.Name] = map[int]int{}
			}
			res.Codes[ep.Name][code]++
		}()
	}
	wg.Wait()
	return res, nil
}

func pick(cum []float64, total float64) int {
	x := rand.Float64() * total
	i := sort.SearchFloat64s(cum, x)
	return min(i, len(cum)-1)
}

// Path fills a route template's parameters with small ids, the way
// browsing clients hit a catalogue: mostly existing items, some misses.
func Path(route string) string {
	var b strings.Builder
	for i := 0; i < len(route); i++ {
		if route[i] != '{' {
			b.WriteByte(route[i])
			continue
		}
		end := strings.IndexByte(route[i:], '}')
		if end < 0 {
			b.WriteString(route[i:])
			break
		}
		b.WriteString(strconv.Itoa(1 + rand.IntN(22)))
		i += end
	}
	return b.String()
}

func send(ctx context.Context, c *http.Client, target string, ep instrument.Endpoint) (int, error) {
	req, err := http.NewRequestWithContext(ctx, ep.Method, strings.TrimSuffix(target, "/")+Path(ep.Route), nil)
	if err != nil {
		return 0, err
	}
	// A handful of carts, so add-to-cart and checkout meet each other.
	req.Header.Set("X-Cart-ID", "cart-"+strconv.Itoa(rand.IntN(8)))
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, nil
}
