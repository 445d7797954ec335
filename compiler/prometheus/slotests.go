package prometheus

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// The generated tests of an SLO's burn-rate rules. Every scenario is a
// timeline of traffic; the rules' tier conditions and alerts are compared
// with the workbook's ideal for that timeline (runIdeal): each fires and
// resolves within one evaluation interval plus one input (scrape) interval
// of it. The tiers with windows up to 6h run at a 1m evaluation; those with
// windows of a day and more at 5m, on the same 1m input.

// shortEval and longEval are the evaluation intervals of the two test files
// of an SLO: slo-<slo>.yml (tiers with windows up to ShortWindowMax, zero and
// low traffic, the page incidents) and slo-<slo>-long.yml (the other tiers,
// the slow burn, the incidents' tickets).
const (
	shortEval = time.Minute
	longEval  = 5 * time.Minute
)

// tolerance is how far from the ideal a rule may fire or resolve: one
// evaluation interval plus one scrape (input) interval.
func tolerance(eval time.Duration) time.Duration { return eval + testStep }

// sloTestPlan is what one SLO's test files cover.
type sloTestPlan struct {
	st  *model.Stack
	svc model.Service
	s   model.SLO
	// full adds the scenarios that need days of input: each tier's
	// detection after a clean history as long as its window, and the slow
	// burn. SLOs that share alert math (sloMath) share them: only the
	// first of them runs them.
	full bool
}

// sloMath is what an SLO's alert behaviour depends on besides names: the
// alert math (objective, period, volume guard, tiers) and the form of the
// SLI the rules read (kind and instrumentation; a raw SLI's queries).
// SLOs with equal sloMath fire and resolve at the same times on the same
// traffic, so one of them runs the long scenarios for all.
func sloMath(svc model.Service, s model.SLO) string {
	var tiers []string
	for _, t := range slo.AlertingTiers(s) {
		tiers = append(tiers, t.Name)
	}
	form := string(s.Kind) + "/" + slo.InstrumentationOf(svc).Preset
	if s.Kind == model.Raw {
		form += "/" + s.Bad + "/" + s.Total
	}
	return fmt.Sprintf("%v/%v/%v/%v/%s/%s", s.Objective, time.Duration(s.Period), s.MinEventRate, s.MinBadEvents, strings.Join(tiers, ","), form)
}

// split returns the recorded tiers read at a 1m evaluation (windows up to
// ShortWindowMax) and at 5m.
func (p sloTestPlan) split() (short, long []slo.Tier) {
	for _, t := range slo.AlertingTiers(p.s) {
		if t.Long > slo.ShortWindowMax {
			long = append(long, t)
		} else {
			short = append(short, t)
		}
	}
	return short, long
}

// grid truncates d to the evaluation grid.
func grid(d, eval time.Duration) time.Duration { return d.Truncate(eval) }

// condQuery counts the recorded condition of tier t (1, or nothing).
func (p sloTestPlan) condQuery(t slo.Tier) string {
	return "count(" + tierSel(p.svc, p.s, []slo.Tier{t}) + ")"
}

// alertSelector selects the firing burn alert of severity sev.
func (p sloTestPlan) alertSelector(sev slo.Severity) string {
	return sel("ALERTS", matcher("alertname", "=", slo.BurnAlertName(p.s)), matcher(slo.LabelService, "=", p.svc.Name),
		matcher(slo.LabelSLO, "=", p.s.Name), matcher(slo.LabelSeverity, "=", string(sev)), matcher("alertstate", "=", "firing"))
}

// present asserts that expr (a count) is 1 at at (want) or empty.
func present(expr string, at time.Duration, want bool) exprTest {
	e := exprTest{Expr: expr, EvalTime: dur(at), ExpSamples: []expSample{}}
	if want {
		e.ExpSamples = []expSample{{Labels: "{}", Value: 1}}
	}
	return e
}

