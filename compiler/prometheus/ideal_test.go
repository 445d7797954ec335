package prometheus

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec/spectest"
)

// TestIdealWorkbookTimes checks the ideal the generated tests compare the
// rules with against the SRE workbook's figures for a 99.9%/30d SLO at
// 10 req/s after a clean history longer than every window.
func TestIdealWorkbookTimes(t *testing.T) {
	s := model.SLO{Objective: 99.9, Period: model.Duration(30 * 24 * time.Hour), MinEventRate: 0.1, MinBadEvents: 10}
	p := sloTestPlan{s: s}
	history := 4 * 24 * time.Hour
	tests := []struct {
		name string
		tl   timeline
		tier string
		// fires is the ideal time after the incident began; resets, when
		// set, the ideal time after it ended.
		fires, resets time.Duration
		incidentEnd   time.Duration
	}{
		{"100% errors, page-fast", timeline{p.clean(history), {time.Hour, 10, 1}}, "page-fast", 52 * time.Second, 0, 0},
		{"15% errors, page-fast", timeline{p.clean(history), {time.Hour, 10, 0.15}}, "page-fast", 5*time.Minute + 46*time.Second, 0, 0},
		{"15% errors, page-slow", timeline{p.clean(history), {time.Hour, 10, 0.15}}, "page-slow", 14*time.Minute + 24*time.Second, 0, 0},
		{"10m outage, page-slow resets", timeline{p.clean(history), {10 * time.Minute, 10, 1}, p.clean(time.Hour)}, "page-slow",
			2*time.Minute + 10*time.Second, 29*time.Minute + 49*time.Second, 10 * time.Minute},
		{"10m outage, page-fast resets", timeline{p.clean(history), {10 * time.Minute, 10, 1}, p.clean(time.Hour)}, "page-fast",
			52 * time.Second, 4*time.Minute + 57*time.Second, 10 * time.Minute},
		{"5x burn, ticket-fast", timeline{p.clean(history), p.burning(20*time.Hour, 5)}, "ticket-fast", 14*time.Hour + 24*time.Minute, 0, 0},
		{"5x burn, ticket-slow", timeline{p.clean(history), p.burning(20*time.Hour, 5)}, "ticket-slow", 14*time.Hour + 24*time.Minute, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := runIdeal(s, tt.tl, time.Second, 0)
			sts := run.active[tt.tier]
			if len(sts) != 1 {
				t.Fatalf("%s active %d times, want once: %v", tt.tier, len(sts), sts)
			}
			near := func(got, want time.Duration) bool { return got-want < 2*time.Second && want-got < 2*time.Second }
			if got := sts[0].from - history; !near(got, tt.fires) {
				t.Errorf("%s fires %s after the incident began, want %s", tt.tier, got, tt.fires)
			}
			if tt.resets != 0 {
				if got := sts[0].to - history - tt.incidentEnd; !near(got, tt.resets) {
					t.Errorf("%s resets %s after the incident ended, want %s", tt.tier, got, tt.resets)
				}
			}
		})
	}
}

// TestIdealIncidents checks the design on the ideal, for every SLO of the
// demo spec and of testdata/periods.jsonnet (7d, 28d and 30d periods): a
// full outage and 15% errors for 30m notify one page and one resolve and
// no ticket when they page at all; a day of a 5x burn opens at most one
// ticket, and pages only where 5x is above a page tier's factor.
func TestIdealIncidents(t *testing.T) {
	for _, spec := range []string{"../../stack.jsonnet", "testdata/periods.jsonnet"} {
		st := spectest.Load(t, spec, "")
		for _, svc := range st.Services {
			for _, s := range svc.SLOs {
				p := sloTestPlan{st: st, svc: svc, s: s, full: true}
				period := time.Duration(s.Period)
				for _, inc := range incidents {
					t.Run(fmt.Sprintf("%s/%s/%s", svc.Name, s.Name, inc.name), func(t *testing.T) {
						tl := p.untilQuiet(inc.tl(p), longEval, time.Hour)
						run := runIdeal(s, tl, 10*time.Second, testStep)
						pages, tickets := run.alerts[slo.Page], run.alerts[slo.Ticket]
						if len(pages) > 1 {
							t.Errorf("%d pages, want at most 1: %v", len(pages), pages)
						}
						if len(tickets) > 1 {
							t.Errorf("%d tickets, want at most 1: %v", len(tickets), tickets)
						}
						if len(pages) == 1 && len(tickets) > 0 {
							t.Errorf("a ticket %v besides the page %v", tickets, pages)
						}
						pageTierActive := false
						for _, tier := range slo.AlertingTiers(s) {
							if tier.Severity == slo.Page && len(run.active[tier.Name]) > 0 {
								pageTierActive = true
							}
						}
						if pageTierActive && len(pages) != 1 {
							t.Errorf("a page tier's condition held, but %d pages, want 1", len(pages))
						}
						if inc.long {
							pageable := false
							for _, a := range slo.BurnAlerts(s) {
								for _, tier := range a.Tiers {
									if a.Severity == slo.Page && 5 > tier.Factor(period) {
										pageable = true
									}
								}
							}
							if !pageable && len(pages) > 0 {
								t.Errorf("a 5x burn paged %v, below every page tier's factor", pages)
							}
							if !pageable && p.hasAlert(slo.Ticket) && len(tickets) != 1 {
								t.Errorf("a 5x burn opened %d tickets, want 1", len(tickets))
							}
						}
						for _, st := range append(pages, tickets...) {
							if st.to > tl.end() {
								t.Errorf("still firing at the end of the timeline: %v", st)
							}
						}
					})
				}
			}
		}
	}
}

// TestIdealRunsAreShared checks runIdeal's memo: SLOs that differ only in
// names share a run, the shared run is what computeIdeal returns for each,
// and SLOs with other math (objective, disabled tiers) or another timeline
// do not share.
func TestIdealRunsAreShared(t *testing.T) {
	base := model.SLO{Name: "a", Objective: 99.9, Period: model.Duration(30 * 24 * time.Hour), MinEventRate: 0.1, MinBadEvents: 10}
	renamed := base
	renamed.Name, renamed.Description, renamed.Endpoints = "b", "other", []string{"x"}
	other := base
	other.Objective = 99.5
	fewer := base
	fewer.DisabledTiers = []string{"page-slow"}
	p := sloTestPlan{s: base}
	outage := timeline{p.clean(time.Hour), {10 * time.Minute, 10, 1}, p.clean(time.Hour)}
	longer := timeline{p.clean(2 * time.Hour), {10 * time.Minute, 10, 1}, p.clean(time.Hour)}
	key := idealKey(base, outage, 10*time.Second, testStep)
	for _, tt := range []struct {
		name   string
		s      model.SLO
		tl     timeline
		shared bool
	}{
		{"renamed", renamed, outage, true},
		{"other objective", other, outage, false},
		{"disabled tier", fewer, outage, false},
		{"other timeline", base, longer, false},
	} {
		if got := idealKey(tt.s, tt.tl, 10*time.Second, testStep) == key; got != tt.shared {
			t.Errorf("%s: shares the key %v, want %v", tt.name, got, tt.shared)
		}
		got, want := runIdeal(tt.s, tt.tl, 10*time.Second, testStep), computeIdeal(tt.s, tt.tl, 10*time.Second, testStep)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: shared run %v, computed %v", tt.name, got, want)
		}
	}
}
