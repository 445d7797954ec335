package simulate

import (
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
)

// Trace is a simulation of one SLO in one scenario, with what it scraped
// and the alerts firing after every evaluation, for the promtool test.
type Trace struct {
	Timeline Timeline
	Scrape   time.Duration
	Eval     time.Duration
	// Incident is the time of the incident since the first scrape.
	Incident time.Duration
	Series   []labels.Labels
	Values   [][]float64
	Firing   map[time.Duration][]labels.Labels
}

// TraceScenario simulates one SLO in one scenario with every rule group
// evaluated at the global evaluation interval, as promtool does.
func TraceScenario(st *model.Stack, files artifact.Set, service, slo string, scenario int) (*Trace, error) {
	in, err := readInput(st, files)
	if err != nil {
		return nil, err
	}
	for _, svc := range st.Services {
		for _, o := range svc.SLOs {
			if svc.Name != service || o.Name != slo {
				continue
			}
			si, err := in.sloInput(svc, o)
			if err != nil {
				return nil, err
			}
			tr := &trace{}
			opts := Options{UniformInterval: true, trace: tr}
			h, err := in.history(si, opts)
			if err != nil {
				return nil, err
			}
			tl, err := in.simulate(si, Scenarios[scenario], opts, h)
			if err != nil {
				return nil, err
			}
			return &Trace{Timeline: tl, Scrape: in.scrape, Eval: in.eval, Incident: h.span,
				Series: tr.series, Values: tr.values, Firing: tr.firing}, nil
		}
	}
	return nil, nil
}

// PeriodsSpec is the spec of the promtool comparison (periodsSpec).
const PeriodsSpec = periodsSpec
