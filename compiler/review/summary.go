// Package review summarises a compiled stack for the people reviewing a
// change to the spec: REVIEW.md (dashboards with their queries, SLOs with
// their budgets and alerts, the route tree, the worst-case series count)
// and an SVG picture of each dashboard's layout, both readable in a pull
// request without a Grafana server. The same Summary is what `stackc diff`
// compares between two versions of the spec.
package review

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	amconfig "github.com/prometheus/alertmanager/config"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/parallel"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/routing"
	"github.com/stackc/stackc/compiler/slo"
)

// Summary is what a reviewer needs to know about a stack, computed from
// the generated artifacts themselves (dashboards from the Grafana target,
// receivers from Alertmanager's own route tree).
type Summary struct {
	Dashboards []Dashboard
	SLOs       []SLO
	// Alerts are the alerts that belong to no SLO (target down, metrics absent).
	Alerts    []Alert
	Routes    Route
	Receivers []Receiver
	Series    []slo.SeriesCount
	// SeriesTotal is the sum of Series; SeriesBudget the spec's limit.
	SeriesTotal, SeriesBudget int
	// Simulation says how the SLOs' timelines were simulated; nil without them.
	Simulation *SimulationInfo
	// HA describes an HA stack's servers and where the queries below run;
	// empty for a single Prometheus and Alertmanager.
	HA string
}

// Dashboard is one generated dashboard.
type Dashboard struct {
	UID, Title string
	Variables  []Variable
	Rows       []Row
}

// Variable is a dashboard template variable.
type Variable struct {
	Name, Type, Query string
}

// String describes the variable in a sentence fragment.
func (v Variable) String() string {
	if v.Type == "datasource" {
		return fmt.Sprintf("$%s (%s data sources)", v.Name, v.Query)
	}
	return fmt.Sprintf("$%s (%s: %s)", v.Name, v.Type, v.Query)
}

// Row is a dashboard row; panels before the first row sit in a row with no title.
type Row struct {
	Title  string
	Y      uint32
	Panels []Panel
}

// Panel is one panel: what it shows and where.
type Panel struct {
	ID                uint32
	Title, Type, Unit string
	X, Y, W, H        uint32
	Queries           []string
	// Legends are the queries' legend formats, in the same order.
	Legends []string
	// Thresholds are the panel's threshold steps above its base color.
	Thresholds []float64
}

// SLO is one objective with its alerts.
type SLO struct {
	Service, Name, Kind, Description string
	Endpoints                        []string
	// Objective is in percent; Budget the allowed share of bad events.
	Objective float64
	Budget    float64
	Period    string
	// Outage is how long a full outage the budget allows per period.
	Outage    string
	Threshold string
	// Bad and Total are a raw SLO's queries of its bad and all events.
	Bad, Total   string
	MinEventRate float64
	MinBadEvents float64
	// AlertName is the burn-rate alert every tier shares.
	AlertName string
	Tiers     []Tier
	// Disabled lists tiers the spec turned off.
	Disabled []string
	// Timelines are the simulated incidents, one per incident shape.
	Timelines []Timeline
	// NotSimulated says why the simulation left the SLO out ("" when it did not).
	NotSimulated string
}

// Tier is one burn-rate tier of an SLO's alert.
type Tier struct {
	Name, Severity string
	Long, Short    string
	// Factor is the burn rate that fires; Ratio the error ratio it means.
	Factor, Ratio float64
	CanFire       bool
	Receivers     []string
	SilencedBy    []string
}

// Alert is an alert outside any SLO.
type Alert struct {
	Name, Severity, Service string
	Receivers               []string
	SilencedBy              []string
}

// Route is a node of Alertmanager's route tree.
type Route struct {
	Matchers string
	Receiver string
	Continue bool
	// Timing says group_wait, group_interval and repeat_interval where set.
	Timing string
	Routes []Route
}

// Receiver is a notification target, described without secrets.
type Receiver struct {
	Name, Type, Target string
}

