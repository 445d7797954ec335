// Package routing answers what Alertmanager does with the alerts the
// generated rules can emit: which receivers it notifies and which other
// alerts silence them. It uses the alertmanager module's own config loader,
// route tree and inhibit rules. The Alertmanager target writes routing.md
// with it, and review reads the Alertmanager target's config through it;
// it is a library, not a target.
package routing

import (
	"log/slog"
	"sync"

	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/alertmanager/featurecontrol"
	"github.com/prometheus/alertmanager/matcher/compat"
	prommodel "github.com/prometheus/common/model"

	"github.com/stackc/stackc/compiler/slo"
)

// Expectation is where one alert goes: the receivers Alertmanager notifies,
// in route order, and the alerts whose firing silences it.
type Expectation struct {
	Alert     slo.Alert
	Receivers []string
	// SilencedBy are the alerts (of the same stack) that inhibit this one.
	SilencedBy []slo.Alert
}

// Expectations routes every alert through cfg with the module's own
// route tree (dispatch.NewRoute + Match, as amtool does) and evaluates the
// inhibit rules, as parsed by the module, between the alerts (silencedBy).
func Expectations(alerts []slo.Alert, cfg *config.Config) []Expectation {
	tree := dispatch.NewRoute(cfg.Route, nil)
	sets := make([]prommodel.LabelSet, len(alerts))
	for i, a := range alerts {
		sets[i] = a.LabelSet()
	}
	silencers := SilencedBy(cfg.InhibitRules, sets)
	out := make([]Expectation, len(alerts))
	for i, a := range alerts {
		e := Expectation{Alert: a}
		for _, r := range tree.Match(sets[i]) {
			e.Receivers = append(e.Receivers, r.RouteOpts.Receiver)
		}
		for _, j := range silencers[i] {
			e.SilencedBy = append(e.SilencedBy, alerts[j])
		}
		out[i] = e
	}
	return out
}

var initMatchers sync.Once

// LoadConfig parses an alertmanager.yml with the module's loader, with
// matchers parsed the way the alertmanager and amtool binaries parse them
// (UTF-8 parser with fallback to the classic one).
func LoadConfig(data []byte) (*config.Config, error) {
	initMatchers.Do(func() {
		compat.InitFromFlags(slog.New(slog.DiscardHandler), featurecontrol.NoopFlags{})
	})
	return config.Load(string(data))
}
