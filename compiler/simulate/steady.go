package simulate

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

// The clean history is where a simulation spends most of its time when it
// is evaluated rule by rule over days (the ticket tiers read three days of
// recorded increments). But before the incident the synthetic traffic is
// steady, so every recording rule records a constant or a straight line
// (the increments' timestamps): steadyHistory finds each line from a few
// evaluations right before the incident, writes it back as far as anything
// reads the series, evaluates the rules normally over the last hour, and
// checks that this hour continues every line. If one does not, the full
// history is recorded instead (fullHistory), so the shortcut can change
// speed, never a timeline.

// checkSpan is how long before the stepped evaluations the rules are
// evaluated normally on top of the written lines, to check them; quiet
// reads the same hour.
const checkSpan = time.Hour

// line is a recorded series that follows v(t) = v0 + slope·(t - t0).
type line struct {
	lset      labels.Labels
	t0        time.Time
	v0, slope float64
	nan       bool
}

func (l line) at(t time.Time) float64 {
	if l.nan {
		return math.NaN()
	}
	return l.v0 + l.slope*t.Sub(l.t0).Seconds()
}

// fits reports whether v is l's value at t, up to float rounding.
func (l line) fits(t time.Time, v float64) bool {
	if l.nan || math.IsNaN(v) {
		return l.nan && math.IsNaN(v)
	}
	want := l.at(t)
	return math.Abs(v-want) <= 1e-9*math.Max(1, math.Max(math.Abs(v), math.Abs(want)))
}

// lineThrough returns the line through three evaluations at equal
// intervals, or false when they are not on one.
func lineThrough(lset labels.Labels, ts [3]time.Time, vs [3]float64) (line, bool) {
	if math.IsNaN(vs[0]) || math.IsNaN(vs[1]) || math.IsNaN(vs[2]) {
		return line{lset: lset, nan: true}, math.IsNaN(vs[0]) && math.IsNaN(vs[1]) && math.IsNaN(vs[2])
	}
	l := line{lset: lset, t0: ts[2], v0: vs[2], slope: (vs[2] - vs[1]) / ts[2].Sub(ts[1]).Seconds()}
	return l, l.fits(ts[0], vs[0])
}

// steadyHistory records the clean history of a shape from the lines its
// recording rules follow; ok is false when some rule does not follow one.
func (in *input) steadyHistory(si *sloInput, opts Options) (h *history, ok bool, err error) {
	db, closeDB, err := openDB()
	if err != nil {
		return nil, false, err
	}
	defer closeDB()
	h = &history{span: historySpan(si)}
	r := in.newRun(si, Scenario{}, db, h.span)
	stepFrom := r.incident.Add(-lead)
	checkFrom := stepFrom.Add(-checkSpan)
	var maxInterval time.Duration
	for _, g := range si.groups {
		maxInterval = max(maxInterval, r.interval(g, opts, in.eval))
	}
	// Every evaluation below happens at or after probeFrom; the raw
	// series start early enough for all of them to read full windows.
	probeFrom := checkFrom.Add(-4 * maxInterval)
	rawBack, needBack := si.readBacks()
	r.startScrapes(probeFrom.Add(-rawBack - lookbackDelta - in.scrape))
	if err := r.scrapeUntil(stepFrom.Add(-time.Nanosecond), in.scrape); err != nil {
		return nil, false, err
	}
	var lines []line
	var written []writtenLine
	done := map[*ruleGroup]bool{}
	for _, rl := range si.recording {
		g := si.feedbackGroup(rl)
		if g != nil && done[g] {
			continue
		}
		var found []line
		var steady bool
		if g != nil {
			done[g] = true
			found, steady, err = in.groupLines(si, g, opts, written, probeFrom, checkFrom)
		} else {
			found, steady, err = r.ruleLines(rl, r.interval(rl.group, opts, in.eval), checkFrom)
		}
		if err != nil || !steady {
			return nil, false, err
		}
		for _, l := range found {
			from := r.start
			if back, ok := needBack[l.lset.Get(labels.MetricName)]; ok {
				from = latest(from, probeFrom.Add(-back-lookbackDelta-maxInterval))
			}
			iv := in.eval
			if rg := recordingGroup(si, l.lset.Get(labels.MetricName)); rg != nil {
				iv = r.interval(rg, opts, in.eval)
			}
			w := writtenLine{l, r.align(from, iv), iv}
			if err := w.write(db, checkFrom); err != nil {
				return nil, false, err
			}
			written = append(written, w)
		}
		lines = append(lines, found...)
	}
	if err := r.materialize(checkFrom, stepFrom, opts, in.eval, false); err != nil {
		return nil, false, err
	}
	if steady, err := continuesLines(db, lines, checkFrom, stepFrom); err != nil || !steady {
		return nil, false, err
	}
	if h.problems, err = r.quiet(stepFrom, opts, in.eval); err != nil {
		return nil, false, err
	}
	h.counters, h.scraped = r.counters, r.scraped
	if h.series, err = snapshot(db, r.start, stepFrom); err != nil {
		return nil, false, err
	}
	return h, true, nil
}

