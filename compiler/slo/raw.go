package slo

import (
	"errors"
	"fmt"
	"strings"

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
