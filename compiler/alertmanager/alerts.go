package alertmanager

import (
	"sort"
	"strings"

	prommodel "github.com/prometheus/common/model"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Alert is one distinct label set the generated Prometheus rules can emit:
// burn-rate alerts differ per tier, so each tier is its own Alert.
type Alert struct {
	// Name is the alertname.
	Name string
	// Labels are the alert's routing labels, without alertname.
	Labels map[string]string
}

// LabelSet returns the alert's labels including alertname, as Alertmanager sees them.
func (a Alert) LabelSet() prommodel.LabelSet {
	ls := prommodel.LabelSet{prommodel.AlertNameLabel: prommodel.LabelValue(a.Name)}
	for k, v := range a.Labels {
		ls[prommodel.LabelName(k)] = prommodel.LabelValue(v)
	}
	return ls
}

// String writes the alert as amtool reads labels: alertname=X k=v ..., keys sorted.
func (a Alert) String() string {
	ls := a.LabelSet()
	names := make([]string, 0, len(ls))
	for k := range ls {
		if k != prommodel.AlertNameLabel {
			names = append(names, string(k))
		}
	}
	sort.Strings(names)
	parts := []string{"alertname=" + a.Name}
	for _, k := range names {
		parts = append(parts, k+"="+string(ls[prommodel.LabelName(k)]))
	}
	return strings.Join(parts, " ")
}

// Alerts enumerates every alert the generated rules can emit, in spec
// order: per service its SLOs' burn-rate alerts (one per enabled tier,
// fastest first), then target-down and metrics-absent. Target-down pages:
// the service cannot be observed, so its SLO alerts are blind. Metrics-absent
// (no scrape target at all) is a configuration fault and opens a ticket.
// Neither carries an slo label, which keeps the SLO-only inhibitions off
// them. The tests check this list against the Prometheus target's rules.
func Alerts(st *model.Stack) []Alert {
	var out []Alert
	for _, svc := range st.Services {
		for _, s := range svc.SLOs {
			for _, t := range slo.EnabledTiers(s) {
				out = append(out, Alert{Name: slo.BurnAlertName(s), Labels: withStatic(svc, map[string]string{
					slo.LabelSeverity: string(t.Severity),
					slo.LabelTier:     t.Name,
					slo.LabelService:  svc.Name,
					slo.LabelTeam:     svc.Team,
					slo.LabelSLO:      s.Name,
				})})
			}
		}
		health := []struct {
			name     string
			severity slo.Severity
		}{
			{slo.TargetDownAlertName(svc), slo.Page},
			{slo.MetricsAbsentAlertName(svc), slo.Ticket},
		}
		for _, h := range health {
			out = append(out, Alert{Name: h.name, Labels: withStatic(svc, map[string]string{
				slo.LabelSeverity: string(h.severity),
				slo.LabelService:  svc.Name,
				slo.LabelTeam:     svc.Team,
			})})
		}
	}
	return out
}

// withStatic adds the service's static labels (env, cluster, ...), which
// the Prometheus rules put on every alert, to labels.
func withStatic(svc model.Service, labels map[string]string) map[string]string {
	for k, v := range svc.Labels {
		if _, ok := labels[k]; !ok {
			labels[k] = v
		}
	}
	return labels
}
