// Package simulate is the incident simulation stage: it runs the rule
// groups the build generated through Prometheus's own rules engine over
// synthetic series, passes the alerts they send through Alertmanager's own
// routing, inhibition and deduplication code with the generated
// configuration, and records, per SLO and incident shape, which receiver is
// notified of what, and when.
//
// The input is the build's output so far, never the spec alone: the rule
// files and prometheus.yml of the Prometheus target and alertmanager.yml of
// the Alertmanager target. The model only supplies what the artifacts do not
// say: each endpoint's simulated behaviour (sim) and which SLOs exist.
//
// # How one SLO is simulated
//
//  1. The rules of the SLO are found in the rule files: every alerting rule
//     whose labels carry the SLO's service and slo, and the recording rules
//     they read, transitively, kept in their groups and in order.
//  2. Synthetic scrapes of the series those rules select (the request
//     counter by code, the duration histogram) are appended at the scrape
//     interval: traffic from the endpoints' sim weights at DemoRPS requests
//     per second, their error share and log-normal latency, and during the
//     incident a share of failed (or, for latency SLOs, too slow) requests.
//  3. Before the incident, a clean history longer than the longest window
//     any alert reads is recorded: each recording rule is evaluated by
//     Prometheus's query engine as a range query at its group's interval,
//     in dependency order (what the rule groups would have recorded,
//     computed at once instead of step by step). The alert expressions are
//     checked to stay silent over it.
//  4. From shortly before the incident until every alert has resolved and
//     Alertmanager has nothing left to send, every rule group is evaluated
//     with rules.Group.Eval at its own interval on a simulated clock, and
//     the alerts it sends go to the simulated Alertmanager (see notify.go).
//
// The result depends only on an SLO's alert math, so SLOs whose rules,
// routing and traffic are the same up to their names share one simulation
// (see shapeKey).
package simulate

import (
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
)

// Path is where the simulation's timelines are written, relative to out/.
const Path = "simulation/timelines.json"

// DemoRPS is the request rate of the simulated traffic per service, the
// default of `demoapp load`, shared between endpoints by their sim weights.
const DemoRPS = 10.0

// Scenario is one incident shape.
type Scenario struct {
	// Name is how REVIEW.md names it.
	Name string `json:"name"`
	// Duration is how long the incident lasts.
	Duration model.Duration `json:"duration"`
	// BadShare is the share of requests that fail (availability) or are
	// slower than every bucket (latency) during the incident; when
	// BudgetMultiple is set instead, it is that multiple of the error budget.
	BadShare       float64 `json:"badShare,omitempty"`
	BudgetMultiple float64 `json:"budgetMultiple,omitempty"`
	// MustPage says the incident must page on-call (if the SLO has a page tier).
	MustPage bool `json:"mustPage"`
}

// Scenarios are the incident shapes every SLO is simulated with.
var Scenarios = []Scenario{
	{Name: "full outage", Duration: model.Duration(30 * time.Minute), BadShare: 1, MustPage: true},
	{Name: "15% errors", Duration: model.Duration(30 * time.Minute), BadShare: 0.15},
	{Name: "5x burn", Duration: model.Duration(24 * time.Hour), BudgetMultiple: 5},
}

// share is the scenario's bad share for an SLO with the given error budget.
func (sc Scenario) share(budget float64) float64 {
	if sc.BudgetMultiple > 0 {
		return min(1, sc.BudgetMultiple*budget)
	}
	return sc.BadShare
}

// Offset is a time relative to the incident's beginning; negative before it.
// It marshals as a Go duration ("1h2m30s", "-30s").
type Offset time.Duration

// MarshalJSON writes o as a duration string.
func (o Offset) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(o).String()) }

// UnmarshalJSON reads a duration string.
func (o *Offset) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*o = Offset(d)
	return nil
}

