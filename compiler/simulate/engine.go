package simulate

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/rules"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Prometheus's defaults that shape alert timing (cmd/prometheus flags).
const (
	resendDelay     = time.Minute      // --rules.alert.resend-delay
	forGracePeriod  = 10 * time.Minute // --rules.alert.for-grace-period
	outageTolerance = time.Hour        // --rules.alert.for-outage-tolerance
	lookbackDelta   = 5 * time.Minute  // --query.lookback-delta
	// resolvedRetention is how long Prometheus keeps resending a resolved
	// alert (rules.resolvedRetention).
	resolvedRetention = 15 * time.Minute
)

// lead is how long before the incident the rule groups start being
// evaluated step by step, after the recorded clean history.
const lead = 15 * time.Minute

// chunk is how much simulated time is materialized at once while stepping.
const chunk = 2 * time.Hour

// epoch is the simulated clock's zero; any fixed instant would do.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func newEngine() *promql.Engine {
	return promql.NewEngine(promql.EngineOpts{
		Logger:        slog.New(slog.DiscardHandler),
		MaxSamples:    50_000_000,
		Timeout:       time.Hour,
		LookbackDelta: lookbackDelta,
		// Subqueries without a step use the global evaluation interval,
		// as in Prometheus (SubqueryInterval default).
		NoStepSubqueryIntervalFn: func(int64) int64 { return time.Minute.Milliseconds() },
		EnableAtModifier:         true,
		EnableNegativeOffset:     true,
	})
}

// run is one simulation of one SLO in one scenario.
type run struct {
	si     *sloInput
	sc     Scenario
	db     *tsdb.DB
	engine *promql.Engine
	// start is the first scrape; incident its beginning, recovery its end.
	start, incident, recovery time.Time
	share                     float64
	// firstScrape is when the synthetic series begin (r.start unless the
	// history starts them later); scraped is the time of the last appended
	// scrape; counters the cumulative value of each synthetic series.
	firstScrape, scraped time.Time
	counters             []float64
	refs                 []storage.SeriesRef
	// results are the alert expressions' values by evaluation time, up to until.
	results map[string]map[int64]promql.Vector
	until   time.Time
	trace   *trace
}

// trace records a simulation for tests: the raw samples it scraped (every
// scrape from the first) and the alerts firing after each evaluation.
type trace struct {
	series []labels.Labels
	values [][]float64
	firing map[time.Duration][]labels.Labels // by time since the first scrape
}

// openDB opens an empty TSDB in a temporary directory, without WAL or
// compaction; close removes it.
func openDB() (db *tsdb.DB, closeDB func(), err error) {
	dir, err := os.MkdirTemp("", "stackc-simulate-")
	if err != nil {
		return nil, nil, err
	}
	o := tsdb.DefaultOptions()
	o.WALSegmentSize = -1
	o.RetentionDuration = 0
	o.MinBlockDuration = (1000 * 24 * time.Hour).Milliseconds()
	o.MaxBlockDuration = o.MinBlockDuration
	o.OutOfOrderTimeWindow = 0
	// A simulation holds tens of series, not millions: the default
	// 16,384 stripes of the head's series map cost more memory than the
	// series themselves, times every simulation running at once.
	o.StripeSize = 64
	db, err = tsdb.Open(dir, slog.New(slog.DiscardHandler), nil, o, nil)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("opening a TSDB: %w", err)
	}
	db.DisableCompactions()
	return db, func() { db.Close(); os.RemoveAll(dir) }, nil
}

// history is the clean history of one SLO shape, shared by its scenarios:
// every sample up to the first stepped evaluation.
type history struct {
	span     time.Duration // from the first scrape to the incident
	series   []recorded
	counters []float64
	scraped  time.Time
	problems []string
}

type recorded struct {
	lset labels.Labels
	ts   []int64
	vs   []float64
}