// stretchChecks asserts that query (a count of 1 or nothing) follows the
// ideal stretches within tol: silent before each stretch begins, present
// after, present before it ends, silent after. With counts, it also
// asserts that sel is present at every evaluation between, and absent at
// every evaluation outside the stretches: exactly these notifications.
func stretchChecks(query, countSel string, ideal []stretch, end, eval time.Duration) []exprTest {
	tol := tolerance(eval)
	var out []exprTest
	quietFrom := time.Duration(0)
	for _, st := range ideal {
		firesBy := grid(st.from+tol, eval)
		if silent := grid(st.from-tol, eval); silent >= quietFrom && st.from-tol >= 0 {
			out = append(out, present(query, silent, false))
			if countSel != "" && silent > quietFrom {
				out = append(out, absentOver(countSel, quietFrom, silent))
			}
		}
		if firesBy > end {
			break
		}
		if st.to <= end && firesBy > st.to-tol {
			// Too short to pin down within the tolerance (a burn at the
			// threshold's edge): only the silence around it is asserted.
			quietFrom = grid(st.to+tol, eval)
			if quietFrom <= end {
				out = append(out, present(query, quietFrom, false))
			}
			continue
		}
		out = append(out, present(query, firesBy, true))
		if st.to > end {
			quietFrom = end + eval
			break
		}
		lastOn := grid(st.to-tol, eval)
		if lastOn > firesBy {
			out = append(out, present(query, lastOn, true))
			if countSel != "" {
				out = append(out, exprTest{
					Expr:       "sum(count_over_time(" + countSel + "[" + dur(lastOn-firesBy) + "]))",
					EvalTime:   dur(lastOn),
					ExpSamples: []expSample{{Labels: "{}", Value: float64((lastOn - firesBy) / eval)}},
				})
			}
		}
		quietFrom = grid(st.to+tol, eval)
		if quietFrom <= end {
			out = append(out, present(query, quietFrom, false))
		}
	}
	if countSel != "" && quietFrom < grid(end, eval) {
		out = append(out, absentOver(countSel, quietFrom, grid(end, eval)))
	}
	return out
}

// absentOver asserts that sel has no sample within (from, to].
func absentOver(sel string, from, to time.Duration) exprTest {
	return exprTest{Expr: "count_over_time(" + sel + "[" + dur(to-from) + "])", EvalTime: dur(to), ExpSamples: []expSample{}}
}

// scenario is one generated test: a timeline, and the checks of the tier
// conditions and alerts against the ideal.
func (p sloTestPlan) scenario(name string, tl timeline, eval time.Duration, tiers []slo.Tier, alerts []slo.Severity) testGroup {
	run := runIdeal(p.s, tl, min(eval/10, 10*time.Second), testStep)
	end := grid(tl.end(), eval)
	g := testGroup{Name: p.s.Name + ": " + name, Interval: dur(testStep), InputSeries: sliSeries(p.svc, p.s, tl)}
	for _, t := range tiers {
		g.PromqlExprTests = append(g.PromqlExprTests, stretchChecks(p.condQuery(t), "", run.active[t.Name], end, eval)...)
	}
	for _, sev := range alerts {
		if !p.hasAlert(sev) {
			continue
		}
		q := "count(" + p.alertSelector(sev) + ")"
		g.PromqlExprTests = append(g.PromqlExprTests, stretchChecks(q, p.alertSelector(sev), run.alerts[sev], end, eval)...)
	}
	return g
}

func (p sloTestPlan) hasAlert(sev slo.Severity) bool {
	for _, a := range slo.BurnAlerts(p.s) {
		if a.Severity == sev {
			return true
		}
	}
	return false
}

// clean is a phase of steady traffic without errors.
func (p sloTestPlan) clean(d time.Duration) phase { return phase{d, steadyTraffic(p.s), 0} }

// burning is a phase of steady traffic at burn times the error budget.
func (p sloTestPlan) burning(d time.Duration, burn float64) phase {
	return phase{d, steadyTraffic(p.s), math.Min(1, burn*p.s.ErrorBudget())}
}

