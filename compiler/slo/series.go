package slo

import (
	"slices"
	"sort"

	"github.com/stackc/stackc/compiler/model"
)

// SeriesCount is the worst-case number of series one metric can expose.
type SeriesCount struct {
	Service, Metric string
	Series          int
}

// WorstCaseSeries returns every metric's worst-case series count over all
// of its service's scrape targets (each target exposes every series),
// largest first.
func WorstCaseSeries(st *model.Stack) []SeriesCount {
	var out []SeriesCount
	for _, svc := range st.Services {
		targets := max(len(svc.Targets), 1)
		out = append(out, requestSeries(svc)...)
		for _, m := range svc.Metrics {
			combos := 1
			for _, l := range m.Labels {
				combos *= max(len(l.Values), 1)
				if combos > 1<<30 {
					break
				}
			}
			per := 1
			switch m.Type {
			case model.Histogram:
				per = len(m.Buckets) + 3 // +Inf, _sum, _count
			case model.Summary:
				per = len(m.Objectives) + 2
			}
			out = append(out, SeriesCount{svc.Name, m.Name, capSeries(combos * per * targets)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Series > out[j].Series })
	return out
}

// capSeries keeps absurd counts from overflowing the sum.
func capSeries(n int) int { return min(n, 1<<40) }

// requestSeries is the worst case of a service's request metrics, from
// its instrumentation: every endpoint value (plus the one of unmatched
// requests) times every code times the duration series per combination.
func requestSeries(svc model.Service) []SeriesCount {
	in := InstrumentationOf(svc)
	eps := len(svc.Endpoints) + 1 // plus the endpoint label value of unmatched requests
	perDuration := len(svc.LatencyBuckets) + 3
	if len(svc.LatencyBuckets) == 0 {
		perDuration = 2 // a summary without quantiles: _sum and _count
	}
	if svc.NativeHistograms {
		perDuration++ // one native histogram series beside the classic buckets
	}
	out := requestSeriesPerTarget(svc, in, eps, perDuration)
	targets := max(len(svc.Targets), 1)
	for i := range out {
		out[i].Series = capSeries(out[i].Series * targets)
	}
	return out
}

func requestSeriesPerTarget(svc model.Service, in Instrumentation, eps, perDuration int) []SeriesCount {
	if in.Preset == Registry {
		// The known codes, 499 (a client that went away) unless listed,
		// and one class per unknown code.
		codes := len(svc.StatusCodes) + 5
		if !slices.Contains(svc.StatusCodes, ClientClosedRequest) {
			codes++
		}
		return []SeriesCount{
			{svc.Name, in.Requests, eps * codes},
			{svc.Name, in.Duration, eps * perDuration},
			{svc.Name, in.InFlight, eps},
		}
	}
	// Exporters record the real status code: the spec's codes stand for
	// the codes the app answers with, plus one for anything else.
	codes := len(svc.StatusCodes) + 1
	out := []SeriesCount{{svc.Name, in.Duration, eps * codes * perDuration}, {svc.Name, in.Presence, 1}}
	switch in.Preset {
	case Flask:
		methods := map[string]bool{}
		for _, e := range svc.Endpoints {
			methods[e.Method] = true
		}
		out = append(out,
			SeriesCount{svc.Name, "flask_http_request_total", max(len(methods), 1) * codes},
			SeriesCount{svc.Name, "flask_http_request_exceptions_total", max(len(methods), 1)})
	case Micrometer:
		out = append(out, SeriesCount{svc.Name, in.Duration + "_max", eps * codes})
	}
	return out
}