// Summarize computes the summary of st from the artifacts of the Grafana
// and Alertmanager targets (prior): the dashboards as written, and the
// route tree and receivers of alertmanager.yml as Alertmanager's own loader
// reads it.
func Summarize(st *model.Stack, prior artifact.Reader) (*Summary, error) {
	s := &Summary{SeriesBudget: st.SeriesBudget, HA: haSummary(st)}
	var paths []string
	for _, svc := range st.Services {
		for _, kind := range []string{slo.DashboardOverview, slo.DashboardSLOs} {
			if kind == slo.DashboardSLOs && len(svc.SLOs) == 0 {
				continue
			}
			paths = append(paths, slo.DashboardPath(slo.DashboardUID(svc.Name, kind)))
		}
	}
	// Dashboards are read on every core: decoding them is most of the work.
	s.Dashboards = make([]Dashboard, len(paths))
	err := parallel.Each(len(paths), func(i int) error {
		data, err := prior.Read(paths[i])
		if err != nil {
			return fmt.Errorf("internal: %w", err)
		}
		if s.Dashboards[i], err = summarizeDashboard(data); err != nil {
			return fmt.Errorf("%s: %w", paths[i], err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	data, err := prior.Read(slo.AlertmanagerConfigPath)
	if err != nil {
		return nil, fmt.Errorf("internal: %w", err)
	}
	cfg, err := routing.LoadConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", slo.AlertmanagerConfigPath, err)
	}
	alerts := slo.Alerts(st)
	routed := map[string]routing.Expectation{}
	for _, e := range routing.Expectations(alerts, cfg) {
		routed[e.Alert.Display()] = e
	}
	inSLO := map[string]bool{}
	for _, svc := range st.Services {
		for _, o := range svc.SLOs {
			sum := summarizeSLO(svc, o, routed)
			inSLO[sum.AlertName] = true
			s.SLOs = append(s.SLOs, sum)
		}
	}
	for _, a := range alerts {
		if inSLO[a.Name] {
			continue
		}
		e := routed[a.Display()]
		s.Alerts = append(s.Alerts, Alert{Name: a.Name, Severity: a.Labels[slo.LabelSeverity], Service: a.Labels[slo.LabelService],
			Receivers: e.Receivers, SilencedBy: displays(e.SilencedBy)})
	}
	s.Routes = summarizeRoute(cfg.Route)
	for _, r := range st.Alerting.Receivers {
		s.Receivers = append(s.Receivers, summarizeReceiver(r))
	}
	s.Series = slo.WorstCaseSeries(st)
	for _, c := range s.Series {
		s.SeriesTotal += c.Series
	}
	if err := addTimelines(s, prior); err != nil {
		return nil, err
	}
	return s, nil
}

func displays(as []slo.Alert) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Display()
	}
	return out
}

// outage is how long a full outage the budget allows per period, to the
// minute, or to the second when that is under a minute: a 99.999% objective
// allows 26s per 30d, not 0s.
func outage(period time.Duration, budget float64) string {
	d := time.Duration(float64(period) * budget)
	if d.Round(time.Minute) >= time.Minute {
		d = d.Round(time.Minute)
	} else {
		d = d.Round(time.Second)
	}
	return model.Duration(d).String()
}

func summarizeSLO(svc model.Service, o model.SLO, routed map[string]routing.Expectation) SLO {
	period := time.Duration(o.Period)
	s := SLO{
		Service: svc.Name, Name: o.Name, Kind: string(o.Kind), Description: o.Description,
		Endpoints: o.Endpoints, Objective: o.Objective, Budget: o.ErrorBudget(), Period: slo.FormatPeriod(period),
		Outage:       outage(period, o.ErrorBudget()),
		MinEventRate: o.MinEventRate, MinBadEvents: o.MinBadEvents, AlertName: slo.BurnAlertName(o), Disabled: o.DisabledTiers,
	}
	switch o.Kind {
	case model.Latency:
		s.Threshold = o.Threshold.String()
	case model.Raw:
		s.Bad, s.Total = o.Bad, o.Total
	}
	for _, t := range slo.EnabledTiers(o) {
		// The tier's condition is carried by the alert of its severity.
		a := slo.Alert{Name: s.AlertName, Labels: map[string]string{slo.LabelTier: slo.BurnAlert{Severity: t.Severity}.TierLabel()}}
		e := routed[a.Display()]
		s.Tiers = append(s.Tiers, Tier{
			Name: t.Name, Severity: string(t.Severity),
			Long: model.Duration(t.Long).String(), Short: model.Duration(t.Short).String(),
			Factor: t.Factor(period), Ratio: t.Threshold(o), CanFire: t.CanFire(o),
			Receivers: e.Receivers, SilencedBy: displays(e.SilencedBy),
		})
	}
	return s
}

// dashboardJSON is the part of a generated dashboard's JSON that review
// shows; the rest of the file is not decoded.
type dashboardJSON struct {
	UID        string `json:"uid"`
	Title      string `json:"title"`
	Templating struct {
		List []struct {
			Name  string          `json:"name"`
			Type  string          `json:"type"`
			Query json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
	Panels []panelJSON `json:"panels"`
}

type panelJSON struct {
	ID      uint32 `json:"id"`
	Title   string `json:"title"`
	Type    string `json:"type"`
	GridPos *struct {
		X uint32 `json:"x"`
		Y uint32 `json:"y"`
		W uint32 `json:"w"`
		H uint32 `json:"h"`
	} `json:"gridPos"`
	FieldConfig *struct {
		Defaults struct {
			Unit       string `json:"unit"`
			Thresholds *struct {
				Steps []struct {
					Value *float64 `json:"value"`
				} `json:"steps"`
			} `json:"thresholds"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
	Targets []struct {
		Expr         *string `json:"expr"`
		LegendFormat string  `json:"legendFormat"`
	} `json:"targets"`
	// Panels are a row's panels when it is collapsed.
	Panels []panelJSON `json:"panels"`
}

func summarizeDashboard(data []byte) (Dashboard, error) {
	var d dashboardJSON
	if err := json.Unmarshal(data, &d); err != nil {
		return Dashboard{}, err
	}
	out := Dashboard{UID: d.UID, Title: d.Title}
	for _, v := range d.Templating.List {
		var q string
		if err := json.Unmarshal(v.Query, &q); err != nil {
			q = ""
		}
		out.Variables = append(out.Variables, Variable{Name: v.Name, Type: v.Type, Query: q})
	}
	var cur *Row
	for _, p := range d.Panels {
		switch {
		case p.Type == "row":
			var y uint32
			if p.GridPos != nil {
				y = p.GridPos.Y
			}
			out.Rows = append(out.Rows, Row{Title: p.Title, Y: y})
			cur = &out.Rows[len(out.Rows)-1]
			for _, c := range p.Panels {
				cur.Panels = append(cur.Panels, summarizePanel(c))
			}
		default:
			if cur == nil {
				out.Rows = append(out.Rows, Row{})
				cur = &out.Rows[len(out.Rows)-1]
			}
			cur.Panels = append(cur.Panels, summarizePanel(p))
		}
	}
	return out, nil
}

func summarizePanel(p panelJSON) Panel {
	out := Panel{ID: p.ID, Title: p.Title, Type: p.Type}
	if p.FieldConfig != nil {
		out.Unit = p.FieldConfig.Defaults.Unit
		if th := p.FieldConfig.Defaults.Thresholds; th != nil {
			for _, st := range th.Steps {
				if st.Value != nil {
					out.Thresholds = append(out.Thresholds, *st.Value)
				}
			}
		}
	}
	if p.GridPos != nil {
		out.X, out.Y, out.W, out.H = p.GridPos.X, p.GridPos.Y, p.GridPos.W, p.GridPos.H
	}
	for _, t := range p.Targets {
		if t.Expr == nil {
			continue
		}
		out.Queries = append(out.Queries, *t.Expr)
		out.Legends = append(out.Legends, t.LegendFormat)
	}
	return out
}

func summarizeRoute(r *amconfig.Route) Route {
	out := Route{Receiver: r.Receiver, Continue: r.Continue}
	var ms []string
	for _, m := range r.AllMatchers() {
		ms = append(ms, m.String())
	}
	sort.Strings(ms)
	out.Matchers = strings.Join(ms, ", ")
	var timing []string
	if r.GroupWait != nil {
		timing = append(timing, "group_wait "+r.GroupWait.String())
	}
	if r.GroupInterval != nil {
		timing = append(timing, "group_interval "+r.GroupInterval.String())
	}
	if r.RepeatInterval != nil {
		timing = append(timing, "repeat_interval "+r.RepeatInterval.String())
	}
	if len(r.GroupByStr) > 0 {
		timing = append([]string{"grouped by " + strings.Join(r.GroupByStr, ", ")}, timing...)
	}
	out.Timing = strings.Join(timing, ", ")
	for _, c := range r.Routes {
		out.Routes = append(out.Routes, summarizeRoute(c))
	}
	return out
}

// summarizeReceiver names where a receiver sends, never a secret: secrets
// are file references in the spec, and only the reference is shown.
func summarizeReceiver(r model.Receiver) Receiver {
	out := Receiver{Name: r.Name, Type: string(r.Type)}
	switch r.Type {
	case model.Webhook:
		out.Target = r.URL
		if r.URLFile != "" {
			out.Target = "URL from file " + r.URLFile
		}
	case model.Email:
		out.Target = fmt.Sprintf("%s via %s", r.To, r.Smarthost)
	case model.Slack:
		out.Target = r.Channel
	case model.PagerDuty:
		out.Target = "routing key from file " + r.RoutingKeyFile
	}
	return out
}

// haSummary says what runs highly available and where this review's
// queries run: Thanos Query deduplicates the replicas' series, which carry
// the external label slo.ReplicaLabel.
func haSummary(st *model.Stack) string {
	h := st.HA
	if h == nil {
		return ""
	}
	out := fmt.Sprintf("%d Prometheus replicas (external label `%s`, dropped from alerts) sending to a cluster of %d Alertmanagers",
		len(h.Prometheus), slo.ReplicaLabel, len(h.Alertmanagers))
	if h.Thanos {
		out += fmt.Sprintf("; the queries below run on Thanos Query (port %d), deduplicated on `%s`, which Grafana reads", h.ThanosQuery.Port, slo.ReplicaLabel)
	} else {
		out += "; the queries below run on any replica"
	}
	return out
}