// after extends tl with clean traffic until every ideal stretch of the
// tiers and alerts has ended, plus margin.
func (p sloTestPlan) untilQuiet(tl timeline, eval, margin time.Duration) timeline {
	probe := append(append(timeline{}, tl...), p.clean(4*24*time.Hour))
	run := runIdeal(p.s, probe, max(eval/10, 10*time.Second), testStep)
	last := tl.end()
	for _, sts := range run.active {
		for _, st := range sts {
			last = max(last, st.to)
		}
	}
	return append(tl, p.clean(grid(last-tl.end()+margin+tolerance(eval), eval)+eval))
}

// steadyTests are the cheap per-SLO tests of the page tiers: a steady
// burn just above the factor from the start for 10m (the alerts' exact
// labels and annotations, the condition's fire and reset against the
// ideal), and just below it (silent). The ticket tiers need their share
// of the budget spent, so they are tested on fast burns here (onsetTests)
// and at their thresholds in the shared long file.
func (p sloTestPlan) steadyTests(tiers []slo.Tier) []testGroup {
	period := time.Duration(p.s.Period)
	var out []testGroup
	for _, t := range tiers {
		factor := t.Factor(period)
		burn, _ := burnAbove(p.s, factor)
		burnFor := 10 * time.Minute
		tl := p.untilQuiet(timeline{p.burning(burnFor, burn)}, shortEval, 0)
		g := p.scenario(fmt.Sprintf("%s: a %.4gx burn (threshold %sx) for %s from the start fires with exact labels and annotations, and resets when errors stop",
			t.Name, burn, readable(factor), dur(burnFor)), tl, shortEval, []slo.Tier{t}, []slo.Severity{slo.Page})
		g.AlertRuleTests = append(g.AlertRuleTests, alertTest{EvalTime: dur(burnFor - shortEval), Alertname: slo.BurnAlertName(p.s),
			ExpAlerts: p.expectedAlerts(tl, burnFor-shortEval, shortEval, slo.Page)})
		out = append(out, g)

		below := burnBelow(factor)
		out = append(out, p.scenario(fmt.Sprintf("%s: a %.4gx burn for 20m stays silent", t.Name, below),
			timeline{p.burning(20*time.Minute, below)}, shortEval, []slo.Tier{t}, []slo.Severity{slo.Page}))
	}
	return out
}

// onsetTests check, per SLO, that each ticket tier's condition is met once
// every request has failed for as long as its share of the budget takes
// (the ideal), on a fresh history.
func (p sloTestPlan) onsetTests(tiers []slo.Tier) []testGroup {
	var out []testGroup
	for _, t := range tiers {
		probe := timeline{{4 * 24 * time.Hour, steadyTraffic(p.s), 1}}
		run := runIdeal(p.s, probe, 10*time.Second, testStep)
		sts := run.active[t.Name]
		if len(sts) == 0 {
			continue
		}
		length := grid(sts[0].from+tolerance(shortEval), shortEval) + shortEval
		out = append(out, p.scenario(fmt.Sprintf("%s: every request failing from the start meets the condition after %s (its share of the budget)",
			t.Name, dur(sts[0].from.Round(time.Minute))), timeline{{length, steadyTraffic(p.s), 1}}, shortEval, []slo.Tier{t}, nil))
	}
	return out
}

