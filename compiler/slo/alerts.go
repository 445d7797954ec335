package slo

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	prommodel "github.com/prometheus/common/model"

	"github.com/stackc/stackc/compiler/model"
)

// Alert is one distinct label set the generated Prometheus rules can emit:
// an SLO has a page and a ticket burn-rate alert (each ORs the tiers of its
// severity, BurnAlerts), which differ in the severity and tier labels.
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

// String writes the alert as amtool reads labels: alertname=X k=v ...,
// keys sorted, a value that is not a plain word double-quoted (team="Platform
// Team"), as the matcher syntax wants it.
func (a Alert) String() string { return strings.Join(a.Args(), " ") }

// Args are the alert's labels as amtool arguments, one per label: the
// words of String.
func (a Alert) Args() []string {
	ls := a.LabelSet()
	names := make([]string, 0, len(ls))
	for k := range ls {
		if k != prommodel.AlertNameLabel {
			names = append(names, string(k))
		}
	}
	sort.Strings(names)
	args := []string{labelArg(string(prommodel.AlertNameLabel), a.Name)}
	for _, k := range names {
		args = append(args, labelArg(k, string(ls[prommodel.LabelName(k)])))
	}
	return args
}

var plainValueRE = regexp.MustCompile(`^[A-Za-z0-9_.:/@+-]+$`)

// labelArg writes one label as name=value, quoting a value that is not a
// plain word.
func labelArg(name, value string) string {
	if plainValueRE.MatchString(value) {
		return name + "=" + value
	}
	return name + "=" + strconv.Quote(value)
}

// Alerts enumerates every alert the generated rules can emit
// (AlertLabelSets), in spec order.
func Alerts(st *model.Stack) []Alert {
	var out []Alert
	for _, ls := range AlertLabelSets(st) {
		a := Alert{Name: ls["alertname"], Labels: map[string]string{}}
		for k, v := range ls {
			if k != "alertname" {
				a.Labels[k] = v
			}
		}
		out = append(out, a)
	}
	return out
}

// Display names an alert in prose: an SLO's page and ticket burn-rate
// alerts share their name, so the tier label (page or ticket) is added.
func (a Alert) Display() string {
	if tier := a.Labels[LabelTier]; tier != "" {
		return a.Name + " (" + tier + ")"
	}
	return a.Name
}