// Notification is one notification Alertmanager sends.
type Notification struct {
	// At is the time since the incident began.
	At Offset `json:"at"`
	// Receiver is the receiver's name.
	Receiver string `json:"receiver"`
	// Status is "firing" when any alert of the notification fires, else "resolved".
	Status string `json:"status"`
	// Reason is why Alertmanager sent it (Alertmanager's notify reasons:
	// first notification, new alerts in group, new resolved alerts, all
	// alerts resolved, repeat interval elapsed).
	Reason string `json:"reason"`
	// Firing and Resolved name the alerts the notification carries, as
	// alertname{tier} (or the alert name alone without a tier label).
	Firing   []string `json:"firing,omitempty"`
	Resolved []string `json:"resolved,omitempty"`
	// Severities are the distinct severities of the firing alerts.
	Severities []string `json:"severities,omitempty"`
}

// Page reports whether the notification tells someone of a firing page.
func (n Notification) Page() bool {
	return n.Status == "firing" && slices.Contains(n.Severities, "page")
}

// Timeline is what happens to one SLO in one scenario.
type Timeline struct {
	Scenario string `json:"scenario"`
	// Duration is how long the incident lasted; times after it are
	// "after recovery".
	Duration      model.Duration `json:"duration"`
	Notifications []Notification `json:"notifications"`
	// FirstFiring is, per alert{tier}, when the rule first fired (state
	// firing in Prometheus), whether or not a notification followed.
	FirstFiring map[string]Offset `json:"firstFiring,omitempty"`
	// Problems are violations of "one page and one resolve per incident".
	Problems []string `json:"problems,omitempty"`
}

// Result is the simulation of one SLO.
type Result struct {
	Service string `json:"service"`
	SLO     string `json:"slo"`
	// Shape names the simulation this SLO shares with others of the same
	// alert math ("<service>/<slo>" of the first such SLO).
	Shape     string     `json:"shape"`
	Timelines []Timeline `json:"timelines"`
}

// Report is the whole stage's output.
type Report struct {
	ScrapeInterval model.Duration `json:"scrapeInterval"`
	// History is the clean history simulated before every incident.
	History model.Duration `json:"history"`
	Shapes  int            `json:"shapes"`
	Results []Result       `json:"results"`
}

// Problems lists every problem of every SLO, one line each.
func (r *Report) Problems() []string {
	var out []string
	for _, res := range r.Results {
		for _, t := range res.Timelines {
			for _, p := range t.Problems {
				out = append(out, fmt.Sprintf("%s/%s, %s: %s", res.Service, res.SLO, t.Scenario, p))
			}
		}
	}
	return out
}

// Find returns the result of one SLO.
func (r *Report) Find(service, sloName string) (Result, bool) {
	for _, res := range r.Results {
		if res.Service == service && res.SLO == sloName {
			return res, true
		}
	}
	return Result{}, false
}

// Load reads a report from the build output; ok is false when the build
// wrote none.
func Load(files artifact.Set) (*Report, bool, error) {
	data, ok := files[Path]
	if !ok {
		return nil, false, nil
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, true, fmt.Errorf("%s: %w", Path, err)
	}
	return &r, true, nil
}

// Options tune a simulation.
type Options struct {
	// UniformInterval evaluates every rule group at the global evaluation
	// interval, ignoring the groups' own intervals, as promtool's unit
	// tests do; tests use it to compare with promtool.
	UniformInterval bool
	// Exact evaluates the recording rules too with rules.Group.Eval while
	// stepping, instead of materializing them by range queries; tests use
	// it to show both give the same timelines.
	Exact bool

	trace *trace
}