// thresholdTests are the shared tests of each tier at its threshold after
// a clean history as long as its long window: a burn just above the factor
// fires (and for the ticket tiers, whose alert the page tiers would
// otherwise hide, with the alert's exact labels and annotations once the
// window is full) and resets within the bound of the ideal; just below
// stays silent.
func (p sloTestPlan) thresholdTests(tiers []slo.Tier, eval time.Duration) []testGroup {
	period := time.Duration(p.s.Period)
	var out []testGroup
	for _, t := range tiers {
		factor := t.Factor(period)
		burn, _ := burnAbove(p.s, factor)
		history := t.Long
		detect := time.Duration(float64(t.Long) * factor / burn)
		burnFor := grid(detect+2*tolerance(eval), eval)
		check := time.Duration(0)
		if t.Severity == slo.Ticket {
			// The ticket alert shows only without a page, so its exact
			// annotations are checked here, on a burn from the start (a
			// period ratio that stays put) once the long window is full.
			history = 0
			detect = time.Duration(float64(t.Long)*factor/burn) - historySlack
			burnFor = t.Long + time.Hour
			check = burnFor - eval
		}
		tl := timeline{p.burning(burnFor, burn)}
		if history > 0 {
			tl = timeline{p.clean(history), p.burning(burnFor, burn)}
		}
		tl = p.untilQuiet(tl, eval, 0)
		g := p.scenario(fmt.Sprintf("%s: after %s without errors, a %.4gx burn (threshold %sx) fires within %s of the ideal %s and resets within %s of the ideal",
			t.Name, dur(history), burn, readable(factor), dur(tolerance(eval)), dur(detect.Round(time.Second)), dur(tolerance(eval))),
			tl, eval, []slo.Tier{t}, []slo.Severity{t.Severity})
		if check > 0 {
			g.AlertRuleTests = append(g.AlertRuleTests, alertTest{EvalTime: dur(check), Alertname: slo.BurnAlertName(p.s),
				ExpAlerts: p.expectedAlerts(tl, check, eval, t.Severity)})
		}
		out = append(out, g)

		below := burnBelow(factor)
		belowTL := timeline{p.burning(t.Long+10*time.Minute, below)}
		if history > 0 {
			belowTL = timeline{p.clean(history), p.burning(t.Long, below)}
		}
		out = append(out, p.scenario(fmt.Sprintf("%s: after %s without errors, a %.4gx burn for %s stays silent", t.Name, dur(history), below, dur(belowTL.end()-history)),
			belowTL, eval, []slo.Tier{t}, nil))
	}
	return out
}

// expectedAlerts are the alerts of severity sev the ideal has firing at
// at on tl (evaluated every eval), with their exact labels and
// annotations: the value is the highest long-window burn rate among the
// tiers that count, the description lists every tier of the alert whose
// condition holds, and the budget left is the period's as the slow group
// last recorded it before at.
func (p sloTestPlan) expectedAlerts(tl timeline, at, eval time.Duration, sev slo.Severity) []expAlert {
	period := time.Duration(p.s.Period)
	run := runIdeal(p.s, tl, min(eval/10, 10*time.Second), testStep)
	out := []expAlert{}
	for _, st := range run.alerts[sev] {
		if at < st.from || at >= st.to {
			continue
		}
		for _, a := range slo.BurnAlerts(p.s) {
			if a.Severity != sev {
				continue
			}
			value := 0.0
			var list strings.Builder
			for _, t := range a.Tiers {
				burn, active := tierBurn(p.s, t, tl, at, testStep)
				if !active {
					continue
				}
				fmt.Fprintf(&list, "%s %.1fx (%s); ", t.Name, burn, tierText(p.s, t))
				counts := true
				for _, f := range fasterTiers(p.s, t) {
					for _, fst := range run.active[f.Name] {
						if fst.from <= at && at-t.Short < fst.to {
							counts = false
						}
					}
				}
				if counts {
					value = max(value, burn)
				}
			}
			recorded := at.Truncate(slo.ChunkWindow)
			periodBurn := 0.0
			if r, ok := tl.ratio(recorded, period); ok {
				periodBurn = r / p.s.ErrorBudget()
			}
			ann := burnAnnotations(p.st, p.svc, p.s, a)
			desc := strings.Replace(ann["description"], `{{ $value | printf "%.1f" }}`, fmt.Sprintf("%.1f", value), 1)
			desc = strings.Replace(desc, tiersTemplate(p.svc, p.s, a), list.String(), 1)
			ann["description"] = strings.Replace(desc, budgetLeftTemplate(p.svc, p.s), fmt.Sprintf("%.4g%%", (1-periodBurn)*100), 1)
			out = append(out, expAlert{ExpLabels: burnLabels(p.svc, p.s, a), ExpAnnotations: dropEmpty(ann)})
		}
	}
	return out
}

