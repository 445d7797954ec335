package spec

import (
	"sort"

	"github.com/stackc/stackc/compiler/model"
)

// document is the spec's JSON shape. It differs from model.Stack only where
// the spec is friendlier to write: receivers are an object keyed by name.
type document struct {
	ScrapeInterval     model.Duration    `json:"scrapeInterval"`
	EvaluationInterval model.Duration    `json:"evaluationInterval"`
	SeriesBudget       int               `json:"seriesBudget"`
	Labels             map[string]string `json:"labels"`
	Network            model.Network     `json:"network"`
	Services           []model.Service   `json:"services"`
	Alerting           alertingDoc       `json:"alerting"`
	Kubernetes         *model.Kubernetes `json:"kubernetes"`
	Ruler              *model.Ruler      `json:"ruler"`
	HA                 *model.HA         `json:"ha"`
}

type alertingDoc struct {
	DefaultReceiver string                    `json:"defaultReceiver"`
	GroupBy         []string                  `json:"groupBy"`
	GroupWait       model.Duration            `json:"groupWait"`
	GroupInterval   model.Duration            `json:"groupInterval"`
	RepeatInterval  model.Duration            `json:"repeatInterval"`
	Receivers       map[string]model.Receiver `json:"receivers"`
	Routes          []model.Route             `json:"routes"`
}

func (d *document) toModel(ps *problems) *model.Stack {
	st := &model.Stack{
		ScrapeInterval:     d.ScrapeInterval,
		EvaluationInterval: d.EvaluationInterval,
		SeriesBudget:       d.SeriesBudget,
		Labels:             d.Labels,
		Network:            d.Network,
		Services:           d.Services,
		Alerting: model.Alerting{
			DefaultReceiver: d.Alerting.DefaultReceiver,
			GroupBy:         d.Alerting.GroupBy,
			GroupWait:       d.Alerting.GroupWait,
			GroupInterval:   d.Alerting.GroupInterval,
			RepeatInterval:  d.Alerting.RepeatInterval,
			Routes:          d.Alerting.Routes,
		},
		Kubernetes: d.Kubernetes,
		Ruler:      d.Ruler,
		HA:         d.HA,
	}
	names := make([]string, 0, len(d.Alerting.Receivers))
	for name := range d.Alerting.Receivers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		r := d.Alerting.Receivers[name]
		if r.Name != "" && r.Name != name {
			ps.errorf("alerting.receivers."+name+".name", "drop the name field; the key names the receiver",
				"receiver is keyed %q but named %q", name, r.Name)
		}
		r.Name = name
		st.Alerting.Receivers = append(st.Alerting.Receivers, r)
	}
	return st
}
