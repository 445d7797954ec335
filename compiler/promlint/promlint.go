// Package promlint checks the PromQL the compiler emits against the series
// that will really exist, so a typo in a metric or label name is a compile
// error instead of a silently empty graph or an alert that can never fire.
//
// The API (stable; the Prometheus and Grafana targets both use it):
//
//	cat := promlint.NewCatalog()          // empty catalog
//	cat.Add("http_requests_total", "endpoint", "method", "code")
//	cat := promlint.ForStack(st)          // every scraped series of a model
//	err := promlint.Check(expr, cat)      // nil, or every problem found
//	cat.Has(name); cat.Labels(name); cat.Metrics(); cat.Clone()
//
// ForStack knows the scraped series only: the automatic RED metrics, each
// business metric with its type's suffixes (_bucket/_sum/_count for
// histograms, quantile/_sum/_count for summaries), and the series Prometheus
// writes for every scrape (up, scrape_duration_seconds, ...). Every scraped
// series carries job and instance, and the target labels service and team
// the generated scrape config attaches. Series defined by recording rules
// are added by the target that defines them (prometheus.Catalog adds its
// recording rules to ForStack's catalog).
//
// Check parses expr with Prometheus's own parser and verifies that
//   - every vector selector names its metric (no bare {__name__=~...}) and
//     the metric is in the catalog;
//   - every label a selector matches on exists on that metric;
//   - every label of by(...), on(...), ignoring(...) and group_x(...) exists
//     on the operand it refers to, as far as the labels can be followed
//     through functions and aggregations.
//
// Check needs plain PromQL: Grafana macros such as $__rate_interval must be
// replaced by a duration (e.g. 5m) before checking; "$var" inside a quoted
// label value is fine as it is.
package promlint

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Catalog is the set of known series names, each with the label names its
// series may carry. The zero value is not usable; call NewCatalog.
type Catalog struct {
	metrics map[string]map[string]bool
}

// NewCatalog returns an empty catalog.
func NewCatalog() *Catalog { return &Catalog{metrics: map[string]map[string]bool{}} }

// Add declares metric with the given label names; adding a known metric
// again merges the label names.
func (c *Catalog) Add(metric string, labelNames ...string) {
	set := c.metrics[metric]
	if set == nil {
		set = map[string]bool{}
		c.metrics[metric] = set
	}
	for _, l := range labelNames {
		set[l] = true
	}
}

// Has reports whether metric is known.
func (c *Catalog) Has(metric string) bool {
	_, ok := c.metrics[metric]
	return ok
}

// Labels returns the sorted label names of metric (nil when unknown).
func (c *Catalog) Labels(metric string) []string {
	set, ok := c.metrics[metric]
	if !ok {
		return nil
	}
	return slices.Sorted(maps.Keys(set))
}

// Metrics returns every known metric name, sorted.
func (c *Catalog) Metrics() []string { return slices.Sorted(maps.Keys(c.metrics)) }

// Clone returns an independent copy, so a target can extend a shared catalog.
func (c *Catalog) Clone() *Catalog {
	out := NewCatalog()
	for m, set := range c.metrics {
		out.metrics[m] = maps.Clone(set)
	}
	return out
}

// TargetLabels are the labels every scraped series carries: job and
// instance from Prometheus, service and team from the scrape config (and
// the spec's static labels, which ForStack adds).
var TargetLabels = []string{"job", "instance", slo.LabelService, slo.LabelTeam}

// scrapeSeries are the series Prometheus itself writes for every target.
var scrapeSeries = []string{"up", "scrape_duration_seconds", "scrape_samples_scraped",
	"scrape_samples_post_metric_relabeling", "scrape_series_added"}

// ForStack returns the catalog of every series scraped from st's services.
func ForStack(st *model.Stack) *Catalog {
	c := NewCatalog()
	// The spec's static labels and the services' selector labels are
	// target labels too.
	target := append(slices.Clone(TargetLabels), st.StaticLabelNames()...)
	for _, svc := range st.Services {
		for k := range svc.Selector {
			target = append(target, k)
		}
	}
	add := func(metric string, labelNames ...string) {
		c.Add(metric, append(slices.Clone(target), labelNames...)...)
	}
	for _, s := range scrapeSeries {
		add(s)
	}
	for _, svc := range st.Services {
		in := slo.InstrumentationOf(svc)
		dl := in.DurationLabelNames()
		add(in.Requests, in.RequestLabelNames()...)
		if in.Bucketed(svc) {
			add(in.Duration+"_bucket", append(slices.Clone(dl), "le")...)
		}
		add(in.Duration+"_sum", dl...)
		add(in.Duration+"_count", dl...)
		if svc.NativeHistograms {
			add(in.Duration, dl...)
		}
		if in.InFlight != "" {
			add(in.InFlight, in.EndpointLabel, in.MethodLabel)
		}
		if in.Presence != in.Requests {
			add(in.Presence)
		}
		for _, m := range svc.Metrics {
			names := make([]string, len(m.Labels))
			for i, l := range m.Labels {
				names[i] = l.Name
			}
			switch m.Type {
			case model.Histogram:
				add(m.Name+"_bucket", append(slices.Clone(names), "le")...)
				add(m.Name+"_sum", names...)
				add(m.Name+"_count", names...)
			case model.Summary:
				add(m.Name, append(slices.Clone(names), "quantile")...)
				add(m.Name+"_sum", names...)
				add(m.Name+"_count", names...)
			default:
				add(m.Name, names...)
			}
		}
	}
	return c
}

