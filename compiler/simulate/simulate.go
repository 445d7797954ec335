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
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/parallel"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/simulate/timeline"
	"github.com/stackc/stackc/compiler/slo"
)

// The report's types live in package timeline, which the targets that
// read the report import.
type (
	Scenario     = timeline.Scenario
	Offset       = timeline.Offset
	Notification = timeline.Notification
	Timeline     = timeline.Timeline
	Result       = timeline.Result
	Report       = timeline.Report
)

// Path is where the simulation's timelines are written, relative to out/.
const Path = timeline.Path

// DemoRPS is the request rate of the simulated traffic per service.
const DemoRPS = timeline.DemoRPS

// Scenarios are the incident shapes every SLO is simulated with.
var Scenarios = timeline.Scenarios

// Since formats a duration the way timelines show it (timeline.Since).
func Since(t time.Duration) string { return timeline.Since(t) }

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
	// FullHistory evaluates every recording rule over the whole clean
	// history instead of writing the lines they follow on steady traffic;
	// tests use it to show both give the same timelines.
	FullHistory bool

	trace *trace
	// previews are the dashboards whose queries the full outage of each
	// shape evaluates (preview.go); nil for none.
	previews *dashboards
}

// Run simulates every SLO of st over the rules and configurations in files.
func Run(st *model.Stack, files artifact.Reader, opts Options) (*Report, error) {
	in, err := readInput(st, files)
	if err != nil {
		return nil, err
	}
	rep := &Report{ScrapeInterval: model.Duration(in.scrape)}
	type shared struct {
		name      string
		timelines []Timeline
		span      time.Duration
		// noisy says why the shape's incidents were not simulated.
		noisy string
	}
	byKey := map[string]*shared{}
	var keys []string
	type pending struct {
		svc, slo string
		key      string
	}
	var order []pending
	jobs := map[string]*sloInput{}
	skipped := map[string]string{}
	// Selecting each SLO's rules and writing its key read the input only,
	// so SLOs are keyed on every core; shapes are then numbered in spec order.
	type candidate struct {
		svc model.Service
		slo model.SLO
		si  *sloInput
		key string
	}
	var cands []candidate
	for _, svc := range st.Services {
		for _, o := range svc.SLOs {
			cands = append(cands, candidate{svc: svc, slo: o})
		}
	}
	err = parallel.Each(len(cands), func(i int) error {
		c := &cands[i]
		if NotSimulated(c.svc, c.slo) != "" {
			return nil
		}
		si, err := in.sloInput(c.svc, c.slo)
		if err != nil {
			return fmt.Errorf("%s/%s: %w", c.svc.Name, c.slo.Name, err)
		}
		c.si, c.key = si, si.key()
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, c := range cands {
		if c.si == nil {
			skipped[c.svc.Name+"/"+c.slo.Name] = NotSimulated(c.svc, c.slo)
			order = append(order, pending{c.svc.Name, c.slo.Name, ""})
			continue
		}
		if _, ok := byKey[c.key]; !ok {
			byKey[c.key] = &shared{name: c.svc.Name + "/" + c.slo.Name}
			keys = append(keys, c.key)
			jobs[c.key] = c.si
		}
		order = append(order, pending{c.svc.Name, c.slo.Name, c.key})
	}
	// A shape simulated before in this process (tests and `stackc diff`
	// compile the same specs again) is taken from the cache; the cache key
	// names the representative SLO, whose alert names the timelines carry.
	var todo []string
	for _, key := range keys {
		if c, ok := cached(key + "\x00" + byKey[key].name + opts.cacheTag()); ok && opts.trace == nil {
			byKey[key].timelines, byKey[key].span, byKey[key].noisy = c.timelines, c.span, c.noisy
			continue
		}
		todo = append(todo, key)
	}
	// Every shape's history, then every scenario of every shape, is an
	// independent simulation; run them on every core.
	histories := map[string]*history{}
	results := map[string][]Timeline{}
	var mu sync.Mutex
	err = parallel.Each(len(todo), func(i int) error {
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
	// A shape whose alerts fire on its endpoints' normal traffic, because
	// their sim alone burns the budget past the lowest tier's factor (the
	// spec's loader warns about it), has no incident to time: its SLOs are
	// reported as not simulated, with the reason. Alerts that fire on
	// traffic within the budget stay a problem of the timelines (a
	// compiler bug, which fails the build).
	noisy := map[string]string{}
	var incidents []string
	for _, key := range todo {
		si := jobs[key]
		if ep, burn, low, trips := slo.SimTrips(si.svc, si.slo); trips && len(histories[key].problems) > 0 {
			noisy[key] = fmt.Sprintf("the simulated traffic of endpoint %s (sim) alone burns the budget at %sx, at or above the %s tier's %sx, "+
				"so the alerts fire before any incident (%s); give the endpoint a sim within the SLO to see its incidents",
				ep.Name, slo.FormatFactor(burn), low.Name, slo.FormatFactor(low.Factor(time.Duration(si.slo.Period))), strings.Join(histories[key].problems, "; "))
			continue
		}
		incidents = append(incidents, key)
	}
	// The longest scenarios start first: started last, the 5x burn of
	// one shape (a simulated day) would run alone on one core at the end.
	longestFirst := make([]int, len(Scenarios))
	for i := range longestFirst {
		longestFirst[i] = i
	}
	sort.SliceStable(longestFirst, func(i, j int) bool {
		return Scenarios[longestFirst[i]].Duration > Scenarios[longestFirst[j]].Duration
	})
	err = parallel.Each(len(incidents)*len(Scenarios), func(i int) error {
		key, sc := incidents[i%len(incidents)], longestFirst[i/len(incidents)]
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
		byKey[key].timelines, byKey[key].span, byKey[key].noisy = results[key], histories[key].span, noisy[key]
		if byKey[key].noisy != "" {
			byKey[key].timelines = []Timeline{}
		}
		storeShape(key+"\x00"+byKey[key].name+opts.cacheTag(), cachedShape{byKey[key].timelines, byKey[key].span, byKey[key].noisy})
	}
	var history time.Duration
	for _, key := range keys {
		history = max(history, byKey[key].span)
	}
	rep.Shapes = len(keys)
	rep.History = model.Duration(history)
	for _, p := range order {
		if p.key == "" {
			rep.Results = append(rep.Results, Result{Service: p.svc, SLO: p.slo, Timelines: []Timeline{}, NotSimulated: skipped[p.svc+"/"+p.slo]})
			continue
		}
		s := byKey[p.key]
		if s.noisy != "" {
			rep.Results = append(rep.Results, Result{Service: p.svc, SLO: p.slo, Timelines: []Timeline{}, NotSimulated: s.noisy})
			continue
		}
		rep.Results = append(rep.Results, Result{Service: p.svc, SLO: p.slo, Shape: s.name, Timelines: s.timelines})
	}
	return rep, nil
}

// NotSimulated says why an SLO is not simulated, or "" when it is. The
// synthetic traffic is the request and duration series of the service's
// instrumentation (the generated registry or an exporter preset, see
// slo.Instrumentation); a raw SLI's own queries read series whose meaning
// only the spec's author knows, so they are left to the generated promtool
// tests, which feed those series.
func NotSimulated(svc model.Service, o model.SLO) string {
	if o.Kind == model.Raw {
		return "a raw SLI: its series are the spec's own queries, which the simulation does not synthesize (the generated promtool tests cover its alerts)"
	}
	if len(slo.AlertingTiers(o)) == 0 {
		// The spec's loader warns of it; no rule alerts for the SLO.
		return "no burn tier alerts: every tier is disabled or out of reach of its objective, so the SLO never alerts"
	}
	return ""
}

// Emit is the simulate target: it simulates every SLO over the artifacts
// of the Prometheus and Alertmanager targets (prior) and writes the report.
// An incident that pages twice, or never where it must, fails it: the rules
// and the Alertmanager configuration are generated, so that is a compiler
// bug (Check).
func Emit(st *model.Stack, prior artifact.Reader, out artifact.Writer) error {
	ds, err := readDashboards(st, prior)
	if err != nil {
		return err
	}
	rep, err := Run(st, prior, Options{previews: ds})
	if err != nil {
		return err
	}
	if err := Check(rep); err != nil {
		return err
	}
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := out.Write(artifact.File{Path: Path, Data: append(data, '\n')}); err != nil {
		return err
	}
	in := ds.in
	if in == nil { // every shape came from the cache
		if in, err = readInput(st, prior); err != nil {
			return err
		}
	}
	return writePreviews(in, ds, rep, out)
}

// Check returns an error naming every SLO whose simulated incidents page
// twice, or never where they must: a compiler bug, since the rules and the
// Alertmanager configuration are generated.
func Check(rep *Report) error {
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
	noisy     string
}

func cached(key string) (cachedShape, bool) {
	cache.Lock()
	defer cache.Unlock()
	c, ok := cache.m[key]
	return c, ok
}

func storeShape(key string, c cachedShape) {
	cache.Lock()
	defer cache.Unlock()
	if cache.m == nil {
		cache.m = map[string]cachedShape{}
	}
	cache.m[key] = c
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