// incidents are the incident shapes of issue 12 after a clean history of
// 6h: a 10m full outage and 15% errors for 30m (the page's cases), and a
// day of a 5x burn (the ticket's case, with full, after a day of history).
type incident struct {
	name string
	tl   func(p sloTestPlan) timeline
	// long runs it in the long file (5m evaluation) only.
	long bool
}

var incidents = []incident{
	{"a 10m full outage after 6h without errors", func(p sloTestPlan) timeline {
		return timeline{p.clean(6 * time.Hour), {10 * time.Minute, steadyTraffic(p.s), 1}}
	}, false},
	{"15% errors for 30m after 6h without errors", func(p sloTestPlan) timeline {
		return timeline{p.clean(6 * time.Hour), {30 * time.Minute, steadyTraffic(p.s), 0.15}}
	}, false},
	{"a 5x burn for a day after a day without errors", func(p sloTestPlan) timeline {
		return timeline{p.clean(24 * time.Hour), p.burning(24*time.Hour, 5)}
	}, true},
}

// incidentTests check that each incident notifies as the ideal says: for
// the page's cases one page and one resolve, never a ticket (see
// TestIdealIncidents). The short file follows the page until its tiers
// are quiet; the long file follows tickets until every tier is.
func (p sloTestPlan) incidentTests(tiers []slo.Tier, eval time.Duration, long bool) []testGroup {
	var out []testGroup
	for _, inc := range incidents {
		if inc.long && (!long || !p.full) {
			continue
		}
		tl := inc.tl(p)
		var full timeline
		if long {
			full = p.untilQuiet(tl, eval, time.Hour)
		} else {
			full = p.untilPageQuiet(tl, eval)
		}
		out = append(out, p.scenario(inc.name+": notifications as the workbook's windows say", full, eval, tiers,
			[]slo.Severity{slo.Page, slo.Ticket}))
	}
	return out
}

// untilPageQuiet extends tl until the page tiers' conditions have ended,
// plus margin: the page cannot notify again without new errors.
func (p sloTestPlan) untilPageQuiet(tl timeline, eval time.Duration) timeline {
	probe := append(append(timeline{}, tl...), p.clean(12*time.Hour))
	run := runIdeal(p.s, probe, eval/10, testStep)
	last := tl.end()
	for _, t := range slo.AlertingTiers(p.s) {
		if t.Severity != slo.Page {
			continue
		}
		for _, st := range run.active[t.Name] {
			last = max(last, st.to)
		}
	}
	return append(tl, p.clean(grid(last-tl.end()+10*time.Minute, eval)))
}

