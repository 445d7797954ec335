package slo

import (
	"math"
	"slices"
	"time"

	"github.com/stackc/stackc/compiler/model"
)

// z99 is the standard normal 99th percentile: the demo app draws latency
// from a log-normal with the spec's median and 99th percentile.
const z99 = 2.3263478740408408

// SlowShare is the share of requests slower than threshold when latency is
// log-normal with the given median and 99th percentile (the demo app's
// sim); with no spread (p99 at or below the median) every request takes
// the median.
func SlowShare(median, p99, threshold time.Duration) float64 {
	switch {
	case median <= 0:
		return 0
	case p99 <= median:
		if median > threshold {
			return 1
		}
		return 0
	case threshold <= 0:
		return 1
	}
	sigma := math.Log(float64(p99)/float64(median)) / z99
	z := math.Log(float64(threshold)/float64(median)) / sigma
	return 0.5 * math.Erfc(z/math.Sqrt2)
}

// SimBurn is how fast an endpoint's simulated behaviour alone burns the
// budget of SLO o (0 for SLOs the sim does not describe: raw SLIs, or a
// budget of zero).
func SimBurn(ep model.Endpoint, o model.SLO) float64 {
	if o.ErrorBudget() <= 0 {
		return 0
	}
	switch o.Kind {
	case model.Availability:
		return ep.Sim.ErrorRate / o.ErrorBudget()
	case model.Latency:
		return SlowShare(time.Duration(ep.Sim.Latency), time.Duration(ep.Sim.LatencyP99), time.Duration(o.Threshold)) / o.ErrorBudget()
	}
	return 0
}

// LowestTier is the enabled tier of o with the lowest burn-rate factor:
// the first one an ongoing burn trips. ok is false without tiers.
func LowestTier(o model.SLO) (low Tier, ok bool) {
	period := time.Duration(o.Period)
	for i, t := range EnabledTiers(o) {
		if i == 0 || t.Factor(period) < low.Factor(period) {
			low = t
		}
		ok = true
	}
	return low, ok
}

// SimTrips returns the endpoint of o whose simulated behaviour alone burns
// o's budget at or above its lowest tier's factor, with that burn: on such
// traffic o's alerts fire before any fault. ok is false when none does.
func SimTrips(svc model.Service, o model.SLO) (ep model.Endpoint, burn float64, low Tier, ok bool) {
	low, hasTiers := LowestTier(o)
	if !hasTiers {
		return ep, 0, low, false
	}
	factor := low.Factor(time.Duration(o.Period))
	for _, e := range svc.Endpoints {
		if !slices.Contains(o.Endpoints, e.Name) {
			continue
		}
		if b := SimBurn(e, o); b >= factor && b > burn {
			ep, burn, ok = e, b, true
		}
	}
	return ep, burn, low, ok
}
