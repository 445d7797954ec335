package grafana

import (
	"github.com/grafana/grafana-foundation-sdk/go/units"
)

// valueUnit is the Grafana unit of a metric's values, from the metric's base
// unit (the spec's unit field, read from the name suffix by default).
func valueUnit(base string) string {
	switch base {
	case "seconds":
		return units.Seconds
	case "bytes":
		return units.BytesIEC
	case "ratio":
		return units.PercentUnit
	case "euros":
		return units.Euro
	case "dollars":
		return units.Dollars
	case "celsius":
		return units.Celsius
	case "meters":
		return units.Meter
	case "volts":
		return units.Volt
	case "amperes":
		return units.Ampere
	case "joules":
		return units.Joule
	case "grams":
		return units.Gram
	default:
		return units.Short
	}
}

// rateUnit is the Grafana unit of rate() over a counter of the base unit.
// Grafana has per-second units for counts and bytes; for other units the
// value unit is kept and the panel title says "per second".
func rateUnit(base string) (unit string, perSecondInTitle bool) {
	switch base {
	case "":
		return units.OpsPerSecond, false
	case "bytes":
		return units.BytesPerSecondIEC, false
	case "seconds":
		// Seconds per second: the share of time spent, e.g. busy time.
		return units.PercentUnit, false
	default:
		return valueUnit(base), true
	}
}
