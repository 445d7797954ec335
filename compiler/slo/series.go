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

// WorstCaseSeries returns every metric's worst-case series count, largest first.
func WorstCaseSeries(st *model.Stack) []SeriesCount {
	var out []SeriesCount
	for _, svc := range st.Services {
		eps := len(svc.Endpoints) + 1     // plus the one endpoint label value of unmatched requests (UnmatchedEndpoint)
		codes := len(svc.StatusCodes) + 5 // the known codes plus one class per unknown code
		out = append(out,
			SeriesCount{svc.Name, RequestsTotal, eps * codes},
			SeriesCount{svc.Name, RequestDuration, eps * (len(svc.LatencyBuckets) + 3)},
			SeriesCount{svc.Name, RequestsInFlight, eps},
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
			out = append(out, SeriesCount{svc.Name, m.Name, combos * per})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Series > out[j].Series })
	return out
}
