package timeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"strconv"

	"github.com/stackc/stackc/compiler/artifact"
)

// PreviewPath is where the simulate target writes the series the
// dashboard previews draw, relative to out/.
const PreviewPath = "simulation/previews.json"

// Previews are the dashboards' own panel queries evaluated over the
// simulated full outage, for the review target's SVG previews.
type Previews struct {
	// Scenario is the incident the series show ("full outage").
	Scenario   string             `json:"scenario"`
	Dashboards []DashboardPreview `json:"dashboards"`
}

// DashboardPreview is what one dashboard's panels show in the simulation.
type DashboardPreview struct {
	UID string `json:"uid"`
	// Scenario is the Previews' scenario, set by the reader for drawing.
	Scenario string `json:"-"`
	// Note says where the dashboard's series come from, for its subtitle.
	Note string `json:"note,omitempty"`
	// Incidents are the simulated incidents the panels show, by the SLO
	// whose incident it is ("service/slo").
	Incidents map[string]Incident `json:"incidents,omitempty"`
	Panels    []PanelPreview      `json:"panels"`
}

// Incident is the time axis of a simulated incident and its moments, all
// relative to the incident's beginning.
type Incident struct {
	// From is the time of the first point, Step the time between points.
	From   Offset `json:"from"`
	Step   Offset `json:"step"`
	Points int    `json:"points"`
	// Recovery is when the fault ends.
	Recovery Offset `json:"recovery"`
	// Page is when on-call receives the first page notification, Notified
	// the first notification of any kind when nothing pages (nil when
	// nobody is notified), Resolved when the page (or that notification)
	// is resolved.
	Page     *Offset `json:"page,omitempty"`
	Notified *Offset `json:"notified,omitempty"`
	Resolved *Offset `json:"resolved,omitempty"`
}

// PanelPreview is one panel's simulated series, or why it has none.
type PanelPreview struct {
	ID uint32 `json:"id"`
	// Incident names the entry of the dashboard's Incidents the series
	// are sampled on.
	Incident string   `json:"incident,omitempty"`
	Series   []Series `json:"series,omitempty"`
	// NotSimulated says why the panel has no simulated series.
	NotSimulated string `json:"notSimulated,omitempty"`
}

// Series is one series a panel query returned, named by the query's
// legend format as Grafana renders it.
type Series struct {
	Name   string `json:"name"`
	Values Values `json:"values"`
}

// Values are a series' values at the incident's points; NaN where the
// query returned nothing, written as null. They are written with four
// significant digits: the previews draw them a few hundred pixels tall.
type Values []float64

// MarshalJSON writes the values compactly.
func (vs Values) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		switch {
		case math.IsNaN(v), math.IsInf(v, 0):
			b.WriteString("null")
		default:
			b.WriteString(strconv.FormatFloat(Round(v), 'g', -1, 64))
		}
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}

// UnmarshalJSON reads null as NaN.
func (vs *Values) UnmarshalJSON(data []byte) error {
	var raw []*float64
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	out := make(Values, len(raw))
	for i, p := range raw {
		out[i] = math.NaN()
		if p != nil {
			out[i] = *p
		}
	}
	*vs = out
	return nil
}

// Round keeps four significant digits of v.
func Round(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 4, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// Sampled is what the simulation keeps of one SLO shape's full outage for
// the previews: every query of the representative SLO's dashboard panels,
// evaluated on that run's storage, by canonical query (identity labels'
// values replaced, so that every SLO of the shape finds its own). It is
// shared by the SLOs of the shape with their timelines, and not written
// to timelines.json.
type Sampled struct {
	Incident Incident
	// Scrape is the scrape interval, for $__rate_interval.
	Scrape Offset
	// Results are the queries' series; Missing why a query has none.
	Results map[string][]LabeledValues
	Missing map[string]string
}

// LabeledValues are one result series with its labels.
type LabeledValues struct {
	Labels map[string]string
	Values Values
}

// LoadPreviews reads the previews from the artifacts of a build (prior);
// ok is false when there are none.
func LoadPreviews(prior artifact.Reader) (*Previews, bool, error) {
	if prior == nil {
		return nil, false, nil
	}
	data, err := prior.Read(PreviewPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var p Previews
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, true, fmt.Errorf("%s: %w", PreviewPath, err)
	}
	return &p, true, nil
}