// readBacks returns how far back the SLO's rules read raw series, and
// each recorded series (by name), at most.
func (si *sloInput) readBacks() (raw time.Duration, recorded map[string]time.Duration) {
	recorded = map[string]time.Duration{}
	for _, g := range si.groups {
		for _, x := range g.rules {
			for _, rd := range x.reads {
				isRecorded := false
				for _, rl := range si.recording {
					if produces(rl, rd.sel) {
						isRecorded = true
						recorded[rl.Record] = max(recorded[rl.Record], rd.back)
					}
				}
				if !isRecorded {
					raw = max(raw, rd.back)
				}
			}
		}
	}
	return raw, recorded
}

// recordingGroup returns the selected group that records name.
func recordingGroup(si *sloInput, name string) *ruleGroup {
	for _, rl := range si.recording {
		if rl.Record == name {
			return rl.group
		}
	}
	return nil
}

// ruleLines evaluates rl at the last three evaluations before checkFrom
// and returns the line each of its series follows.
func (r *run) ruleLines(rl *rule, every time.Duration, checkFrom time.Time) ([]line, bool, error) {
	base := r.align(checkFrom, every)
	var ts [3]time.Time
	byLabels := map[string]*[3]float64{}
	var order []labels.Labels
	for k := range 3 {
		ts[k] = base.Add(-time.Duration(3-k) * every)
		v, err := r.instant(rl, ts[k])
		if err != nil {
			return nil, false, err
		}
		if k > 0 && len(v) != len(byLabels) {
			return nil, false, nil
		}
		for _, s := range v {
			key := s.Metric.String()
			vs, ok := byLabels[key]
			if !ok {
				if k > 0 {
					return nil, false, nil
				}
				vs = &[3]float64{}
				byLabels[key] = vs
				order = append(order, s.Metric)
			}
			vs[k] = s.F
		}
	}
	var out []line
	for _, lset := range order {
		l, ok := lineThrough(lset, ts, *byLabels[lset.String()])
		if !ok {
			return nil, false, nil
		}
		out = append(out, l)
	}
	return out, true, nil
}

// instant evaluates recording rule rl at t and returns what it records.
func (r *run) instant(rl *rule, t time.Time) (promql.Vector, error) {
	ctx := context.Background()
	q, err := r.engine.NewInstantQuery(ctx, r.db, nil, rl.Expr, t)
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", rl.Record, err)
	}
	defer q.Close()
	res := q.Exec(ctx)
	if res.Err != nil {
		return nil, fmt.Errorf("rule %s: %w", rl.Record, res.Err)
	}
	var out promql.Vector
	switch v := res.Value.(type) {
	case promql.Vector:
		for _, s := range v {
			out = append(out, promql.Sample{Metric: recordedLabels(rl, s.Metric), F: s.F})
		}
	case promql.Scalar:
		out = promql.Vector{{Metric: recordedLabels(rl, labels.EmptyLabels()), F: v.V}}
	}
	return out, nil
}

// recordedLabels are the labels recording rule rl gives a result.
func recordedLabels(rl *rule, metric labels.Labels) labels.Labels {
	b := labels.NewBuilder(metric)
	b.Set(labels.MetricName, rl.Record)
	for k, v := range rl.Labels {
		b.Set(k, v)
	}
	return b.Labels()
}