func (in *input) newRun(si *sloInput, sc Scenario, db *tsdb.DB, span time.Duration) *run {
	r := &run{
		si: si, sc: sc, db: db, engine: newEngine(),
		start: epoch, incident: epoch.Add(span), share: sc.Share(si.slo.ErrorBudget()),
		counters: make([]float64, len(si.series)), refs: make([]storage.SeriesRef, len(si.series)),
		results: map[string]map[int64]promql.Vector{},
	}
	r.recovery = r.incident.Add(time.Duration(sc.Duration))
	r.firstScrape = r.start
	r.scraped = r.start.Add(-in.scrape)
	return r
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// startScrapes makes the synthetic series begin at the first scrape at or
// after t (at zero, as a freshly started counter) instead of at r.start.
func (r *run) startScrapes(t time.Time) {
	every := r.si.in.scrape
	r.firstScrape = r.align(latest(t, r.start), every)
	r.scraped = r.firstScrape.Add(-every)
}

// historySpan is how long the clean history of a shape is: the longest
// span any alert reads, plus an hour, in whole hours so that every group
// interval divides it.
func historySpan(si *sloInput) time.Duration {
	return (si.depth + time.Hour + lead).Truncate(time.Hour) + time.Hour
}

// history records the clean history of a shape: the scrapes and what the
// recording rules record over historySpan. It is written from the lines
// the rules follow on steady traffic when they do (steadyHistory), and
// evaluated rule by rule over all of it otherwise.
func (in *input) history(si *sloInput, opts Options) (*history, error) {
	if !opts.FullHistory && !opts.Exact && opts.trace == nil {
		h, ok, err := in.steadyHistory(si, opts)
		if err != nil || ok {
			return h, err
		}
	}
	return in.fullHistory(si, opts)
}

// fullHistory records the clean history by evaluating every recording
// rule over all of it, from the first scrape.
func (in *input) fullHistory(si *sloInput, opts Options) (*history, error) {
	db, closeDB, err := openDB()
	if err != nil {
		return nil, err
	}
	defer closeDB()
	h := &history{span: historySpan(si)}
	r := in.newRun(si, Scenario{}, db, h.span)
	r.trace = opts.trace
	stepFrom := r.incident.Add(-lead)
	if err := r.materialize(r.start, stepFrom, opts, in.eval, false); err != nil {
		return nil, err
	}
	if h.problems, err = r.quiet(stepFrom, opts, in.eval); err != nil {
		return nil, err
	}
	h.counters, h.scraped = r.counters, r.scraped
	h.series, err = snapshot(db, r.start, stepFrom)
	return h, err
}

// simulate runs one scenario for one SLO shape after its clean history.
func (in *input) simulate(si *sloInput, sc Scenario, opts Options, h *history) (Timeline, error) {
	tl := Timeline{Scenario: sc.Name, Duration: sc.Duration, Problems: slices.Clone(h.problems)}
	db, closeDB, err := openDB()
	if err != nil {
		return tl, err
	}
	defer closeDB()
	app := db.AppenderV2(context.Background())
	for _, s := range h.series {
		var ref storage.SeriesRef
		for i, t := range s.ts {
			if ref, err = app.Append(ref, s.lset, 0, t, s.vs[i], nil, nil, storage.AOptions{}); err != nil {
				app.Rollback()
				return tl, err
			}
		}
	}
	if err := app.Commit(); err != nil {
		return tl, err
	}
	r := in.newRun(si, sc, db, h.span)
	r.trace = opts.trace
	copy(r.counters, h.counters)
	r.scraped = h.scraped
	if err := r.step(r.incident.Add(-lead), opts, in, &tl); err != nil {
		return tl, err
	}
	return tl, r.capturePreview(opts, in, &tl) // preview.go
}

// badShare is the share of bad requests of an affected endpoint at t.
func (r *run) incidentAt(t time.Time) float64 {
	if !t.Before(r.incident) && t.Before(r.recovery) {
		return r.share
	}
	return 0
}

// scrapeUntil appends every scrape up to and including t.
func (r *run) scrapeUntil(t time.Time, every time.Duration) error {
	if r.scraped.Add(every).After(t) {
		return nil
	}
	app := r.db.AppenderV2(context.Background())
	for ts := r.scraped.Add(every); !ts.After(t); ts = ts.Add(every) {
		// The increments of the interval ending at ts, at the incident
		// share of its middle (incidents begin and end on whole scrapes).
		dt := every.Seconds()
		b := r.incidentAt(ts.Add(-every / 2))
		if ts.Equal(r.firstScrape) {
			dt = 0
		}
		for i, s := range r.si.series {
			sh := 0.0
			if s.incident {
				sh = b
			}
			availability := r.si.slo.Kind != model.Latency
			// The share of the endpoint's requests the series counts.
			counted := 1.0
			switch s.code {
			case goodCode:
				counted = 1 - s.errorRate
				if availability {
					counted *= 1 - sh
				}
			case badCode:
				counted = s.errorRate
				if availability {
					counted = sh + (1-sh)*s.errorRate
				}
			}
			var inc float64
			switch s.kind {
			case requests, count:
				inc = s.rate * dt * counted
			case sum:
				inc = s.rate * dt * counted * s.mean
			case bucket:
				f := s.cdf(s.le)
				if !availability && !math.IsInf(s.le, 1) {
					// Slow requests of the incident exceed every finite bucket.
					f *= 1 - sh
				}
				inc = s.rate * dt * counted * f
			case up:
				r.counters[i] = 1
			}
			r.counters[i] += inc
			if tr := r.trace; tr != nil {
				if len(tr.values) <= i {
					tr.series = append(tr.series, s.lset)
					tr.values = append(tr.values, nil)
				}
				tr.values[i] = append(tr.values[i], r.counters[i])
			}
			ref, err := app.Append(r.refs[i], s.lset, 0, ts.UnixMilli(), r.counters[i], nil, nil, storage.AOptions{})
			if err != nil {
				app.Rollback()
				return fmt.Errorf("appending %s: %w", s.lset, err)
			}
			r.refs[i] = ref
		}
		r.scraped = ts
	}
	return app.Commit()
}

func (r *run) interval(g *ruleGroup, opts Options, eval time.Duration) time.Duration {
	if opts.UniformInterval {
		return eval
	}
	return g.interval
}

// align returns the first evaluation time of a group with the given
// interval at or after t: groups evaluate at whole multiples of their
// interval since the epoch.
func (r *run) align(t time.Time, every time.Duration) time.Time {
	n := (t.Sub(r.start) + every - 1) / every
	return r.start.Add(n * every)
}

// rangeQuery evaluates expr at every multiple of every in [from, to).
func (r *run) rangeQuery(expr string, from, to time.Time, every time.Duration) (promql.Matrix, error) {
	first := r.align(from, every)
	last := r.align(to, every).Add(-every)
	if last.Before(first) {
		return nil, nil
	}
	return rangeOn(r.engine, r.db, expr, first, last, every)
}

// materialize appends the scrapes of [from, to) and what every recording
// rule records then: one range query per rule at its group's interval, in
// dependency order, so that each reads the series recorded before it. With
// alerts, it also evaluates every alert expression over the same span and
// keeps the results for the rule groups' query function.
func (r *run) materialize(from, to time.Time, opts Options, eval time.Duration, alerts bool) error {
	if err := r.scrapeUntil(to.Add(-time.Nanosecond), r.si.in.scrape); err != nil {
		return err
	}
	if opts.Exact && alerts {
		r.until = to
		return nil
	}
	stepped := map[*ruleGroup]bool{}
	for _, rl := range r.si.recording {
		if g := r.si.feedbackGroup(rl); g != nil {
			// A group whose rules read what they (or rules after them)
			// recorded at the previous evaluation cannot be computed rule
			// by rule over the whole span: it is stepped, in rule order.
			if !stepped[g] {
				stepped[g] = true
				if err := r.stepGroup(g, from, to, r.interval(g, opts, eval)); err != nil {
					return err
				}
			}
			continue
		}
		m, err := r.rangeQuery(rl.Expr, from, to, r.interval(rl.group, opts, eval))
		if err != nil {
			return fmt.Errorf("rule %s: %w", rl.Record, err)
		}
		if err := r.appendRecorded(rl, m); err != nil {
			return err
		}
	}
	if !alerts {
		return nil
	}
	for i, a := range r.si.alerts {
		m, err := r.rangeQuery(a.Expr, from, to, r.interval(a.group, opts, eval))
		if err != nil {
			return fmt.Errorf("alert %s: %w", a.Alert, err)
		}
		key := placeholder(i)
		byTime := r.results[key]
		if byTime == nil {
			byTime = map[int64]promql.Vector{}
			r.results[key] = byTime
		}
		static, _ := splitLabels(a.Labels)
		for _, s := range m {
			b := labels.NewBuilder(s.Metric)
			for k, v := range static {
				b.Set(k, v)
			}
			metric := b.Labels()
			for _, p := range s.Floats {
				byTime[p.T] = append(byTime[p.T], promql.Sample{Metric: metric, T: p.T, F: p.F})
			}
		}
	}
	r.until = to
	return nil
}

// appendRecorded appends what recording rule rl recorded (m) to the TSDB.
func (r *run) appendRecorded(rl *rule, m promql.Matrix) error {
	return appendTo(r.db, rl, m)
}

// stepGroup evaluates the recording rules of g at every multiple of every
// in [from, to), in rule order, each appended before the next runs: what
// Prometheus records, for a group whose rules read their own or later
// rules' earlier results (the slow group's increments, recorded only when
// the last is one increment old).
func (r *run) stepGroup(g *ruleGroup, from, to time.Time, every time.Duration) error {
	ctx := context.Background()
	for ts := r.align(from, every); ts.Before(to); ts = ts.Add(every) {
		for _, rl := range g.rules {
			if rl.Record == "" {
				continue
			}
			q, err := r.engine.NewInstantQuery(ctx, r.db, nil, rl.Expr, ts)
			if err != nil {
				return fmt.Errorf("rule %s: %w", rl.Record, err)
			}
			res := q.Exec(ctx)
			if res.Err != nil {
				q.Close()
				return fmt.Errorf("rule %s: %w", rl.Record, res.Err)
			}
			var m promql.Matrix
			switch v := res.Value.(type) {
			case promql.Vector:
				for _, smp := range v {
					m = append(m, promql.Series{Metric: smp.Metric, Floats: []promql.FPoint{{T: ts.UnixMilli(), F: smp.F}}})
				}
			case promql.Scalar:
				m = promql.Matrix{{Floats: []promql.FPoint{{T: ts.UnixMilli(), F: v.V}}}}
			}
			q.Close()
			if err := r.appendRecorded(rl, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// placeholder is the expression the stepped alerting rule i is given: its
// real expression's values come from materialize. (An alerting rule prints
// its expression for every query, which costs more than the lookup.)
func placeholder(i int) string { return fmt.Sprintf("stackc_simulated_alert_%d", i) }

// splitLabels separates an alerting rule's static labels from its
// templated ones. The static ones are set on the expression's results
// (where the rule would set them, overriding the results' labels) rather
// than expanded as templates by the rule at every evaluation.
func splitLabels(ls map[string]string) (static, templated map[string]string) {
	static, templated = map[string]string{}, map[string]string{}
	for k, v := range ls {
		if strings.Contains(v, "{{") {
			templated[k] = v
		} else {
			static[k] = v
		}
	}
	return static, templated
}

// queryFunc answers the rule groups' queries: an alert expression from
// the results materialize computed, anything else with the engine.
func (r *run) queryFunc() rules.QueryFunc {
	engine := rules.EngineQueryFunc(r.engine, r.db)
	return func(ctx context.Context, qs string, t time.Time) (promql.Vector, error) {
		if byTime, ok := r.results[qs]; ok && t.Before(r.until) {
			v := byTime[t.UnixMilli()]
			out := make(promql.Vector, len(v))
			copy(out, v)
			return out, nil
		}
		return engine(ctx, qs, t)
	}
}

// quiet checks that no alert expression returns anything over the last
// hour before until: an alert that fires on the endpoints' normal traffic
// would make every timeline meaningless.
func (r *run) quiet(until time.Time, opts Options, eval time.Duration) ([]string, error) {
	var out []string
	for _, a := range r.si.alerts {
		m, err := r.rangeQuery(a.Expr, until.Add(-time.Hour), until, r.interval(a.group, opts, eval))
		if err != nil {
			return nil, fmt.Errorf("alert %s: %w", a.Alert, err)
		}
		if len(m) > 0 {
			out = append(out, fmt.Sprintf("%s fires on the endpoints' normal traffic (sim), before any incident", display(a.Alert, a.Labels)))
		}
	}
	return out, nil
}

// display names an alert as alertname{tier}, or alertname alone.
func display(name string, ls map[string]string) string {
	if t := ls[slo.LabelTier]; t != "" {
		return name + "{" + t + "}"
	}
	return name
}

// step evaluates the rule groups with rules.Group.Eval on the simulated
// clock from `from` until every alert has resolved and Alertmanager is idle.
func (r *run) step(from time.Time, opts Options, in *input, tl *Timeline) error {
	ctx := context.Background()
	am, err := newAlertmanager(in, r.incident)
	if err != nil {
		return err
	}
	defer am.stop()

	var sent []*rules.Alert
	mopts := &rules.ManagerOptions{
		QueryFunc:       r.queryFunc(),
		AppendableV2:    r.db,
		Queryable:       r.db,
		Context:         ctx,
		Logger:          slog.New(slog.DiscardHandler),
		ResendDelay:     resendDelay,
		ForGracePeriod:  forGracePeriod,
		OutageTolerance: outageTolerance,
		Metrics:         rules.NewGroupMetrics(nil),
		NotifyFunc: func(_ context.Context, _ string, alerts ...*rules.Alert) {
			sent = append(sent, alerts...)
		},
	}
	type stepped struct {
		g     *rules.Group
		every time.Duration
		next  time.Time
		// alert is the group's only rule, an alert expression, when the
		// group may skip evaluations that cannot change anything.
		alert    *rules.AlertingRule
		expr     string
		lastLive time.Time
	}
	var groups []*stepped
	var alerting []*rules.AlertingRule
	for _, g := range r.si.groups {
		every := r.interval(g, opts, in.eval)
		var rs []rules.Rule
		for _, rl := range g.rules {
			lset := labels.FromMap(rl.Labels)
			var expr parser.Expr
			if opts.Exact {
				var err error
				if expr, err = rl.parsed(); err != nil {
					return err
				}
			}
			if rl.Record != "" {
				if opts.Exact {
					rs = append(rs, rules.NewRecordingRule(rl.Record, expr, lset))
				}
				continue
			}
			// Annotations are left out: they change no notification's
			// time or receiver, and their templates would query.
			if opts.Exact {
				ar := rules.NewAlertingRule(rl.Alert, expr, time.Duration(rl.For), time.Duration(rl.KeepFiringFor),
					lset, labels.EmptyLabels(), labels.EmptyLabels(), "", true, slog.New(slog.DiscardHandler))
				alerting = append(alerting, ar)
				rs = append(rs, ar)
				continue
			}
			i := slices.Index(r.si.alerts, rl)
			expr, err := promParser.ParseExpr(placeholder(i))
			if err != nil {
				return err
			}
			_, templated := splitLabels(rl.Labels)
			ar := rules.NewAlertingRule(rl.Alert, expr, time.Duration(rl.For), time.Duration(rl.KeepFiringFor),
				labels.FromMap(templated), labels.EmptyLabels(), labels.EmptyLabels(), "", true, slog.New(slog.DiscardHandler))
			alerting = append(alerting, ar)
			// Alerting rules of a group are independent of each other, so
			// each gets a group of its own that can skip idle evaluations.
			grp := rules.NewGroup(rules.GroupOptions{Name: fmt.Sprintf("%s/%d", g.name, rl.index), File: g.file,
				Interval: every, Rules: []rules.Rule{ar}, Opts: mopts})
			groups = append(groups, &stepped{g: grp, every: every, next: r.align(from, every), alert: ar,
				expr: placeholder(i), lastLive: from.Add(-24 * time.Hour)})
		}
		if len(rs) == 0 {
			continue
		}
		grp := rules.NewGroup(rules.GroupOptions{Name: g.name, File: g.file, Interval: every, Rules: rs, Opts: mopts})
		groups = append(groups, &stepped{g: grp, every: every, next: r.align(from, every)})
	}
	r.until = from
	firstFiring := map[string]Offset{}
	limit := r.recovery.Add(r.incident.Sub(r.start))
	for {
		// The next event: a group's evaluation or an Alertmanager flush.
		now := groups[0].next
		for _, g := range groups {
			if g.next.Before(now) {
				now = g.next
			}
		}
		if f, ok := am.nextFlush(); ok && f.Before(now) {
			now = f
		}
		for !now.Before(r.until) {
			if err := r.materialize(r.until, r.until.Add(chunk), opts, in.eval, true); err != nil {
				return err
			}
		}
		for _, g := range groups {
			if !g.next.Equal(now) {
				continue
			}
			g.next = now.Add(g.every)
			if g.alert != nil {
				// An evaluation whose expression returns nothing, of a rule
				// without alerts, changes nothing, unless a resolved alert
				// is still being resent (Prometheus keeps resending it for
				// 15 minutes).
				if len(r.results[g.expr][now.UnixMilli()]) > 0 || len(g.alert.ActiveAlerts()) > 0 {
					g.lastLive = now
				} else if now.Sub(g.lastLive) > resolvedRetention+resendDelay+g.every {
					continue
				}
			}
			g.g.Eval(ctx, now)
			for _, rl := range g.g.Rules() {
				if err := rl.LastError(); err != nil {
					return fmt.Errorf("rule %s at %s: %w", rl.Name(), now.Sub(r.incident), err)
				}
			}
		}
		if r.trace != nil {
			delete(r.trace.firing, now.Sub(r.start))
		}
		for _, ar := range alerting {
			for _, a := range ar.ActiveAlerts() {
				if a.State == rules.StateFiring && r.trace != nil {
					if r.trace.firing == nil {
						r.trace.firing = map[time.Duration][]labels.Labels{}
					}
					r.trace.firing[now.Sub(r.start)] = append(r.trace.firing[now.Sub(r.start)], a.Labels)
				}
				if a.State == rules.StateFiring {
					d := display(ar.Name(), a.Labels.Map())
					if _, ok := firstFiring[d]; !ok {
						firstFiring[d] = Offset(now.Sub(r.incident))
					}
				}
			}
		}
		if len(sent) > 0 {
			am.receive(now, sent)
			sent = sent[:0]
		}
		if err := am.flushDue(now); err != nil {
			return err
		}
		if now.After(r.recovery) && am.idle(now) && noneActive(alerting) {
			break
		}
		if now.After(limit) {
			tl.Problems = append(tl.Problems, fmt.Sprintf("alerts still active %s after recovery", Since(now.Sub(r.recovery))))
			break
		}
	}
	tl.FirstFiring = firstFiring
	tl.Notifications = am.notifications
	tl.Problems = append(tl.Problems, judge(r.sc, tl.Notifications, r.si.mustPage(r.sc))...)
	return nil
}

func noneActive(ars []*rules.AlertingRule) bool {
	for _, ar := range ars {
		if len(ar.ActiveAlerts()) > 0 {
			return false
		}
	}
	return true
}

// mustPage reports whether the workbook's arithmetic pages for the
// scenario: some page tier's long window reaches its threshold before the
// incident ends (a 30-minute outage of a 90% SLO, whose only page tier is
// 6h at 6x, pages nobody, by design).
func (si *sloInput) mustPage(sc Scenario) bool {
	hasPage := false
	for _, a := range si.alerts {
		hasPage = hasPage || a.Labels[slo.LabelSeverity] == string(slo.Page)
	}
	if !hasPage {
		return false
	}
	share := sc.Share(si.slo.ErrorBudget())
	for _, t := range slo.AlertingTiers(si.slo) {
		thr := t.Threshold(si.slo)
		if t.Severity == slo.Page && thr < share && time.Duration(float64(t.Long)*thr/share) <= time.Duration(sc.Duration) {
			return true
		}
	}
	return false
}

// judge states what breaks "one page and one resolve per incident": per
// receiver, more than one notification of a new firing page, or a page
// after that receiver heard the incident resolved; and no page at all where
// the scenario must page.
func judge(sc Scenario, ns []Notification, canPage bool) []string {
	var out []string
	pages := map[string][]string{}
	resolvedAt := map[string]Offset{}
	paged := false
	var receivers []string
	for _, n := range ns {
		if !n.Page() {
			if n.Status == "resolved" {
				if _, ok := pages[n.Receiver]; ok {
					resolvedAt[n.Receiver] = n.At
				}
			}
			continue
		}
		if n.Reason == reasonRepeat {
			continue
		}
		paged = true
		if _, ok := pages[n.Receiver]; !ok {
			receivers = append(receivers, n.Receiver)
		}
		if at, ok := resolvedAt[n.Receiver]; ok {
			out = append(out, fmt.Sprintf("%s is paged again at %s, after the resolve at %s", n.Receiver, fmtAt(n.At, sc), fmtAt(at, sc)))
		}
		pages[n.Receiver] = append(pages[n.Receiver], fmt.Sprintf("%s (%s)", fmtAt(n.At, sc), strings.Join(n.Firing, ", ")))
	}
	sort.Strings(receivers)
	for _, rc := range receivers {
		if len(pages[rc]) > 1 {
			out = append(out, fmt.Sprintf("%s is paged %d times: %s", rc, len(pages[rc]), strings.Join(pages[rc], "; ")))
		}
	}
	if sc.MustPage && canPage && !paged {
		out = append(out, "nobody is paged")
	}
	return out
}

// fmtAt writes a time of a timeline: "+1m5s" during the incident,
// "+5m30s after recovery" after it.
func fmtAt(at Offset, sc Scenario) string {
	if d := time.Duration(at) - time.Duration(sc.Duration); d >= 0 {
		return Since(d) + " after recovery"
	}
	return Since(time.Duration(at)) + " into the incident"
}
