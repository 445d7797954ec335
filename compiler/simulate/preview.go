package simulate

// The previews: the dashboards' own panel queries, read from the Grafana
// target's artifacts, evaluated as range queries over the simulated full
// outage, so that the review target's SVG previews draw what Grafana would
// show during that incident.
//
// The SLO dashboard of a service has one row per SLO. Its queries are
// evaluated on the storage of the full outage of the SLO's shape, once per
// shape (run.capturePreview, when that scenario has been stepped): the
// representative SLO's queries, keyed by their canonical form, which every
// SLO of the shape finds again from its own queries. Recording rules the
// panels read but no alert does (the period SLI, the budget remaining) are
// recorded then, over the window only; the series they read further back
// than the simulated history are extended back with their clean-history
// value (the traffic is stationary, so a longer clean history would have
// recorded the same).
//
// The overview dashboard shows every endpoint of the service, which the
// shape runs do not scrape (they scrape only what the SLO's rules select,
// and the shape key says nothing of other endpoints). It gets a small run
// of its own (overviewRun), shared by services alike up to names
// (overviewKey): every endpoint's synthetic series from shortly before the
// window with the full outage of the service's first simulated SLO, and
// the service's recording rules the panels read. Its time axis and page
// moment are that SLO's.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/chunkenc"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/parallel"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/simulate/timeline"
	"github.com/stackc/stackc/compiler/slo"
)

// Preview windows: from before the incident to after the last
// notification, in about previewPoints points.
const (
	previewBefore = 30 * time.Minute
	previewAfter  = 15 * time.Minute
	previewPoints = 80
)

// dashboards are the generated dashboards' panels, for the previews.
type dashboards struct {
	list []dash
	// bySLO are the queries of each SLO's row of its SLO dashboard ("svc/slo").
	bySLO map[string][]string
	// fingerprint changes when any query does (the shape cache's key).
	fingerprint string
	// in is the input of the run that captured previews, kept so that
	// the overviews need not read the artifacts again.
	once sync.Once
	in   *input
}

type dash struct {
	uid, service, kind string
	vars               map[string]string // query variables' "All" values
	panels             []dashPanel
}

type dashPanel struct {
	id      uint32
	typ     string
	sloKey  string // the SLO of the panel's row on an SLO dashboard
	queries []string
	legends []string
}

// readDashboards reads the service dashboards of the Grafana target.
func readDashboards(st *model.Stack, files artifact.Reader) (*dashboards, error) {
	ds := &dashboards{bySLO: map[string][]string{}}
	for _, svc := range st.Services {
		for _, kind := range []string{slo.DashboardOverview, slo.DashboardSLOs} {
			if kind == slo.DashboardSLOs && len(svc.SLOs) == 0 {
				continue
			}
			ds.list = append(ds.list, dash{service: svc.Name, kind: kind})
		}
	}
	// Decoding the dashboards is most of the work: on every core.
	err := parallel.Each(len(ds.list), func(i int) error {
		d := &ds.list[i]
		p := slo.DashboardPath(slo.DashboardUID(d.service, d.kind))
		data, err := readArtifact(files, p)
		if err != nil {
			return err
		}
		parsed, err := parseDashboard(data)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		parsed.service, parsed.kind = d.service, d.kind
		*d = parsed
		return nil
	})
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	for _, d := range ds.list {
		for _, p := range d.panels {
			if d.kind == slo.DashboardSLOs {
				ds.bySLO[p.sloKey] = append(ds.bySLO[p.sloKey], p.queries...)
			}
			for _, q := range p.queries {
				h.Write([]byte(q))
				h.Write([]byte{0})
			}
		}
	}
	ds.fingerprint = hex.EncodeToString(h.Sum(nil))
	return ds, nil
}

type panelJSON struct {
	ID      uint32 `json:"id"`
	Type    string `json:"type"`
	Targets []struct {
		Expr         *string `json:"expr"`
		LegendFormat string  `json:"legendFormat"`
	} `json:"targets"`
	Panels []panelJSON `json:"panels"`
}