// groupLines finds the lines of a group that reads its own results: it is
// stepped from scratch on a separate TSDB holding the raw series and the
// lines found so far, until it repeats itself, and its last three
// evaluations give the lines.
func (in *input) groupLines(si *sloInput, g *ruleGroup, opts Options, known []writtenLine, probeFrom, checkFrom time.Time) ([]line, bool, error) {
	db, closeDB, err := openDB()
	if err != nil {
		return nil, false, err
	}
	defer closeDB()
	r := in.newRun(si, Scenario{}, db, historySpan(si))
	every := r.interval(g, opts, in.eval)
	base := r.align(checkFrom, every)
	rawBack, _ := si.readBacks()
	from := earliest(probeFrom, base.Add(-6*every))
	r.startScrapes(from.Add(-rawBack - lookbackDelta - in.scrape))
	if err := r.scrapeUntil(checkFrom.Add(-time.Nanosecond), in.scrape); err != nil {
		return nil, false, err
	}
	for _, w := range known {
		if err := w.write(db, checkFrom); err != nil {
			return nil, false, err
		}
	}
	if err := r.stepGroup(g, from, checkFrom, every); err != nil {
		return nil, false, err
	}
	var ts [3]time.Time
	for k := range 3 {
		ts[k] = base.Add(-time.Duration(3-k) * every)
	}
	var out []line
	for _, rl := range g.rules {
		if rl.Record == "" {
			continue
		}
		series, err := selectRecorded(db, rl.Record, ts[0], ts[2])
		if err != nil {
			return nil, false, err
		}
		for _, s := range series {
			var vs [3]float64
			n := 0
			for i, t := range s.ts {
				for k := range 3 {
					if t == ts[k].UnixMilli() {
						vs[k] = s.vs[i]
						n++
					}
				}
			}
			if n != 3 {
				return nil, false, nil
			}
			l, ok := lineThrough(s.lset, ts, vs)
			if !ok {
				return nil, false, nil
			}
			out = append(out, l)
		}
	}
	return out, true, nil
}

// writtenLine is a line written as its rule's evaluations from from on.
type writtenLine struct {
	line
	from  time.Time
	every time.Duration
}

// write appends the line's values at its evaluations before to.
func (w writtenLine) write(db *tsdb.DB, to time.Time) error {
	l := w.line
	app := db.AppenderV2(context.Background())
	var ref storage.SeriesRef
	var err error
	for t := w.from; t.Before(to); t = t.Add(w.every) {
		if ref, err = app.Append(ref, l.lset, 0, t.UnixMilli(), l.at(t), nil, nil, storage.AOptions{}); err != nil {
			app.Rollback()
			return fmt.Errorf("writing %s: %w", l.lset, err)
		}
	}
	return app.Commit()
}

// continuesLines reports whether every recorded series the rules wrote in
// [from, to) is one of lines and stays on it.
func continuesLines(db *tsdb.DB, lines []line, from, to time.Time) (bool, error) {
	byLabels := map[string]line{}
	names := map[string]bool{}
	for _, l := range lines {
		byLabels[l.lset.String()] = l
		names[l.lset.Get(labels.MetricName)] = true
	}
	for name := range names {
		series, err := selectRecorded(db, name, from, to.Add(-time.Millisecond))
		if err != nil {
			return false, err
		}
		for _, s := range series {
			l, ok := byLabels[s.lset.String()]
			if !ok {
				return false, nil
			}
			for i, t := range s.ts {
				if !l.fits(time.UnixMilli(t), s.vs[i]) {
					return false, nil
				}
			}
		}
	}
	return true, nil
}

// selectRecorded returns the samples of the series named name in [from, to].
func selectRecorded(db *tsdb.DB, name string, from, to time.Time) ([]recorded, error) {
	q, err := db.Querier(from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer q.Close()
	return collect(q.Select(context.Background(), true, nil, labels.MustNewMatcher(labels.MatchEqual, labels.MetricName, name)), from, to)
}

// snapshot returns every sample of db in [from, to).
func snapshot(db *tsdb.DB, from, to time.Time) ([]recorded, error) {
	q, err := db.Querier(from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer q.Close()
	return collect(q.Select(context.Background(), true, nil, labels.MustNewMatcher(labels.MatchRegexp, labels.MetricName, ".+")), from, to.Add(-time.Millisecond))
}

func collect(ss storage.SeriesSet, from, to time.Time) ([]recorded, error) {
	var out []recorded
	for ss.Next() {
		s := ss.At()
		rec := recorded{lset: s.Labels()}
		it := s.Iterator(nil)
		for it.Next() != chunkenc.ValNone {
			t, v := it.At()
			if t < from.UnixMilli() || t > to.UnixMilli() {
				continue
			}
			rec.ts = append(rec.ts, t)
			rec.vs = append(rec.vs, v)
		}
		if err := it.Err(); err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, ss.Err()
}