// Queryable returns the catalog of every series the stack's PromQL may
// use: the scraped series (ForStack), the series the generated recording
// rules write (the names in package slo), and ALERTS. Rules, dashboards and
// generated tests are all checked against it.
func Queryable(st *model.Stack) *Catalog {
	cat := ForStack(st)
	cat.Add(slo.REDRequestsRate, slo.LabelService, slo.LabelEndpoint)
	cat.Add(slo.REDErrorRatio, slo.LabelService, slo.LabelEndpoint)
	cat.Add(slo.REDLatencyQuantile, slo.LabelService, slo.LabelEndpoint, "quantile")
	names := []string{slo.ErrorsRate5m, slo.RequestsRate5m,
		slo.ErrorsIncrease(slo.ChunkWindow), slo.RequestsIncrease(slo.ChunkWindow), slo.ChunkTimestamp,
		slo.Objective, slo.ErrorBudget, slo.PeriodBurnRate, slo.BudgetRemaining}
	periods := map[model.Duration]bool{}
	for _, svc := range st.Services {
		for _, s := range svc.SLOs {
			if periods[s.Period] {
				continue
			}
			periods[s.Period] = true
			for _, w := range slo.Windows(time.Duration(s.Period)) {
				names = append(names, slo.ErrorRatio(w))
			}
			for _, w := range slo.CountWindows(time.Duration(s.Period)) {
				names = append(names, slo.ErrorsIncrease(w), slo.RequestsIncrease(w))
			}
		}
	}
	for _, n := range names {
		cat.Add(n, slo.LabelService, slo.LabelSLO)
	}
	cat.Add(slo.TierBurnRate, slo.LabelService, slo.LabelSLO, slo.LabelTier)
	cat.Add("ALERTS", "alertname", "alertstate", slo.LabelSeverity, slo.LabelTier, slo.LabelService,
		slo.LabelTeam, slo.LabelSLO, "job", "instance")
	cat.Add("ALERTS_FOR_STATE", "alertname", slo.LabelSeverity, slo.LabelTier, slo.LabelService,
		slo.LabelTeam, slo.LabelSLO, "job", "instance")
	return cat
}

// promql is safe for concurrent use: it holds only immutable options.
var promql = parser.NewParser(parser.Options{})

// Check parses expr and verifies every metric and label name it uses
// against cat. The error lists every problem found.
func Check(expr string, cat *Catalog) error {
	node, err := promql.ParseExpr(expr)
	if err != nil {
		return fmt.Errorf("invalid PromQL: %w", err)
	}
	ch := checker{cat: cat}
	ch.labelsOf(node)
	return errors.Join(ch.errs...)
}

type checker struct {
	cat  *Catalog
	errs []error
}

// labelSet is the set of label names an expression's result may carry;
// nil means it could not be followed and label checks above it are skipped.
type labelSet map[string]bool

func (ch *checker) errorf(format string, args ...any) {
	ch.errs = append(ch.errs, fmt.Errorf(format, args...))
}

// require reports labels of names missing from set, naming where they are used.
func (ch *checker) require(set labelSet, names []string, where string) {
	if set == nil {
		return
	}
	for _, n := range names {
		if !set[n] {
			ch.errorf("%s: label %q does not exist there (labels: %s)", where, n, set)
		}
	}
}

func (s labelSet) String() string {
	if len(s) == 0 {
		return "none"
	}
	names := slices.Sorted(maps.Keys(s))
	return strings.Join(names, ", ")
}

func union(sets ...labelSet) labelSet {
	out := labelSet{}
	for _, s := range sets {
		if s == nil {
			return nil
		}
		maps.Copy(out, s)
	}
	return out
}

func (ch *checker) selector(vs *parser.VectorSelector) labelSet {
	name := vs.Name
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			name = m.Value
		}
	}
	if name == "" {
		ch.errorf("%s: selector does not name its metric", vs)
		return nil
	}
	set, ok := ch.cat.metrics[name]
	if !ok {
		ch.errorf("%s: unknown metric %q", vs, name)
		return nil
	}
	for _, m := range vs.LabelMatchers {
		if m.Name != labels.MetricName && !set[m.Name] {
			ch.errorf("%s: metric %q has no label %q (labels: %s)", vs, name, m.Name, labelSet(set))
		}
	}
	return maps.Clone(labelSet(set))
}

