package grafana

import (
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/promlint"
)

// catalogOf is every series a panel may query: the scraped series, the
// recording rules and ALERTS (promlint.Queryable, the same catalog the
// Prometheus target checks its rules against).
func catalogOf(st *model.Stack) *promlint.Catalog { return promlint.Queryable(st) }
