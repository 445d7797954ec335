package slo

import (
	"strconv"
	"time"

	prommodel "github.com/prometheus/common/model"
)

// How every target writes periods, durations and numbers, so that a rule
// annotation, a dashboard, routing.md and REVIEW.md print the same value
// the same way.

// FormatDuration writes d as Prometheus and the spec write durations:
// 5m, 1h30m, 4w.
func FormatDuration(d time.Duration) string { return prommodel.Duration(d).String() }

// FormatPeriod writes an SLO period in days, the way specs write it (28d,
// not Prometheus's 4w); a period that is not whole days falls back to
// FormatDuration.
func FormatPeriod(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return FormatDuration(d)
}

// FormatFloat writes a number that comes from the spec or is computed
// exactly from it (an objective, an error budget, a bucket bound) for
// PromQL, YAML and prose: 12 significant digits, so the float noise of
// 1 - 0.999 = 0.0010000000000000009 prints as 0.001.
func FormatFloat(f float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 12, 64), 64)
	return strconv.FormatFloat(r, 'g', -1, 64)
}

// FormatPercent writes a ratio as a percentage with FormatFloat's
// precision: 0.999 -> 99.9%.
func FormatPercent(ratio float64) string { return FormatFloat(ratio*100) + "%" }

// FormatFactor writes a derived number for people (a burn factor, the
// error ratio it means): 4 significant digits, 0.9333 rather than
// 0.9333333333.
func FormatFactor(f float64) string { return strconv.FormatFloat(f, 'g', 4, 64) }

// FormatFactorPercent writes a derived ratio as a percentage with
// FormatFactor's precision: 0.428571 -> 42.86%.
func FormatFactorPercent(ratio float64) string { return FormatFactor(ratio*100) + "%" }