// trafficTests cover zero traffic and traffic around the minimum event
// rate, for the tiers read at a 1m evaluation: cheap, per SLO.
func (p sloTestPlan) trafficTests(short []slo.Tier) []testGroup {
	svc, s := p.svc, p.s
	period := time.Duration(s.Period)
	var out []testGroup

	// Zero traffic: no alert, and no NaN: the ratios and the budget are
	// absent while the rates are 0.
	quiet := 30 * time.Minute
	zero := testGroup{
		Name:        s.Name + ": zero traffic fires nothing and records no ratio (no NaN)",
		Interval:    dur(testStep),
		InputSeries: sliSeries(svc, s, []phase{{quiet, 0, 0}}),
		AlertRuleTests: []alertTest{
			{EvalTime: dur(quiet), Alertname: slo.BurnAlertName(s), ExpAlerts: []expAlert{}},
		},
		PromqlExprTests: []exprTest{
			{Expr: sloSel(slo.RequestsRate5m, svc, s), EvalTime: dur(quiet),
				ExpSamples: []expSample{{Labels: seriesLabels(slo.RequestsRate5m, sloLabels(svc, s)), Value: 0}}},
			{Expr: sloSel(slo.ErrorRatio(5*time.Minute), svc, s), EvalTime: dur(quiet), ExpSamples: []expSample{}},
			{Expr: sloSel(slo.ErrorRatio(24*time.Hour), svc, s), EvalTime: dur(quiet), ExpSamples: []expSample{}},
			{Expr: sloSel(slo.ErrorRatio(period), svc, s), EvalTime: dur(quiet), ExpSamples: []expSample{}},
			{Expr: sloSel(slo.BudgetRemaining, svc, s), EvalTime: dur(quiet), ExpSamples: []expSample{}},
		},
	}
	out = append(out, zero)
	if s.MinEventRate <= 0 || len(short) == 0 {
		return out
	}

	above := testGroup{
		Name:        fmt.Sprintf("%s: 100%% errors at %s req/s (over the minimum of %s) meet every page tier's condition", s.Name, num(1.2*s.MinEventRate), num(s.MinEventRate)),
		Interval:    dur(testStep),
		InputSeries: sliSeries(svc, s, []phase{{20 * time.Minute, 1.2 * s.MinEventRate, 1}}),
	}
	for _, t := range short {
		above.PromqlExprTests = append(above.PromqlExprTests, present(p.condQuery(t), 20*time.Minute, true))
	}
	out = append(out, above)

	night := 0.5 * s.MinEventRate
	// A few failed requests at night: half of MinBadEvents within 10m
	// (capped at every request failing), after an hour of clean traffic.
	burst := 10 * time.Minute
	share := math.Min(1, s.MinBadEvents/2/(night*burst.Seconds()))
	before := time.Hour
	few := testGroup{
		Name: fmt.Sprintf("%s: %s failed requests within %s at %s req/s (under the minimum of %s) page nobody",
			s.Name, num(share*night*burst.Seconds()), dur(burst), num(night), num(s.MinEventRate)),
		Interval:    dur(testStep),
		InputSeries: sliSeries(svc, s, []phase{{before, night, 0}, {burst, night, share}, {30 * time.Minute, night, 0}}),
	}
	for _, t := range short {
		few.PromqlExprTests = append(few.PromqlExprTests,
			present(p.condQuery(t), before+burst, false), present(p.condQuery(t), before+burst+30*time.Minute, false))
	}
	if p.hasAlert(slo.Page) {
		few.PromqlExprTests = append(few.PromqlExprTests, absentOver(p.alertSelector(slo.Page), 0, before+burst+30*time.Minute))
	}
	out = append(out, few)

	// Every request failing at night: the bad events alone pass the guard,
	// once the long window holds MinBadEvents of them.
	enough := time.Duration(s.MinBadEvents / night * float64(time.Second))
	length := grid(enough+tolerance(shortEval), shortEval) + shortEval
	outage := testGroup{
		Name: fmt.Sprintf("%s: 100%% errors at %s req/s (under the minimum of %s) fire once the long window holds %s bad events",
			s.Name, num(night), num(s.MinEventRate), num(s.MinBadEvents)),
		Interval:    dur(testStep),
		InputSeries: sliSeries(svc, s, []phase{{length, night, 1}}),
	}
	for _, t := range short {
		if enough < t.Long {
			outage.PromqlExprTests = append(outage.PromqlExprTests, present(p.condQuery(t), length-shortEval, true))
			if silent := grid(enough-tolerance(shortEval), shortEval); silent > 0 {
				outage.PromqlExprTests = append(outage.PromqlExprTests, present(p.condQuery(t), silent, false))
			}
		}
	}
	if len(outage.PromqlExprTests) > 0 {
		out = append(out, outage)
	}
	return out
}

