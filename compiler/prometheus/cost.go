package prometheus

import (
	"fmt"
	"time"

	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

// SamplesPerMinute estimates how many samples the rules in groups read per
// minute, with one series behind every selector: a range selector reads
// range / interval samples, where interval is the scrape interval for a
// scraped metric and the recording group's evaluation interval for a
// recorded one; an instant selector reads one. Each group runs
// 1m / its interval times a minute (eval when it sets none). It is the
// measure DESIGN.md compares with Sloth (~447,000 for one 30d SLO).
func SamplesPerMinute(groups []rulefmt.RuleGroup, scrape, eval time.Duration) (float64, error) {
	interval := func(g rulefmt.RuleGroup) time.Duration {
		if g.Interval != 0 {
			return time.Duration(g.Interval)
		}
		return eval
	}
	recordedEvery := map[string]time.Duration{}
	for _, g := range groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				recordedEvery[r.Record] = interval(g)
			}
		}
	}
	source := func(vs *parser.VectorSelector) time.Duration {
		if d, ok := recordedEvery[vs.Name]; ok {
			return d
		}
		return scrape
	}
	total := 0.0
	for _, g := range groups {
		perMinute := float64(time.Minute) / float64(interval(g))
		for _, r := range g.Rules {
			expr, err := promql.ParseExpr(r.Expr)
			if err != nil {
				return 0, fmt.Errorf("group %s, rule %s%s: %w", g.Name, r.Record, r.Alert, err)
			}
			samples := 0.0
			inRange := map[*parser.VectorSelector]bool{}
			parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
				switch n := n.(type) {
				case *parser.MatrixSelector:
					vs := n.VectorSelector.(*parser.VectorSelector)
					inRange[vs] = true
					samples += float64(n.Range) / float64(source(vs))
				case *parser.VectorSelector:
					if !inRange[n] {
						samples++
					}
				}
				return nil
			})
			total += samples * perMinute
		}
	}
	return total, nil
}

// promql parses expressions for the cost model; it holds only options.
var promql = parser.NewParser(parser.Options{})