// Run simulates every SLO of st over the rules and configurations in files.
func Run(st *model.Stack, files artifact.Set, opts Options) (*Report, error) {
	in, err := readInput(st, files)
	if err != nil {
		return nil, err
	}
	rep := &Report{ScrapeInterval: model.Duration(in.scrape)}
	type shared struct {
		name      string
		timelines []Timeline
		span      time.Duration
	}
	byKey := map[string]*shared{}
	var keys []string
	type pending struct {
		svc, slo string
		key      string
	}
	var order []pending
	jobs := map[string]*sloInput{}
	for _, svc := range st.Services {
		for _, o := range svc.SLOs {
			si, err := in.sloInput(svc, o)
			if err != nil {
				return nil, fmt.Errorf("%s/%s: %w", svc.Name, o.Name, err)
			}
			key := si.key()
			if _, ok := byKey[key]; !ok {
				byKey[key] = &shared{name: svc.Name + "/" + o.Name}
				keys = append(keys, key)
				jobs[key] = si
			}
			order = append(order, pending{svc.Name, o.Name, key})
		}
	}
	// A shape simulated before in this process (tests and `stackc diff`
	// compile the same specs again) is taken from the cache; the cache key
	// names the representative SLO, whose alert names the timelines carry.
	var todo []string
	for _, key := range keys {
		if c, ok := cached(key + "\x00" + byKey[key].name + fmt.Sprint(opts.UniformInterval, opts.Exact)); ok && opts.trace == nil {
			byKey[key].timelines, byKey[key].span = c.timelines, c.span
			continue
		}
		todo = append(todo, key)
	}
	// Every shape's history, then every scenario of every shape, is an
	// independent simulation; run them on every core.
	histories := map[string]*history{}
	results := map[string][]Timeline{}
	var mu sync.Mutex
	err = parallel(len(todo), func(i int) error {
		h, err := in.history(jobs[todo[i]], opts)
		if err != nil {
			return fmt.Errorf("%s, clean history: %w", byKey[todo[i]].name, err)
		}
		mu.Lock()
		histories[todo[i]] = h
		results[todo[i]] = make([]Timeline, len(Scenarios))
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = parallel(len(todo)*len(Scenarios), func(i int) error {
		key, sc := todo[i/len(Scenarios)], i%len(Scenarios)
		tl, err := in.simulate(jobs[key], Scenarios[sc], opts, histories[key])
		if err != nil {
			return fmt.Errorf("%s, %s: %w", byKey[key].name, Scenarios[sc].Name, err)
		}
		mu.Lock()
		results[key][sc] = tl
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, key := range todo {
		byKey[key].timelines, byKey[key].span = results[key], histories[key].span
		storeShape(key+"\x00"+byKey[key].name+fmt.Sprint(opts.UniformInterval, opts.Exact), byKey[key].timelines, byKey[key].span)
	}
	var history time.Duration
	for _, key := range keys {
		history = max(history, byKey[key].span)
	}
	rep.Shapes = len(keys)
	rep.History = model.Duration(history)
	for _, p := range order {
		s := byKey[p.key]
		rep.Results = append(rep.Results, Result{Service: p.svc, SLO: p.slo, Shape: s.name, Timelines: s.timelines})
	}
	return rep, nil
}

// Emit is the build stage: it simulates every SLO over the artifacts built
// so far and writes the report. Problems do not fail it; see Check.
func Emit(st *model.Stack, files artifact.Set) ([]artifact.File, error) {
	rep, err := Run(st, files, Options{})
	if err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return nil, err
	}
	return []artifact.File{{Path: Path, Data: append(data, '\n')}}, nil
}

// Check returns an error naming every SLO whose simulated incidents page
// twice, or never where they must: a compiler bug, since the rules and the
// Alertmanager configuration are generated.
func Check(files artifact.Set) error {
	rep, ok, err := Load(files)
	if err != nil || !ok {
		return err
	}
	probs := rep.Problems()
	if len(probs) == 0 {
		return nil
	}
	return fmt.Errorf("internal: the generated alerts fail the incident simulation "+
		"(one page and one resolve per incident); this is a compiler bug, please report it:\n  %s",
		strings.Join(probs, "\n  "))
}

// cache holds the shapes simulated in this process. Timelines are never
// modified after they are stored.
var cache struct {
	sync.Mutex
	m map[string]cachedShape
}

type cachedShape struct {
	timelines []Timeline
	span      time.Duration
}

func cached(key string) (cachedShape, bool) {
	cache.Lock()
	defer cache.Unlock()
	c, ok := cache.m[key]
	return c, ok
}

func storeShape(key string, tls []Timeline, span time.Duration) {
	cache.Lock()
	defer cache.Unlock()
	if cache.m == nil {
		cache.m = map[string]cachedShape{}
	}
	cache.m[key] = cachedShape{tls, span}
}

// parallel runs f(0) ... f(n-1) on up to GOMAXPROCS goroutines and
// returns the first error.
func parallel(n int, f func(int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	work := make(chan int)
	for range max(1, min(runtime.GOMAXPROCS(0), n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	return first
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
