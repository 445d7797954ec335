package grafana

import (
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/prometheus"
	"github.com/stackc/stackc/compiler/promlint"
)

// catalogOf is every series a panel may query: the scraped series, the
// recording rules and ALERTS, as the Prometheus target defines them.
func catalogOf(st *model.Stack) *promlint.Catalog { return prometheus.Catalog(st) }