func parseDashboard(data []byte) (dash, error) {
	var d struct {
		UID        string `json:"uid"`
		Templating struct {
			List []struct {
				Name     string  `json:"name"`
				Type     string  `json:"type"`
				AllValue *string `json:"allValue"`
			} `json:"list"`
		} `json:"templating"`
		Panels []panelJSON `json:"panels"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return dash{}, err
	}
	out := dash{uid: d.UID, vars: map[string]string{}}
	for _, v := range d.Templating.List {
		if v.Type == "query" || v.Type == "custom" {
			// The dashboards open with "All" selected.
			out.vars[v.Name] = ".*"
			if v.AllValue != nil && *v.AllValue != "" {
				out.vars[v.Name] = *v.AllValue
			}
		}
	}
	var row []dashPanel
	flush := func() {
		// A row's panels belong to the SLO its queries name.
		key := ""
		for _, p := range row {
			for _, q := range p.queries {
				if key == "" {
					key = sloOfQuery(q)
				}
			}
		}
		for i := range row {
			row[i].sloKey = key
		}
		out.panels = append(out.panels, row...)
		row = nil
	}
	add := func(p panelJSON) {
		dp := dashPanel{id: p.ID, typ: p.Type}
		for _, t := range p.Targets {
			if t.Expr != nil {
				dp.queries = append(dp.queries, *t.Expr)
				dp.legends = append(dp.legends, t.LegendFormat)
			}
		}
		row = append(row, dp)
	}
	for _, p := range d.Panels {
		if p.Type == "row" {
			flush()
			for _, c := range p.Panels {
				add(c)
			}
			continue
		}
		add(p)
	}
	flush()
	return out, nil
}

var sloMatcher = regexp.MustCompile(`service="([^"]*)",slo="([^"]*)"`)

// sloOfQuery returns "svc/slo" of the first selector naming both, or "".
func sloOfQuery(q string) string {
	if m := sloMatcher.FindStringSubmatch(q); m != nil {
		return m[1] + "/" + m[2]
	}
	return ""
}

var variable = regexp.MustCompile(`\$\{?(\w+)\}?`)

// substitute replaces the Grafana variables of query q the way Grafana
// would for a range query at step: $__interval is the step,
// $__rate_interval max($__interval + scrape, 4 × scrape), and a query
// variable its "All" value. A variable it does not know makes the query
// unsimulated.
func substitute(q string, vars map[string]string, step, scrape, window time.Duration) (string, string) {
	why := ""
	out := variable.ReplaceAllStringFunc(q, func(m string) string {
		name := variable.FindStringSubmatch(m)[1]
		switch name {
		case "__interval":
			return model.Duration(step).String()
		case "__rate_interval":
			return model.Duration(max(step+scrape, 4*scrape)).String()
		case "__range":
			return model.Duration(window).String()
		}
		if v, ok := vars[name]; ok {
			return v
		}
		why = "it reads the variable $" + name + ", which the simulation does not set"
		return m
	})
	return out, why
}

// cacheTag distinguishes the shape cache's entries of runs with and
// without previews (and of different dashboards).
func (o Options) cacheTag() string {
	tag := fmt.Sprint(o.UniformInterval, o.Exact)
	if o.previews != nil {
		tag += "\x00" + o.previews.fingerprint
	}
	return tag
}

// window is the preview's time axis for a timeline of the run.
func (r *run) window(tl *Timeline) timeline.Incident {
	end := time.Duration(r.sc.Duration)
	inc := timeline.Incident{Recovery: Offset(r.sc.Duration)}
	// The resolve marked is the one the paged receiver (or, without a
	// page, the first notified one) hears.
	var pageTo, notifiedTo string
	var pageResolved, notifiedResolved *Offset
	for _, n := range tl.Notifications {
		end = max(end, time.Duration(n.At))
		at := n.At
		switch {
		case n.Page() && n.Reason != reasonRepeat && inc.Page == nil:
			inc.Page, pageTo = &at, n.Receiver
		case n.Status == "firing" && inc.Notified == nil:
			inc.Notified, notifiedTo = &at, n.Receiver
		case n.Status == "resolved" && n.Receiver == pageTo && pageResolved == nil:
			pageResolved = &at
		case n.Status == "resolved" && n.Receiver == notifiedTo && notifiedResolved == nil:
			notifiedResolved = &at
		}
	}
	inc.Resolved = notifiedResolved
	if inc.Page != nil {
		inc.Resolved = pageResolved
	}
	if inc.Page != nil {
		inc.Notified = nil
	}
	span := (previewBefore + end + previewAfter + 5*time.Minute - 1).Truncate(5 * time.Minute)
	step := (span/previewPoints + 30*time.Second - 1).Truncate(30 * time.Second)
	inc.From = Offset(-previewBefore)
	inc.Step = Offset(step)
	inc.Points = int(span/step) + 1
	return inc
}

// merged reads two storages as one: the run's and the preview's own.
type merged struct{ a, b storage.Queryable }

func (m merged) Querier(mint, maxt int64) (storage.Querier, error) {
	qa, err := m.a.Querier(mint, maxt)
	if err != nil {
		return nil, err
	}
	qb, err := m.b.Querier(mint, maxt)
	if err != nil {
		qa.Close()
		return nil, err
	}
	return storage.NewMergeQuerier([]storage.Querier{qa, qb}, nil, storage.ChainedSeriesMerge), nil
}

// capturePreview evaluates the dashboard queries of the run's SLO over its
// full outage, once the scenario has been stepped, and keeps them on the
// timeline (tl.Sampled), which every SLO of the shape shares.
func (r *run) capturePreview(opts Options, in *input, tl *Timeline) error {
	if opts.previews == nil || r.sc.Name != Scenarios[0].Name {
		return nil
	}
	opts.previews.once.Do(func() { opts.previews.in = in })
	queries := opts.previews.bySLO[r.si.svc.Name+"/"+r.si.slo.Name]
	if len(queries) == 0 {
		return nil
	}
	inc := r.window(tl)
	from := r.incident.Add(time.Duration(inc.From))
	step := time.Duration(inc.Step)
	to := from.Add(time.Duration(inc.Points-1) * step)
	for !to.Before(r.until) {
		if err := r.materialize(r.until, r.until.Add(chunk), opts, in.eval, true); err != nil {
			return err
		}
	}
	db, closeDB, err := openDB()
	if err != nil {
		return err
	}
	defer closeDB()
	q := merged{r.db, db}
	s := &timeline.Sampled{Incident: inc, Scrape: Offset(in.scrape), Results: map[string][]timeline.LabeledValues{}, Missing: map[string]string{}}
	have := map[*rule]bool{}
	for _, rl := range r.si.recording {
		have[rl] = true
	}
	var extra []*rule
	for _, qs := range queries {
		expr, why := substitute(qs, nil, step, in.scrape, to.Sub(from))
		key := in.templates.canonicalQuery(expr)
		if _, done := s.Results[key]; done || s.Missing[key] != "" {
			continue
		}
		if why != "" {
			s.Missing[key] = why
			continue
		}
		e, err := promParser.ParseExpr(expr)
		if err != nil {
			s.Missing[key] = "the query does not parse: " + err.Error()
			continue
		}
		needed, why := in.previewRules(e, have)
		if why != "" {
			s.Missing[key] = why
			continue
		}
		for _, rl := range needed {
			if !slices.Contains(extra, rl) {
				extra = append(extra, rl)
			}
		}
		s.Results[key] = nil
	}
	if err := r.recordExtra(extra, q, db, from, to); err != nil {
		return err
	}
	for key := range s.Results {
		m, err := rangeOn(r.engine, q, key2expr(in.templates, key, queries, step, in.scrape, to.Sub(from)), from, to, step)
		if err != nil {
			return fmt.Errorf("preview query %s: %w", key, err)
		}
		s.Results[key] = sample(m, from, step, inc.Points)
	}
	tl.Sampled = s
	return nil
}

// canonicalQuery is the canonical form of a query text, as of a rule's
// expression (templates.parseRule); the text itself when it does not parse.
func (ts *templates) canonicalQuery(q string) string {
	r := &rule{Rule: rulefmt.Rule{Expr: q}}
	if err := ts.parseRule(r); err != nil {
		return q
	}
	return r.canonical
}

// key2expr returns the query among queries whose canonical form is key.
func key2expr(ts *templates, key string, queries []string, step, scrape, window time.Duration) string {
	for _, qs := range queries {
		expr, _ := substitute(qs, nil, step, scrape, window)
		if ts.canonicalQuery(expr) == key {
			return expr
		}
	}
	return key
}

// previewRules returns the recording rules expr reads, transitively, that
// the run did not record (have), in dependency order; or why the query
// cannot be simulated.
func (in *input) previewRules(expr parser.Expr, have map[*rule]bool) ([]*rule, string) {
	var out []*rule
	seen := map[*rule]bool{}
	var why string
	var visit func(rds []read, self *rule)
	visit = func(rds []read, self *rule) {
		for _, rd := range rds {
			name := metricName(rd.sel)
			rs := in.recordersOf(rd.sel)
			var prod []*rule
			for _, d := range rs {
				if produces(d, rd.sel) {
					prod = append(prod, d)
				}
			}
			if len(prod) == 0 {
				if !synthesized(name) && why == "" {
					why = name + " is not among the simulated series (the instrumentation's request and duration series, up, the recording rules and ALERTS)"
				}
				continue
			}
			for _, d := range prod {
				if have[d] || seen[d] || d == self {
					continue
				}
				seen[d] = true
				if feedback(d) && why == "" {
					why = d.Record + " is recorded step by step (its group reads its own results) and no alert of this SLO reads it"
				}
				visit(d.reads, d)
				out = append(out, d)
			}
		}
	}
	visit(reads(expr), nil)
	return out, why
}

// synthesized reports whether the simulation writes series named name
// without a recording rule.
func synthesized(name string) bool {
	return synthesizedNames[name]
}

// synthesizedNames are the names of the series the simulation writes: the
// request and duration series of every instrumentation (the registry's
// and each exporter preset's, see synthSeries), up and each exporter's
// presence series, and the alerts' own series.
var synthesizedNames = func() map[string]bool {
	m := map[string]bool{"up": true, "ALERTS": true, "ALERTS_FOR_STATE": true}
	for _, p := range slo.Presets() {
		inst := slo.InstrumentationOf(model.Service{Instrumentation: p})
		for _, n := range []string{inst.Requests, inst.Duration + "_bucket", inst.Duration + "_count", inst.Duration + "_sum", inst.Presence} {
			m[n] = true
		}
	}
	return m
}()

// feedback reports whether rl reads what it or a later rule of its group records.
func feedback(rl *rule) bool {
	for _, b := range rl.group.rules[rl.index:] {
		if b.Record == "" {
			continue
		}
		for _, rd := range rl.reads {
			if produces(b, rd.sel) {
				return true
			}
		}
	}
	return false
}

// recordExtra records rules (in dependency order) over [from, to] into db,
// reading q. A series they read further back than the run's history is
// first extended back with its clean value at its own interval.
func (r *run) recordExtra(rules []*rule, q storage.Queryable, db *tsdb.DB, from, to time.Time) error {
	const pad = time.Hour // the panels read at most this far back (last_over_time[10m], rates)
	start := from.Add(-pad)
	extended := map[string]bool{}
	app := db.AppenderV2(context.Background())
	for _, rl := range rules {
		for _, rd := range rl.reads {
			if recordsAny(metricName(rd.sel), rules) {
				continue // recorded here, over the window only
			}
			if start.Add(-rd.back).After(r.start) || !isRecorded(rd.sel) {
				continue
			}
			if err := r.extendBack(rd, start.Add(-rd.back), app, extended); err != nil {
				app.Rollback()
				return err
			}
		}
	}
	if err := app.Commit(); err != nil {
		return err
	}
	for _, rl := range rules {
		every := rl.group.interval
		first := r.align(start, every)
		m, err := rangeOn(r.engine, q, rl.Expr, first, to, every)
		if err != nil {
			return fmt.Errorf("rule %s: %w", rl.Record, err)
		}
		if err := appendTo(db, rl, m); err != nil {
			return err
		}
	}
	return nil
}

// recordsAny reports whether one of rules records name.
func recordsAny(name string, rules []*rule) bool {
	return slices.ContainsFunc(rules, func(r *rule) bool { return r.Record == name })
}

// isRecorded reports whether the selector reads a recording rule's series
// (a raw counter cannot be extended by repeating a value).
func isRecorded(vs *parser.VectorSelector) bool {
	return strings.Contains(metricName(vs), ":")
}

// extendBack appends, before the run's first sample of every series sel
// selects, samples back to since at the series' own interval with the
// value it had an hour before the incident.
func (r *run) extendBack(rd read, since time.Time, app storage.AppenderV2, done map[string]bool) error {
	ctx := context.Background()
	cut := r.incident.Add(-lead - time.Hour)
	qr, err := r.db.Querier(r.start.UnixMilli(), cut.UnixMilli())
	if err != nil {
		return err
	}
	defer qr.Close()
	ss := qr.Select(ctx, true, nil, rd.sel.LabelMatchers...)
	for ss.Next() {
		s := ss.At()
		id := s.Labels().String()
		if done[id] {
			continue
		}
		done[id] = true
		var ts []int64
		var last float64
		it := s.Iterator(nil)
		for it.Next() != chunkenc.ValNone {
			t, v := it.At()
			ts = append(ts, t)
			last = v
		}
		if err := it.Err(); err != nil {
			return err
		}
		if len(ts) < 2 {
			continue
		}
		every := ts[1] - ts[0]
		var ref storage.SeriesRef
		for t := ts[0] - ((ts[0]-since.UnixMilli())/every+1)*every; t < ts[0]; t += every {
			if ref, err = app.Append(ref, s.Labels(), 0, t, last, nil, nil, storage.AOptions{}); err != nil {
				return err
			}
		}
	}
	return ss.Err()
}

// appendTo appends what recording rule rl recorded (m) to db.
func appendTo(db *tsdb.DB, rl *rule, m promql.Matrix) error {
	app := db.AppenderV2(context.Background())
	for _, s := range m {
		lset := recordedLabels(rl, s.Metric)
		var ref storage.SeriesRef
		var err error
		for _, p := range s.Floats {
			if ref, err = app.Append(ref, lset, 0, p.T, p.F, nil, nil, storage.AOptions{}); err != nil {
				app.Rollback()
				return fmt.Errorf("rule %s: %w", rl.Record, err)
			}
		}
	}
	return app.Commit()
}

// rangeOn evaluates expr on q at every step from first to last.
func rangeOn(engine *promql.Engine, q storage.Queryable, expr string, first, last time.Time, step time.Duration) (promql.Matrix, error) {
	ctx := context.Background()
	qy, err := engine.NewRangeQuery(ctx, q, nil, expr, first, last, step)
	if err != nil {
		return nil, err
	}
	defer qy.Close()
	res := qy.Exec(ctx)
	if res.Err != nil {
		return nil, res.Err
	}
	m, ok := res.Value.(promql.Matrix)
	if !ok {
		return nil, fmt.Errorf("range query returned %s", res.Value.Type())
	}
	// Close hands the points back to the engine's pools, shared by every
	// engine of the process: keep a copy.
	out := make(promql.Matrix, len(m))
	for i, s := range m {
		out[i] = promql.Series{Metric: s.Metric, Floats: slices.Clone(s.Floats)}
	}
	return out, nil
}

// sample lays the series of m on the preview's points, in label order.
func sample(m promql.Matrix, from time.Time, step time.Duration, points int) []timeline.LabeledValues {
	out := make([]timeline.LabeledValues, 0, len(m))
	for _, s := range m {
		vs := make(timeline.Values, points)
		for i := range vs {
			vs[i] = math.NaN()
		}
		for _, p := range s.Floats {
			i := int((p.T - from.UnixMilli()) / step.Milliseconds())
			if i >= 0 && i < points {
				vs[i] = timeline.Round(p.F)
			}
		}
		out = append(out, timeline.LabeledValues{Labels: s.Metric.Map(), Values: vs})
	}
	sort.Slice(out, func(i, j int) bool {
		return labels.FromMap(out[i].Labels).String() < labels.FromMap(out[j].Labels).String()
	})
	return out
}

var legendLabel = regexp.MustCompile(`\{\{\s*(\w+)\s*\}\}`)

// legend renders a Grafana legend format for a series (Grafana names an
// unformatted series by its labels).
func legend(format string, ls map[string]string) string {
	if format == "" || format == "__auto" {
		return labels.FromMap(ls).String()
	}
	return legendLabel.ReplaceAllStringFunc(format, func(m string) string {
		return ls[legendLabel.FindStringSubmatch(m)[1]]
	})
}

// buildPreviews lays the sampled queries on every dashboard's panels.
func (in *input) buildPreviews(ds *dashboards, rep *Report) (*timeline.Previews, error) {
	out := &timeline.Previews{Scenario: Scenarios[0].Name}
	results := map[string]Result{}
	for _, res := range rep.Results {
		results[res.Service+"/"+res.SLO] = res
	}
	sampledOf := func(key string) (*timeline.Sampled, string) {
		res, ok := results[key]
		switch {
		case !ok:
			return nil, "the panel's SLO is not known to the simulation"
		case res.NotSimulated != "":
			return nil, res.NotSimulated
		case len(res.Timelines) == 0 || res.Timelines[0].Sampled == nil:
			return nil, "the simulation kept no series of this SLO's full outage"
		}
		return res.Timelines[0].Sampled, ""
	}
	svcs := map[string]model.Service{}
	for _, svc := range in.st.Services {
		svcs[svc.Name] = svc
	}
	// The overviews are small simulations, one per overview shape (services
	// alike up to names share one), on every core, on one storage (their
	// series and the queries name their service; a storage per service
	// would cost more to open and close than to fill).
	out.Dashboards = make([]timeline.DashboardPreview, len(ds.list))
	type overview struct {
		i   int
		svc model.Service
		o   model.SLO
		s   *timeline.Sampled
		key string
	}
	// The SLO dashboards, and the overviews' keys, on every core.
	found := make([]*overview, len(ds.list))
	err := parallel.Each(len(ds.list), func(i int) error {
		d := ds.list[i]
		if d.kind != slo.DashboardOverview {
			out.Dashboards[i] = sloDashboardPreview(in.templates, d, sampledOf)
			return nil
		}
		svc := svcs[d.service]
		o, s := overviewSource(svc, results)
		if s == nil {
			dp := timeline.DashboardPreview{UID: d.uid}
			for _, p := range d.panels {
				dp.Panels = append(dp.Panels, timeline.PanelPreview{ID: p.id, NotSimulated: "no SLO of the service is simulated, so there is no incident to show"})
			}
			out.Dashboards[i] = dp
			return nil
		}
		found[i] = &overview{i: i, svc: svc, o: o, s: s, key: in.overviewKey(svc, o, d, s)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var overviews []overview
	reps := map[string]overview{}
	var todo []overview
	for _, ov := range found {
		if ov == nil {
			continue
		}
		overviews = append(overviews, *ov)
		if _, ok := reps[ov.key]; !ok {
			reps[ov.key] = *ov
			todo = append(todo, *ov)
		}
	}
	db, closeDB, err := openDB()
	if err != nil {
		return nil, err
	}
	defer closeDB()
	runs := make([]map[uint32]overviewPanel, len(todo))
	err = parallel.Each(len(todo), func(j int) error {
		ov := todo[j]
		run, err := in.overviewRun(ov.svc, ov.o, ds.list[ov.i], ov.s, db)
		if err != nil {
			return fmt.Errorf("%s: %w", ds.list[ov.i].uid, err)
		}
		runs[j] = run
		return nil
	})
	if err != nil {
		return nil, err
	}
	byKey := map[string]map[uint32]overviewPanel{}
	for j, ov := range todo {
		byKey[ov.key] = runs[j]
	}
	return out, parallel.Each(len(overviews), func(j int) error {
		ov := overviews[j]
		out.Dashboards[ov.i] = in.overviewPreview(ov.svc, reps[ov.key].svc, ov.o, ds.list[ov.i], ov.s, byKey[ov.key])
		return nil
	})
}

// sloDashboardPreview lays each SLO's sampled full outage on its row of
// an SLO dashboard.
func sloDashboardPreview(ts *templates, d dash, sampledOf func(string) (*timeline.Sampled, string)) timeline.DashboardPreview {
	dp := timeline.DashboardPreview{UID: d.uid, Incidents: map[string]timeline.Incident{},
		Note: "each SLO's row: its own simulated full outage"}
	for _, p := range d.panels {
		pp := timeline.PanelPreview{ID: p.id}
		s, why := sampledOf(p.sloKey)
		if s == nil {
			pp.NotSimulated = why
			dp.Panels = append(dp.Panels, pp)
			continue
		}
		svc, sloName, _ := strings.Cut(p.sloKey, "/")
		relabel := map[string]string{slo.LabelService: svc, slo.LabelSLO: sloName}
		pp.Series, pp.NotSimulated = seriesOf(ts, p, d.vars, s, relabel)
		if pp.NotSimulated == "" {
			pp.Incident = p.sloKey
			dp.Incidents[p.sloKey] = s.Incident
		}
		dp.Panels = append(dp.Panels, pp)
	}
	return dp
}

// seriesOf returns the series of a panel's queries from s, named by their
// legends, with the identity labels of the panel's own SLO (relabel).
func seriesOf(ts *templates, p dashPanel, vars map[string]string, s *timeline.Sampled, relabel map[string]string) ([]timeline.Series, string) {
	var out []timeline.Series
	step := time.Duration(s.Incident.Step)
	window := time.Duration(s.Incident.Points-1) * step
	for i, qs := range p.queries {
		expr, why := substitute(qs, vars, step, time.Duration(s.Scrape), window)
		if why != "" {
			return nil, why
		}
		key := ts.canonicalQuery(expr)
		if why := s.Missing[key]; why != "" {
			return nil, why
		}
		res, ok := s.Results[key]
		if !ok {
			return nil, "the query is not among those simulated for this SLO's shape"
		}
		for _, lv := range res {
			ls := map[string]string{}
			for k, v := range lv.Labels {
				ls[k] = v
			}
			for k, v := range relabel {
				if _, ok := ls[k]; ok {
					ls[k] = v
				}
			}
			out = append(out, timeline.Series{Name: legend(p.legends[i], ls), Values: lv.Values})
		}
	}
	if len(out) == 0 {
		return nil, "the query returns nothing in the simulation"
	}
	return out, ""
}

// overviewSource returns the SLO whose full outage a service's overview
// shows, its first simulated one, and that outage's samples; nil without.
func overviewSource(svc model.Service, results map[string]Result) (model.SLO, *timeline.Sampled) {
	for _, c := range svc.SLOs {
		if res, ok := results[svc.Name+"/"+c.Name]; ok && len(res.Timelines) > 0 && res.Timelines[0].Sampled != nil {
			return c, res.Timelines[0].Sampled
		}
	}
	return model.SLO{}, nil
}

// targetsOf returns the scrape targets of a service, as synthSeries finds them.
func (in *input) targetsOf(svc model.Service) []labels.Labels {
	var out []labels.Labels
	for _, j := range in.jobs {
		for _, t := range j.targets {
			if t.Get(slo.LabelService) == svc.Name || (j.name == svc.Name && !t.Has(slo.LabelService)) {
				out = append(out, t)
			}
		}
	}
	return out
}

// overviewKey describes everything a service's simulated overview depends
// on, up to names: services that differ only in names (of the service, its
// job, targets and endpoints) share one overview simulation, as SLOs share
// shapes. The names are mapped back by position (relabel).
func (in *input) overviewKey(svc model.Service, o model.SLO, d dash, s *timeline.Sampled) string {
	var b strings.Builder
	inc := s.Incident
	fmt.Fprintf(&b, "window %v %v %d scrape %s kind %s buckets %v codes %v\n", inc.From, inc.Step, inc.Points, in.scrape, o.Kind,
		svc.LatencyBuckets, svc.StatusCodes)
	for _, t := range in.targetsOf(svc) {
		fmt.Fprintf(&b, "target %s\n", canonicalLabels(t.Map()))
	}
	for _, e := range svc.Endpoints {
		fmt.Fprintf(&b, "endpoint %s %+v incident %v\n", e.Method, e.Sim, slices.Contains(o.Endpoints, e.Name))
	}
	step := time.Duration(inc.Step)
	for _, p := range d.panels {
		fmt.Fprintf(&b, "panel %d %s\n", p.id, p.typ)
		for i, qs := range p.queries {
			expr, why := substitute(qs, d.vars, step, in.scrape, time.Duration(inc.Points-1)*step)
			fmt.Fprintf(&b, "  %s | %s | %s\n", in.templates.canonicalQuery(expr), p.legends[i], why)
		}
	}
	// The recording rules the panels may read, by the names they record.
	var names []string
	for _, p := range d.panels {
		for _, qs := range p.queries {
			for _, m := range recordName.FindAllString(qs, -1) {
				if !slices.Contains(names, m) {
					names = append(names, m)
				}
			}
		}
	}
	sort.Strings(names)
	job := ""
	if ts := in.targetsOf(svc); len(ts) > 0 {
		job = ts[0].Get("job")
	}
	for _, n := range names {
		for _, rl := range in.recordersByName[n] {
			// This service's rules: those whose selectors name its job.
			if strings.Contains(rl.Expr, `job="`+job+`"`) {
				fmt.Fprintf(&b, "rule %s %s %s\n", rl.Record, canonicalLabels(rl.Labels), rl.canonical)
			}
		}
	}
	return b.String()
}

var recordName = regexp.MustCompile(`[a-zA-Z_]+:[a-zA-Z0-9_:]+`)

// overviewPanel is one overview panel's simulated series, per query, or
// why it has none.
type overviewPanel struct {
	why    string
	series [][]timeline.LabeledValues
}

// overviewRun simulates a service's overview dashboard on db: every
// endpoint of the service from shortly before the preview window of the
// full outage of o to its end, with the recording rules the panels read.
func (in *input) overviewRun(svc model.Service, o model.SLO, d dash, s *timeline.Sampled, db *tsdb.DB) (map[uint32]overviewPanel, error) {
	// Every series of the service: a rule that selects anything stands
	// for the SLO's rules in synthSeries' selection.
	si := &sloInput{in: in, svc: svc, slo: o, alerts: []*rule{{reads: []read{{sel: &parser.VectorSelector{}}}}}}
	series, err := in.synthSeries(svc, o, si)
	if err != nil {
		return nil, err
	}
	si.series = series
	// Enough history for the panels' rates (at most 5m, or
	// $__rate_interval) before the window.
	r := in.newRun(si, Scenarios[0], db, previewBefore+10*time.Minute)
	inc := s.Incident
	step := time.Duration(inc.Step)
	from := r.incident.Add(time.Duration(inc.From))
	to := from.Add(time.Duration(inc.Points-1) * step)
	if err := r.scrapeUntil(to, in.scrape); err != nil {
		return nil, err
	}
	type prepared struct {
		expr, why string
	}
	prep := map[uint32][]prepared{}
	var extra []*rule
	ofService := map[*rule]bool{}
	for _, p := range d.panels {
		for _, qs := range p.queries {
			expr, why := substitute(qs, d.vars, step, in.scrape, to.Sub(from))
			if why == "" {
				e, err := promParser.ParseExpr(expr)
				if err != nil {
					why = "the query does not parse: " + err.Error()
				} else {
					var needed []*rule
					needed, why = in.previewRules(e, nil)
					for _, rl := range needed {
						// Rules of the name for other services select
						// none of this service's series.
						mine, ok := ofService[rl]
						if !ok {
							mine = selectsSome(rl, series, needed)
							ofService[rl] = mine
						}
						if mine && !slices.Contains(extra, rl) {
							extra = append(extra, rl)
						}
					}
				}
			}
			prep[p.id] = append(prep[p.id], prepared{expr, why})
		}
	}
	// The rules are recorded at the window's points (and one before it):
	// the panels read them as instant vectors at those points. Prometheus
	// evaluates a group at an offset within its interval that depends on
	// the group's hash, so the window's points are as good a phase as any.
	for _, rl := range extra {
		m, err := rangeOn(r.engine, db, rl.Expr, from.Add(-step), to, step)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", rl.Record, err)
		}
		if err := appendTo(db, rl, m); err != nil {
			return nil, err
		}
	}
	out := map[uint32]overviewPanel{}
	for _, p := range d.panels {
		var op overviewPanel
		for _, pq := range prep[p.id] {
			if pq.why != "" {
				op = overviewPanel{why: pq.why}
				break
			}
			m, err := rangeOn(r.engine, db, pq.expr, from, to, step)
			if err != nil {
				return nil, fmt.Errorf("panel %d: %w", p.id, err)
			}
			op.series = append(op.series, sample(m, from, step, inc.Points))
		}
		out[p.id] = op
	}
	return out, nil
}

// overviewPreview lays the overview simulated for service rep (run) on
// the overview of svc, renaming rep's names to svc's by position.
func (in *input) overviewPreview(svc, rep model.Service, o model.SLO, d dash, s *timeline.Sampled, run map[uint32]overviewPanel) timeline.DashboardPreview {
	key := svc.Name + "/" + o.Name
	dp := timeline.DashboardPreview{UID: d.uid, Incidents: map[string]timeline.Incident{key: s.Incident},
		Note: fmt.Sprintf("the full outage of %s (%s); the service's other endpoints keep their normal traffic", o.Name, strings.Join(o.Endpoints, ", "))}
	rename := map[string]map[string]string{slo.LabelEndpoint: {}, "instance": {}, "job": {}, slo.LabelService: {rep.Name: svc.Name}}
	for i, e := range rep.Endpoints {
		rename[slo.LabelEndpoint][e.Name] = svc.Endpoints[i].Name
	}
	mine := in.targetsOf(svc)
	for i, t := range in.targetsOf(rep) {
		rename["instance"][t.Get("instance")] = mine[i].Get("instance")
		rename["job"][t.Get("job")] = mine[i].Get("job")
	}
	for _, p := range d.panels {
		op := run[p.id]
		pp := timeline.PanelPreview{ID: p.id, Incident: key, NotSimulated: op.why}
		for i, res := range op.series {
			for _, lv := range res {
				ls := map[string]string{}
				for k, v := range lv.Labels {
					if n, ok := rename[k][v]; ok {
						v = n
					}
					ls[k] = v
				}
				pp.Series = append(pp.Series, timeline.Series{Name: legend(p.legends[i], ls), Values: lv.Values})
			}
		}
		if pp.NotSimulated == "" && len(pp.Series) == 0 {
			pp.NotSimulated = "the query returns nothing in the simulation"
		}
		if pp.NotSimulated != "" {
			pp.Incident, pp.Series = "", nil
		}
		dp.Panels = append(dp.Panels, pp)
	}
	return dp
}

// selectsSome reports whether rl reads one of series or a rule of rules.
func selectsSome(rl *rule, series []synthSeries, rules []*rule) bool {
	// Most rules of other services are told apart by their job or
	// service matcher, without trying every series.
	if len(series) > 0 && !slices.ContainsFunc(rl.reads, func(rd read) bool { return mayMatch(rd.sel, series[0].lset) }) {
		return false
	}
	for _, s := range series {
		if selectsAny(rl, s.lset) {
			return true
		}
	}
	for _, rd := range rl.reads {
		for _, o := range rules {
			if o != rl && produces(o, rd.sel) && slices.ContainsFunc(series, func(s synthSeries) bool { return selectsAny(o, s.lset) }) {
				return true
			}
		}
	}
	return false
}

// mayMatch reports whether the job and service equality matchers of sel
// admit the labels of a series of the service (ls).
func mayMatch(sel *parser.VectorSelector, ls labels.Labels) bool {
	for _, m := range sel.LabelMatchers {
		if (m.Name == "job" || m.Name == slo.LabelService) && m.Type == labels.MatchEqual && ls.Has(m.Name) && m.Value != ls.Get(m.Name) {
			return false
		}
	}
	return true
}

// writePreviews is the simulate target's second artifact.
func writePreviews(in *input, ds *dashboards, rep *Report, out artifact.Writer) error {
	p, err := in.buildPreviews(ds, rep)
	if err != nil {
		return err
	}
	data, err := marshalPreviews(p)
	if err != nil {
		return err
	}
	return out.Write(artifact.File{Path: timeline.PreviewPath, Data: append(data, '\n')})
}

// marshalPreviews is json.Marshal(p), with the dashboards encoded on
// every core (the previews of a thousand SLOs are megabytes of JSON).
func marshalPreviews(p *timeline.Previews) ([]byte, error) {
	if p.Dashboards == nil {
		return json.Marshal(p)
	}
	parts := make([][]byte, len(p.Dashboards))
	err := parallel.Each(len(parts), func(i int) error {
		var err error
		parts[i], err = json.Marshal(p.Dashboards[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	// The fields of timeline.Previews, in order.
	scenario, err := json.Marshal(p.Scenario)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`{"scenario":`)
	b.Write(scenario)
	b.WriteString(`,"dashboards":[`)
	for i, part := range parts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(part)
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}
