// Package timeline holds what the incident simulation (package simulate)
// reports, per SLO and incident shape: who Alertmanager notifies of what,
// and when. It is the artifact's schema, shared by the simulate target,
// which writes out/simulation/timelines.json, and the targets that read it
// (review, and stackc diff through review), which must not import the
// simulate target itself.
package timeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
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

// Share is the scenario's bad share for an SLO with the given error budget.
func (sc Scenario) Share(budget float64) float64 {
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
	// Sampled are the dashboard queries over the full outage, for the
	// previews (previews.json, not this report).
	Sampled *Sampled `json:"-"`
}

// Result is the simulation of one SLO.
type Result struct {
	Service string `json:"service"`
	SLO     string `json:"slo"`
	// Shape names the simulation this SLO shares with others of the same
	// alert math ("<service>/<slo>" of the first such SLO).
	Shape     string     `json:"shape,omitempty"`
	Timelines []Timeline `json:"timelines"`
	// NotSimulated says why the SLO was not simulated ("" when it was).
	NotSimulated string `json:"notSimulated,omitempty"`
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

// Load reads the report from the artifacts of a build (prior); ok is false
// when there is none.
func Load(prior artifact.Reader) (*Report, bool, error) {
	if prior == nil {
		return nil, false, nil
	}
	data, err := prior.Read(Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, true, fmt.Errorf("%s: %w", Path, err)
	}
	return &r, true, nil
}

// Since formats a duration the way timelines show it: 45s, 1m5s, 14h24m,
// 2d3h; seconds only below an hour, minutes only below a day.
func Since(t time.Duration) string {
	if t < 0 {
		return "-" + Since(-t)
	}
	switch {
	case t < time.Minute:
		return fmt.Sprintf("%ds", t/time.Second)
	case t < time.Hour:
		m, s := t/time.Minute, (t%time.Minute)/time.Second
		if s == 0 {
			return fmt.Sprintf("%dm", m)
		}
		return fmt.Sprintf("%dm%ds", m, s)
	case t < 24*time.Hour:
		t = t.Round(time.Minute)
		h, m := t/time.Hour, (t%time.Hour)/time.Minute
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%dm", h, m)
	}
	t = t.Round(time.Hour)
	days, h := t/(24*time.Hour), (t%(24*time.Hour))/time.Hour
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd%dh", days, h)
}