// boundaryTests are the shared tests of the volume guard of the tiers in
// tiers: every request failing at a rate whose long window holds 80% of
// MinBadEvents stays silent; 125% fires.
func (p sloTestPlan) boundaryTests(tiers []slo.Tier) []testGroup {
	svc, s := p.svc, p.s
	var out []testGroup
	if s.MinEventRate <= 0 {
		return out
	}
	for _, t := range tiers {
		for _, c := range []struct {
			share float64
			fires bool
		}{{0.8, false}, {1.25, true}} {
			rate := c.share * s.MinBadEvents / t.Long.Seconds()
			if rate >= s.MinEventRate {
				continue
			}
			length := t.Long + 10*time.Minute
			verb := "stays silent"
			if c.fires {
				verb = "fires"
			}
			out = append(out, testGroup{
				Name: fmt.Sprintf("%s %s: 100%% errors at %s req/s (%s bad events per %s, minimum %s; under the minimum rate of %s) %s",
					s.Name, t.Name, num(rate), num(rate*t.Long.Seconds()), dur(t.Long), num(s.MinBadEvents), num(s.MinEventRate), verb),
				Interval:        dur(testStep),
				InputSeries:     sliSeries(svc, s, []phase{{length, rate, 1}}),
				PromqlExprTests: []exprTest{present(p.condQuery(t), length, c.fires)},
			})
		}
	}
	return out
}

// files returns the SLO's test files: slo-<slo>.yml always; with full,
// slo-<slo>-windows.yml (the page tiers at their thresholds after a full
// history, the incidents, the minimum event count per tier) and
// slo-<slo>-long.yml (the ticket tiers at their thresholds, the slow burn,
// the incidents until every tier is quiet).
func (p sloTestPlan) files() []testFileOut {
	rules := []string{"../../rules/" + p.svc.Name + "/" + sloFile(p.s)}
	short, long := p.split()
	base := strings.TrimSuffix(sloFile(p.s), ".yml")
	tests := append(p.steadyTests(short), p.onsetTests(long)...)
	tests = append(tests, p.trafficTests(short)...)
	out := []testFileOut{{name: sloFile(p.s), file: testFile{RuleFiles: rules, EvaluationInterval: dur(shortEval), Tests: tests}}}
	if !p.full {
		return out
	}
	windows := append(p.thresholdTests(short, shortEval), p.incidentTests(short, shortEval, false)...)
	windows = append(windows, p.boundaryTests(short)...)
	out = append(out, testFileOut{name: base + "-windows.yml", file: testFile{RuleFiles: rules, EvaluationInterval: dur(shortEval), Tests: windows}})
	if len(long) > 0 {
		tests := append(p.thresholdTests(long, longEval), p.incidentTests(long, longEval, true)...)
		out = append(out, testFileOut{name: base + "-long.yml", file: testFile{RuleFiles: rules, EvaluationInterval: dur(longEval), Tests: tests}})
	}
	return out
}

// fullTestSLOs names (service/slo) the first SLO in spec order of each
// alert math and SLI form (sloMath): it carries the scenarios that need
// days of input, which the others of its math share.
func fullTestSLOs(st *model.Stack) map[string]bool {
	full := map[string]bool{}
	seen := map[string]bool{}
	for _, svc := range st.Services {
		for _, s := range svc.SLOs {
			if m := sloMath(svc, s); !seen[m] {
				seen[m] = true
				full[svc.Name+"/"+s.Name] = true
			}
		}
	}
	return full
}

// unitTests returns the test files of one service: its health alerts and,
// per SLO, the burn-rate rules; full names the SLOs that carry their alert
// math's long scenarios (fullTestSLOs).
func unitTests(st *model.Stack, svc model.Service, full map[string]bool) []testFileOut {
	files := []testFileOut{{name: serviceFile, file: testFile{
		// Only the service's own rules: the SLOs' files test their
		// alerts (zero traffic included), and loading them here would
		// evaluate every SLO's rules at every step of every health test.
		RuleFiles:          []string{"../../rules/" + svc.Name + "/" + serviceFile},
		EvaluationInterval: dur(testStep),
		Tests:              healthTests(st, svc),
	}}}
	for _, s := range svc.SLOs {
		files = append(files, sloTestPlan{st: st, svc: svc, s: s, full: full[svc.Name+"/"+s.Name]}.files()...)
	}
	return files
}

// testFileOut is one generated test file, named relative to its service's directory.
type testFileOut struct {
	name string
	file testFile
}
