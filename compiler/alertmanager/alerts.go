package alertmanager

import (
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Alert is one distinct label set the generated Prometheus rules can emit
// (slo.Alert).
type Alert = slo.Alert

// Alerts enumerates every alert the generated rules can emit (slo.Alerts).
func Alerts(st *model.Stack) []Alert { return slo.Alerts(st) }
