// Package fault is the demo app's fault injection: a per-endpoint store of
// extra error rate and added latency, with optional expiry, the admin HTTP
// API that changes it, and the client the `demoapp fault` command uses.
//
// The admin API has no authentication; it must only ever be served on a
// loopback listener separate from the public one (see CheckLoopback).
package fault

import (
	"fmt"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Fault is the misbehaviour injected into one endpoint.
type Fault struct {
	// ErrorRate is the share of requests answered with 503, in [0, 1],
	// on top of the endpoint's simulated errors.
	ErrorRate float64
	// Latency is added to every response.
	Latency time.Duration
	// Until is when the fault expires; zero means never.
	Until time.Time
}

// MaxLatency bounds added latency, so a typo cannot hang clients for hours.
const MaxLatency = time.Minute

// Validate reports a fault that cannot be applied.
func (f Fault) Validate() error {
	if !(f.ErrorRate >= 0 && f.ErrorRate <= 1) {
		return fmt.Errorf("error rate %v is not between 0 and 1", f.ErrorRate)
	}
	if f.Latency < 0 || f.Latency > MaxLatency {
		return fmt.Errorf("latency %s is not between 0 and %s", f.Latency, MaxLatency)
	}
	return nil
}

// Store holds the current fault of every endpoint. Reads are lock-free:
// they happen on every request.
type Store struct {
	names  []string
	index  map[string]int
	faults []atomic.Pointer[Fault]
	now    func() time.Time
	mu     sync.Mutex // serialises writers
}

// NewStore returns a store for the named endpoints, without faults.
func NewStore(endpoints []string) *Store {
	s := &Store{names: endpoints, index: map[string]int{}, faults: make([]atomic.Pointer[Fault], len(endpoints)), now: time.Now}
	for i, n := range endpoints {
		s.index[n] = i
	}
	return s
}

// Get returns the active fault of endpoint i, and false if there is none
// or it has expired.
func (s *Store) Get(i int) (Fault, bool) {
	f := s.faults[i].Load()
	if f == nil || (!f.Until.IsZero() && !s.now().Before(f.Until)) {
		return Fault{}, false
	}
	return *f, true
}

// Set injects f into the named endpoint, replacing its previous fault.
func (s *Store) Set(endpoint string, f Fault) error {
	i, ok := s.index[endpoint]
	if !ok {
		return fmt.Errorf("unknown endpoint %q (endpoints: %v)", endpoint, s.sortedNames())
	}
	if err := f.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[i].Store(&f)
	return nil
}

// Clear removes the named endpoint's fault, or every fault when endpoint is "".
func (s *Store) Clear(endpoint string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if endpoint == "" {
		for i := range s.faults {
			s.faults[i].Store(nil)
		}
		return nil
	}
	i, ok := s.index[endpoint]
	if !ok {
		return fmt.Errorf("unknown endpoint %q (endpoints: %v)", endpoint, s.sortedNames())
	}
	s.faults[i].Store(nil)
	return nil
}

// Active returns the active faults by endpoint name.
func (s *Store) Active() map[string]Fault {
	out := map[string]Fault{}
	for i, n := range s.names {
		if f, ok := s.Get(i); ok {
			out[n] = f
		}
	}
	return out
}

func (s *Store) sortedNames() []string {
	names := append([]string(nil), s.names...)
	sort.Strings(names)
	return names
}

// CheckLoopback refuses a listen address whose host is not a loopback
// address: the admin API is unauthenticated.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("admin address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("admin address %q: the fault API has no authentication, so it only listens on a loopback address such as 127.0.0.1", addr)
	}
	return nil
}
