package slo

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/stackc/stackc/compiler/model"
)

// WindowPlaceholder stands for the rate window in a raw SLI's PromQL
// (Sloth's notation): sum(rate(payments_failed_total[{{.window}}])).
const WindowPlaceholder = "{{.window}}"

// promql is safe for concurrent use: it holds only immutable options.
var promql = parser.NewParser(parser.Options{})

// RawQuery is a raw SLI expression parsed with Prometheus's parser, with
// the window placeholder replaced and every selector confined to the
// service's scraped series.
type RawQuery struct {
	// Expr is the parsed expression.
	Expr parser.Expr
	// Selectors are its vector selectors, in order of appearance.
	Selectors []*parser.VectorSelector
}

// String renders the expression as Prometheus prints it.
func (q RawQuery) String() string { return q.Expr.String() }

// ParseRaw parses a raw SLI query of svc for window: it must hold the
// window placeholder and at least one selector naming its metric. Each
// selector without a job matcher gets svc's job and extra selector
// (SelectorMatchers), so the query reads the service's own series.
func ParseRaw(svc model.Service, query, window string) (RawQuery, error) {
	if strings.TrimSpace(query) == "" {
		return RawQuery{}, errors.New("the query is empty")
	}
	if !strings.Contains(query, WindowPlaceholder) {
		return RawQuery{}, fmt.Errorf("the query has no window placeholder %s", WindowPlaceholder)
	}
	expr, err := promql.ParseExpr(strings.ReplaceAll(query, WindowPlaceholder, window))
	if err != nil {
		return RawQuery{}, fmt.Errorf("the query does not parse: %w", err)
	}
	if err := rateOnly(query); err != nil {
		return RawQuery{}, err
	}
	var q RawQuery
	q.Expr = expr
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			q.Selectors = append(q.Selectors, vs)
		}
		return nil
	})
	if len(q.Selectors) == 0 {
		return RawQuery{}, errors.New("the query selects no series")
	}
	scope := []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "job", Job(svc))}
	for _, k := range sortedKeys(svc.Selector) {
		scope = append(scope, labels.MustNewMatcher(labels.MatchEqual, k, svc.Selector[k]))
	}
	for _, vs := range q.Selectors {
		if MetricOf(vs) == "" {
			return RawQuery{}, fmt.Errorf("selector %s does not name its metric", vs)
		}
		hasJob := false
		for _, m := range vs.LabelMatchers {
			hasJob = hasJob || m.Name == "job"
		}
		if !hasJob {
			vs.LabelMatchers = append(vs.LabelMatchers, scope...)
		}
	}
	return q, nil
}

// sentinelWindow stands for the window placeholder when rateOnly looks
// for where the query uses it: a range no query writes by hand.
const sentinelWindow = "8765431s"

// rateOnly refuses a query that uses the window placeholder other than as
// the range of rate(): the rules read a raw SLI as a per-second rate over
// any window (rate over the counters, exact at the window's edges) and
// count its events as that rate times the window's seconds, which is what
// increase() computes. increase(), irate(), *_over_time or a subquery over
// the window would make those counts wrong.
func rateOnly(query string) error {
	expr, err := promql.ParseExpr(strings.ReplaceAll(query, WindowPlaceholder, sentinelWindow))
	if err != nil {
		return fmt.Errorf("the query does not parse: %w", err)
	}
	sentinel, _ := model.ParseDuration(sentinelWindow)
	var bad []string
	parser.Inspect(expr, func(n parser.Node, path []parser.Node) error {
		var rng time.Duration
		switch n := n.(type) {
		case *parser.MatrixSelector:
			rng = n.Range
		case *parser.SubqueryExpr:
			rng = n.Range
		default:
			return nil
		}
		if rng != time.Duration(sentinel) {
			return nil
		}
		shown := n.String()
		if len(path) > 0 {
			if call, ok := path[len(path)-1].(*parser.Call); ok {
				if _, matrix := n.(*parser.MatrixSelector); matrix && call.Func.Name == "rate" {
					return nil
				}
				shown = call.String()
			}
		}
		bad = append(bad, strings.ReplaceAll(shown, sentinel.String(), WindowPlaceholder))
		return nil
	})
	if len(bad) > 0 {
		return fmt.Errorf("the window placeholder may only be the range of rate() (the query is a per-second rate), not in %s", strings.Join(bad, ", "))
	}
	return nil
}

// MetricOf returns the metric a selector names ("" when none).
func MetricOf(vs *parser.VectorSelector) string {
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return vs.Name
}

// RawQueries returns the bad and total queries of a raw SLO over window.
func RawQueries(svc model.Service, s model.SLO, window string) (bad, total RawQuery, err error) {
	if bad, err = ParseRaw(svc, s.Bad, window); err != nil {
		return bad, total, fmt.Errorf("bad: %w", err)
	}
	if total, err = ParseRaw(svc, s.Total, window); err != nil {
		return bad, total, fmt.Errorf("total: %w", err)
	}
	return bad, total, nil
}
