package spec

import (
	"fmt"
	"time"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// checkSimBurn warns when an endpoint's simulated behaviour alone burns one
// of its SLOs at or above the factor of the SLO's slowest enabled tier: the
// demo would alert on itself, before any fault is injected.
func checkSimBurn(svc model.Service, path string, ps *problems) {
	for _, s := range svc.SLOs {
		low, ok := slo.LowestTier(s)
		if !ok || s.ErrorBudget() <= 0 {
			continue
		}
		factor := low.Factor(time.Duration(s.Period))
		for j, ep := range svc.Endpoints {
			if !contains(s.Endpoints, ep.Name) {
				continue
			}
			epPath := path + ".endpoints" + keyOrIndex(ep.Name, j) + ".sim"
			switch s.Kind {
			case model.Availability:
				if ep.Sim.ErrorRate < 0 || ep.Sim.ErrorRate > 1 {
					continue // an error of its own
				}
				if burn := slo.SimBurn(ep, s); burn >= factor {
					ps.warnf(epPath+".errorRate",
						fmt.Sprintf("lower errorRate below %s (the %s factor %sx of a %s%% objective's budget), or lower SLO %s's objective", slo.FormatFactorPercent(factor*s.ErrorBudget()), low.Name, slo.FormatFactor(factor), slo.FormatFloat(s.Objective), s.Name),
						"simulated error rate %s of endpoint %s burns SLO %s's budget at %sx, at or above its %s tier's %sx: the demo alerts by itself",
						slo.FormatFactorPercent(ep.Sim.ErrorRate), ep.Name, s.Name, slo.FormatFactor(burn), low.Name, slo.FormatFactor(factor))
				}
			case model.Latency:
				if s.Threshold <= 0 {
					continue // an error of its own
				}
				slow := slo.SlowShare(time.Duration(ep.Sim.Latency), time.Duration(ep.Sim.LatencyP99), time.Duration(s.Threshold))
				if burn := slo.SimBurn(ep, s); burn >= factor {
					ps.warnf(epPath+".latency",
						fmt.Sprintf("make the simulated latency faster (latency and latencyP99 well below %s), or raise SLO %s's threshold", model.Duration(s.Threshold), s.Name),
						"simulated latency of endpoint %s (median %s, p99 %s) puts %s of requests above SLO %s's %s threshold, burning its budget at %sx, at or above its %s tier's %sx: the demo alerts by itself",
						ep.Name, ep.Sim.Latency, ep.Sim.LatencyP99, slo.FormatFactorPercent(slow), s.Name, model.Duration(s.Threshold), slo.FormatFactor(burn), low.Name, slo.FormatFactor(factor))
				}
			}
		}
	}
}