func (ch *checker) labelsOf(node parser.Node) labelSet {
	switch n := node.(type) {
	case *parser.VectorSelector:
		return ch.selector(n)
	case *parser.MatrixSelector:
		return ch.labelsOf(n.VectorSelector)
	case *parser.SubqueryExpr:
		return ch.labelsOf(n.Expr)
	case *parser.ParenExpr:
		return ch.labelsOf(n.Expr)
	case *parser.StepInvariantExpr:
		return ch.labelsOf(n.Expr)
	case *parser.UnaryExpr:
		return ch.labelsOf(n.Expr)
	case *parser.NumberLiteral, *parser.StringLiteral:
		return labelSet{}
	case *parser.Call:
		return ch.call(n)
	case *parser.AggregateExpr:
		return ch.aggregate(n)
	case *parser.BinaryExpr:
		return ch.binary(n)
	default:
		// Unknown node kinds: still check the selectors below them.
		for _, c := range parser.Children(node) {
			ch.labelsOf(c)
		}
		return nil
	}
}

func (ch *checker) call(n *parser.Call) labelSet {
	args := make([]labelSet, len(n.Args))
	for i, a := range n.Args {
		args[i] = ch.labelsOf(a)
	}
	str := func(i int) string {
		if i < len(n.Args) {
			if s, ok := n.Args[i].(*parser.StringLiteral); ok {
				return s.Val
			}
		}
		return ""
	}
	switch n.Func.Name {
	case "vector", "time", "scalar", "pi", "minute", "hour", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "month", "year":
		if len(args) == 0 || n.Func.Name == "vector" || n.Func.Name == "scalar" {
			return labelSet{}
		}
		return args[0]
	case "absent", "absent_over_time":
		// The result carries the selector's equality matchers only.
		out := labelSet{}
		parser.Inspect(n.Args[0], func(c parser.Node, _ []parser.Node) error {
			if vs, ok := c.(*parser.VectorSelector); ok {
				for _, m := range vs.LabelMatchers {
					if m.Type == labels.MatchEqual && m.Name != labels.MetricName {
						out[m.Name] = true
					}
				}
			}
			return nil
		})
		return out
	case "label_replace", "label_join":
		if dst := str(1); dst != "" && args[0] != nil {
			return union(args[0], labelSet{dst: true})
		}
		return nil
	case "histogram_quantile", "histogram_fraction":
		last := args[len(args)-1]
		if last == nil {
			return nil
		}
		out := maps.Clone(last)
		delete(out, "le")
		return out
	}
	// Every other function keeps the labels of its (first) vector argument.
	for i, a := range n.Args {
		if t := a.Type(); t == parser.ValueTypeVector || t == parser.ValueTypeMatrix {
			return args[i]
		}
	}
	return labelSet{}
}

func (ch *checker) aggregate(n *parser.AggregateExpr) labelSet {
	inner := ch.labelsOf(n.Expr)
	if n.Param != nil {
		ch.labelsOf(n.Param)
	}
	where := parser.ItemTypeStr[n.Op]
	if n.Without {
		ch.require(inner, n.Grouping, where+" without")
	} else {
		ch.require(inner, n.Grouping, where+" by")
	}
	switch n.Op {
	case parser.TOPK, parser.BOTTOMK, parser.LIMITK, parser.LIMIT_RATIO:
		return inner
	}
	var out labelSet
	if n.Without {
		if inner == nil {
			return nil
		}
		out = maps.Clone(inner)
		for _, g := range n.Grouping {
			delete(out, g)
		}
	} else {
		out = labelSet{}
		for _, g := range n.Grouping {
			out[g] = true
		}
	}
	if n.Op == parser.COUNT_VALUES {
		if s, ok := n.Param.(*parser.StringLiteral); ok {
			out[s.Val] = true
		}
	}
	return out
}

func (ch *checker) binary(n *parser.BinaryExpr) labelSet {
	lhs, rhs := ch.labelsOf(n.LHS), ch.labelsOf(n.RHS)
	lv := n.LHS.Type() == parser.ValueTypeVector
	rv := n.RHS.Type() == parser.ValueTypeVector
	switch {
	case lv && !rv:
		return lhs
	case rv && !lv:
		return rhs
	case !lv && !rv:
		return labelSet{}
	}
	m := n.VectorMatching
	if m == nil {
		return union(lhs, rhs)
	}
	op := parser.ItemTypeStr[n.Op]
	if m.On {
		ch.require(lhs, m.MatchingLabels, op+" on (left side)")
		ch.require(rhs, m.MatchingLabels, op+" on (right side)")
	}
	switch m.Card {
	case parser.CardManyToMany:
		if n.Op == parser.LOR {
			return union(lhs, rhs)
		}
		return lhs
	case parser.CardManyToOne:
		ch.require(rhs, m.Include, op+" group_left")
		return union(lhs, labelSetOf(m.Include))
	case parser.CardOneToMany:
		ch.require(lhs, m.Include, op+" group_right")
		return union(rhs, labelSetOf(m.Include))
	}
	if m.On && !n.Op.IsComparisonOperator() && lhs != nil {
		return labelSetOf(m.MatchingLabels)
	}
	return lhs
}

func labelSetOf(names []string) labelSet {
	out := labelSet{}
	for _, n := range names {
		out[n] = true
	}
	return out
}
