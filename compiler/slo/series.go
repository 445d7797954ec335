package slo

import (
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
		eps := len(svc.Endpoints) + 1     // plus the one endpoint label value of unmatched requests (UnmatchedEndpoint)
		codes := len(svc.StatusCodes) + 5 // the known codes plus one class per unknown code
		duration := eps * (len(svc.LatencyBuckets) + 3)
		if svc.NativeHistograms {
			duration += eps // one native histogram series beside the classic buckets
		}
		out = append(out,
			SeriesCount{svc.Name, RequestsTotal, capSeries(eps * codes * targets)},
			SeriesCount{svc.Name, RequestDuration, capSeries(duration * targets)},
			SeriesCount{svc.Name, RequestsInFlight, capSeries(eps * targets)},
		)
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
