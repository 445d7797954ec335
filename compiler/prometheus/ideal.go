package prometheus

import (
	"strconv"
	"sync"
	"time"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// The workbook's ideal: what the multi-window alerts would do if every
// window were read at every instant over continuous traffic. The generated
// tests compare the rules with it, second by second, within one
// evaluation interval plus one scrape interval.

// timeline is a sequence of phases starting at 0.
type timeline []phase

func (tl timeline) end() time.Duration {
	var d time.Duration
	for _, p := range tl {
		d += p.d
	}
	return d
}

// events counts the bad and all events within (from, to].
func (tl timeline) events(from, to time.Duration) (bad, all float64) {
	var start time.Duration
	for _, p := range tl {
		lo, hi := max(from, start), min(to, start+p.d)
		if hi > lo {
			n := p.rate * (hi - lo).Seconds()
			all += n
			bad += n * p.bad
		}
		start += p.d
	}
	return bad, all
}

// ratio is the error ratio over the window w ending at t; ok is false
// without events. History before 0 does not exist, as on a fresh server.
func (tl timeline) ratio(t, w time.Duration) (r float64, ok bool) {
	bad, all := tl.events(max(0, t-w), t)
	if all == 0 {
		return 0, false
	}
	return bad / all, true
}

// tierBurn is tier t's long-window burn rate at at and whether its
// condition holds: both windows above the threshold (the volume guard is
// assumed to pass), where the long window of a ticket tier counts missing
// history as clean (see tierRule).
//
// Prometheus computes a ratio over a window of the counters from the
// samples inside it, so it sees one scrape interval less than the window
// (the increase before the first sample is extrapolated at the same
// rate); scrape models that for the windows read from the counters
// (0 for the workbook's own arithmetic).
func tierBurn(s model.SLO, t slo.Tier, tl timeline, at, scrape time.Duration) (burn float64, active bool) {
	th := t.Threshold(s)
	window := func(w time.Duration) time.Duration {
		if w <= slo.ShortWindowMax {
			return w - scrape
		}
		return w
	}
	long, ok1 := tl.ratio(at, window(t.Long))
	if t.Long > slo.ShortWindowMax {
		long *= min(1, float64(at+historySlack)/float64(t.Long))
	}
	short, ok2 := tl.ratio(at, window(t.Short))
	return long / s.ErrorBudget(), ok1 && ok2 && long > th && short > th
}

// tierActive reports whether tier t's condition holds at at (tierBurn).
func tierActive(s model.SLO, t slo.Tier, tl timeline, at, scrape time.Duration) bool {
	_, active := tierBurn(s, t, tl, at, scrape)
	return active
}

// stretch is a span [from, to) during which an alert fires; to is the
// timeline's end while it still fires there.
type stretch struct{ from, to time.Duration }

// idealRun holds, per second of a timeline, which tiers are active and
// when each alert fires.
type idealRun struct {
	// active[tier name] lists the stretches of the tier's condition.
	active map[string][]stretch
	// alerts[severity] lists the stretches of the alert.
	alerts map[slo.Severity][]stretch
}

// runIdeal evaluates every tier and both alerts of s over tl every step:
// a tier counts for its alert unless a faster tier was active within its
// short window.
//
// Runs are shared: an evaluation costs tens of milliseconds, each SLO's
// test plan asks for several, and SLOs with the same alert math (most of a
// large spec) ask for the same ones, so each distinct run is computed once
// per process (see idealKey). Callers must not modify the result.
func runIdeal(s model.SLO, tl timeline, step, scrape time.Duration) idealRun {
	key := idealKey(s, tl, step, scrape)
	if run, ok := idealRuns.Load(key); ok {
		return run.(idealRun)
	}
	run := computeIdeal(s, tl, step, scrape)
	idealRuns.Store(key, run)
	return run
}

// idealRuns memoizes runIdeal by idealKey. It holds one entry per
// distinct alert math and traffic scenario, a few hundred bytes each.
var idealRuns sync.Map

// idealKey is everything computeIdeal reads: the step, the scrape
// interval, the timeline, the SLO's error budget and, per alerting tier,
// its name, severity, windows and threshold. Floats are written in their
// shortest exact form, so equal keys mean equal inputs.
func idealKey(s model.SLO, tl timeline, step, scrape time.Duration) string {
	b := make([]byte, 0, 256)
	b = strconv.AppendInt(b, int64(step), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(scrape), 10)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, s.ErrorBudget(), 'g', -1, 64)
	for _, t := range slo.AlertingTiers(s) {
		b = append(b, '|')
		b = append(b, t.Name...)
		b = append(b, ' ')
		b = append(b, string(t.Severity)...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(t.Long), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(t.Short), 10)
		b = append(b, ' ')
		b = strconv.AppendFloat(b, t.Threshold(s), 'g', -1, 64)
	}
	for _, p := range tl {
		b = append(b, ';')
		b = strconv.AppendInt(b, int64(p.d), 10)
		b = append(b, ' ')
		b = strconv.AppendFloat(b, p.rate, 'g', -1, 64)
		b = append(b, ' ')
		b = strconv.AppendFloat(b, p.bad, 'g', -1, 64)
	}
	return string(b)
}

// computeIdeal is runIdeal without the memo.
func computeIdeal(s model.SLO, tl timeline, step, scrape time.Duration) idealRun {
	tiers := slo.AlertingTiers(s)
	run := idealRun{active: map[string][]stretch{}, alerts: map[slo.Severity][]stretch{}}
	lastActive := make([]time.Duration, len(tiers))
	for i := range lastActive {
		lastActive[i] = -1 << 62
	}
	open := map[string]time.Duration{}
	openAlert := map[slo.Severity]time.Duration{}
	end := tl.end()
	for at := time.Duration(0); at <= end; at += step {
		firing := map[slo.Severity]bool{}
		active := make([]bool, len(tiers))
		for i, t := range tiers {
			active[i] = tierActive(s, t, tl, at, scrape)
		}
		for i, t := range tiers {
			if active[i] {
				lastActive[i] = at
			}
			counts := active[i]
			for j := 0; j < i && counts; j++ {
				if at-lastActive[j] < t.Short {
					counts = false
				}
			}
			if counts {
				firing[t.Severity] = true
			}
			trackStretch(run.active, open, t.Name, active[i], at)
		}
		for _, sev := range []slo.Severity{slo.Page, slo.Ticket} {
			trackStretch(run.alerts, openAlert, sev, firing[sev], at)
		}
	}
	for k, from := range open {
		run.active[k] = append(run.active[k], stretch{from, end + step})
	}
	for k, from := range openAlert {
		run.alerts[k] = append(run.alerts[k], stretch{from, end + step})
	}
	return run
}

func trackStretch[K comparable](done map[K][]stretch, open map[K]time.Duration, k K, on bool, at time.Duration) {
	from, isOpen := open[k]
	switch {
	case on && !isOpen:
		open[k] = at
	case !on && isOpen:
		done[k] = append(done[k], stretch{from, at})
		delete(open, k)
	}
}
