package review

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/simulate/timeline"
)

// Timeline is what the incident simulation (package simulate) says
// happens to an SLO in one incident shape, in a reviewer's words.
type Timeline struct {
	// Scenario names the incident shape and its length ("full outage for 30m").
	Scenario string
	// Events are the notifications, in order ("page via oncall after 3m30s
	// (page-fast)"); notifications that differ only in their receiver are one
	// event naming every receiver.
	Events []string
	// Fires says when each tier's rule began firing, whether or not
	// anyone was notified ("page-fast 3m, ticket-slow 20m").
	Fires string
	// Problems break "one page and one resolve per incident".
	Problems []string
}

// addTimelines adds the incident simulation's timelines, read from the
// simulate target's artifact in prior (none when it is absent).
func addTimelines(s *Summary, prior artifact.Reader) error {
	rep, ok, err := timeline.Load(prior)
	if err != nil || !ok {
		return err
	}
	s.Simulation = &SimulationInfo{History: timeline.Since(time.Duration(rep.History)), Shapes: rep.Shapes, RPS: timeline.DemoRPS}
	for i := range s.SLOs {
		o := &s.SLOs[i]
		res, ok := rep.Find(o.Service, o.Name)
		if !ok {
			continue
		}
		o.NotSimulated = res.NotSimulated
		for _, tl := range res.Timelines {
			o.Timelines = append(o.Timelines, summarizeTimeline(tl))
		}
	}
	return nil
}

// SimulationInfo says how the timelines were simulated.
type SimulationInfo struct {
	History string
	Shapes  int
	RPS     float64
}

func summarizeTimeline(tl timeline.Timeline) Timeline {
	out := Timeline{Scenario: tl.Scenario + " for " + timeline.Since(time.Duration(tl.Duration)), Problems: tl.Problems}
	// Merge notifications that differ only in their receiver.
	type event struct {
		what      string
		receivers []string
		reminders int
	}
	var events []*event
	byWhat := map[string]*event{}
	for _, n := range tl.Notifications {
		what, reminder := describe(n, tl.Duration)
		key := what
		if reminder {
			// Reminders (repeat_interval) are counted on the event they repeat.
			key = "reminder " + n.Receiver + strings.Join(n.Firing, ",")
			for i := len(events) - 1; i >= 0; i-- {
				if strings.Contains(events[i].what, strings.Join(tierNamesOf(n.Firing), ", ")) && contains(events[i].receivers, n.Receiver) {
					if !contains(events[i].receivers[:1], n.Receiver) {
						break // counted once per event, on its first receiver
					}
					events[i].reminders++
					break
				}
			}
			continue
		}
		if e, ok := byWhat[key]; ok {
			e.receivers = append(e.receivers, n.Receiver)
			continue
		}
		e := &event{what: what, receivers: []string{n.Receiver}}
		byWhat[key] = e
		events = append(events, e)
	}
	for _, e := range events {
		line := strings.Replace(e.what, "{via}", "via "+strings.Join(e.receivers, ", "), 1)
		if e.reminders > 0 {
			line += fmt.Sprintf(", then %d reminder(s) (repeat_interval)", e.reminders)
		}
		out.Events = append(out.Events, line)
	}
	if len(out.Events) == 0 {
		out.Events = []string{"no notification"}
	}
	var fires []string
	for _, k := range sortedByValue(tl.FirstFiring) {
		fires = append(fires, strings.Join(tierNamesOf([]string{k}), "")+" "+at(tl.FirstFiring[k], tl.Duration))
	}
	out.Fires = strings.Join(fires, ", ")
	return out
}

// describe words one notification with a {via} placeholder for its
// receivers; reminder is true for a repeat_interval reminder.
func describe(n timeline.Notification, incident model.Duration) (what string, reminder bool) {
	if n.Reason == "repeat interval elapsed" {
		return "", true
	}
	when := at(n.At, incident)
	if n.Status == "resolved" {
		return fmt.Sprintf("resolved {via} %s (%s)", when, strings.Join(tierNamesOf(n.Resolved), ", ")), false
	}
	sev := strings.Join(n.Severities, "+")
	again := ""
	if n.Reason == "new alerts added" {
		again = " again"
	}
	return fmt.Sprintf("%s%s {via} %s (%s)", sev, again, when, strings.Join(tierNamesOf(n.Firing), ", ")), false
}

// at words a time of a timeline: "after 3m30s" during the incident, "5m30s
// after recovery" after it.
func at(o timeline.Offset, incident model.Duration) string {
	if d := time.Duration(o) - time.Duration(incident); d >= 0 {
		return timeline.Since(d) + " after recovery"
	}
	return "after " + timeline.Since(time.Duration(o))
}

// tierNamesOf shortens Alert{tier} to the tier, the alert name alone otherwise.
func tierNamesOf(alerts []string) []string {
	out := make([]string, len(alerts))
	for i, a := range alerts {
		if j := strings.IndexByte(a, '{'); j >= 0 {
			out[i] = strings.TrimSuffix(a[j+1:], "}")
		} else {
			out[i] = a
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func sortedByValue(m map[string]timeline.Offset) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] < m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

func writeTimelines(b *strings.Builder, o SLO, sim *SimulationInfo) {
	if o.NotSimulated != "" {
		fmt.Fprintf(b, "Not simulated: %s.\n\n", o.NotSimulated)
	}
	if len(o.Timelines) == 0 {
		return
	}
	fmt.Fprintf(b, "Simulated incidents on %s, after %s of history at the endpoints' simulated traffic, errors and latency (see docs/review.md):\n\n",
		strings.Join(o.Endpoints, ", "), sim.History)
	for _, tl := range o.Timelines {
		fmt.Fprintf(b, "- **%s**: %s\n", tl.Scenario, strings.Join(tl.Events, "; "))
		if tl.Fires != "" {
			fmt.Fprintf(b, "  - rules fire: %s\n", tl.Fires)
		}
		for _, p := range tl.Problems {
			fmt.Fprintf(b, "  - ⚠ %s\n", p)
		}
	}
	b.WriteString("\n")
}
