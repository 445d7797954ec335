// Package diff compares two compiled stacks semantically, for a pull
// request comment: dashboards, panels and queries added, removed or
// changed; SLOs, alert thresholds and receivers changed; the route tree and
// receivers changed; the worst-case series count. It compares the review
// summaries of both stacks, so it reports what the generated artifacts do,
// not how the spec is written.
package diff

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/stackc/stackc/compiler/build"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/review"
	"github.com/stackc/stackc/compiler/slo"
)

// Stacks compiles both stacks, summarises their artifacts and compares
// the summaries.
func Stacks(base, head *model.Stack) (*Report, error) {
	b, err := summarize(base)
	if err != nil {
		return nil, fmt.Errorf("base: %w", err)
	}
	h, err := summarize(head)
	if err != nil {
		return nil, fmt.Errorf("head: %w", err)
	}
	return Compare(b, h), nil
}

func summarize(st *model.Stack) (*review.Summary, error) {
	out, err := build.Compile(st)
	if err != nil {
		return nil, err
	}
	return review.Summarize(st, out)
}

// Report is the semantic difference, grouped by section; each entry is
// one Markdown list item (possibly with nested items).
type Report struct {
	Dashboards []string
	SLOs       []string
	Alerts     []string
	// Routes are the lines of the route tree, as a unified diff body.
	Routes    []string
	Receivers []string
	Series    []string
}

// Empty reports whether nothing changed.
func (r *Report) Empty() bool {
	return len(r.Dashboards)+len(r.SLOs)+len(r.Alerts)+len(r.Routes)+len(r.Receivers)+len(r.Series) == 0
}

// Markdown renders the report under a heading naming both sides.
func (r *Report) Markdown(baseName, headName string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## stackc diff: %s → %s\n\n", baseName, headName)
	if r.Empty() {
		b.WriteString("no changes\n")
		return b.String()
	}
	section := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "### %s\n\n", title)
		for _, it := range items {
			b.WriteString(it + "\n")
		}
		b.WriteString("\n")
	}
	section("Dashboards", r.Dashboards)
	section("SLOs and burn-rate alerts", r.SLOs)
	section("Other alerts", r.Alerts)
	if len(r.Routes) > 0 {
		b.WriteString("### Route tree\n\n```diff\n")
		for _, l := range r.Routes {
			b.WriteString(l + "\n")
		}
		b.WriteString("```\n\n")
	}
	section("Receivers", r.Receivers)
	section("Worst-case series", r.Series)
	return strings.TrimSuffix(b.String(), "\n")
}

// Compare computes the report between two summaries.
func Compare(base, head *review.Summary) *Report {
	r := &Report{}
	r.Dashboards = dashboards(base.Dashboards, head.Dashboards)
	r.SLOs = slos(base.SLOs, head.SLOs)
	r.Alerts = alerts(base.Alerts, head.Alerts)
	r.Routes = routes(base.Routes, head.Routes)
	r.Receivers = receivers(base.Receivers, head.Receivers)
	r.Series = series(base, head)
	return r
}

// keyed indexes items by key, keeping their order.
func keyed[T any](items []T, key func(T) string) ([]string, map[string]T) {
	var keys []string
	m := map[string]T{}
	for _, it := range items {
		k := key(it)
		if _, dup := m[k]; !dup {
			keys = append(keys, k)
		}
		m[k] = it
	}
	return keys, m
}

// changes returns "name old → new" for each differing field.
type change struct{ name, old, new string }

func changed(cs ...change) []string {
	var out []string
	for _, c := range cs {
		if c.old != c.new {
			out = append(out, fmt.Sprintf("%s %s → %s", c.name, c.old, c.new))
		}
	}
	return out
}

func code(s string) string {
	if s == "" {
		return "(none)"
	}
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

func num(f float64) string { return slo.FormatFloat(f) }

// short formats derived numbers like REVIEW.md (slo.FormatFactor).
func short(f float64) string { return slo.FormatFactor(f) }

func list(xs []string) string {
	if len(xs) == 0 {
		return "nobody"
	}
	return strings.Join(xs, ", ")
}

// --- dashboards ---

type placedPanel struct {
	row string
	review.Panel
}

// rowKey names a row by the part of its title before ":", so that an SLO
// row stays the same row when its objective (after the colon) changes.
func rowKey(title string) string { return strings.TrimSpace(strings.SplitN(title, ":", 2)[0]) }

func panelsOf(d review.Dashboard) []placedPanel {
	var out []placedPanel
	for _, r := range d.Rows {
		for _, p := range r.Panels {
			out = append(out, placedPanel{row: r.Title, Panel: p})
		}
	}
	return out
}

func panelKey(p placedPanel) string { return rowKey(p.row) + "\x00" + p.Title }

func where(p placedPanel) string {
	if p.row == "" {
		return ""
	}
	return " in row " + p.row
}

func dashboards(base, head []review.Dashboard) []string {
	var out []string
	bk, bm := keyed(base, func(d review.Dashboard) string { return d.UID })
	hk, hm := keyed(head, func(d review.Dashboard) string { return d.UID })
	for _, k := range bk {
		if _, ok := hm[k]; !ok {
			out = append(out, fmt.Sprintf("- dashboard removed: **%s** (`%s`)", bm[k].Title, k))
		}
	}
	for _, k := range hk {
		h := hm[k]
		b, ok := bm[k]
		if !ok {
			out = append(out, fmt.Sprintf("- dashboard added: **%s** (`%s`) with %d panels", h.Title, k, len(panelsOf(h))))
			continue
		}
		items := dashboardChanges(b, h)
		if len(items) == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("- **%s** (`%s`)", h.Title, k))
		for _, it := range items {
			out = append(out, "  "+it)
		}
	}
	return out
}

func dashboardChanges(b, h review.Dashboard) []string {
	var out []string
	for _, c := range changed(change{"title", b.Title, h.Title},
		change{"variables", variables(b.Variables), variables(h.Variables)}) {
		out = append(out, "- "+c)
	}
	_, brows := keyed(b.Rows, func(r review.Row) string { return rowKey(r.Title) })
	for _, r := range h.Rows {
		if old, ok := brows[rowKey(r.Title)]; ok && old.Title != r.Title {
			out = append(out, fmt.Sprintf("- row renamed: %s → %s", old.Title, r.Title))
		}
	}
	bk, bm := keyed(panelsOf(b), panelKey)
	hk, hm := keyed(panelsOf(h), panelKey)
	for _, k := range bk {
		if _, ok := hm[k]; !ok {
			p := bm[k]
			out = append(out, fmt.Sprintf("- panel removed: **%s**%s", p.Title, where(p)))
		}
	}
	for _, k := range hk {
		p := hm[k]
		old, ok := bm[k]
		if !ok {
			out = append(out, fmt.Sprintf("- panel added: **%s** (%s, unit %s)%s", p.Title, p.Type, code(p.Unit), where(p)))
			for _, q := range p.Queries {
				out = append(out, "  - query "+code(q))
			}
			continue
		}
		cs := changed(
			change{"type", old.Type, p.Type},
			change{"unit", code(old.Unit), code(p.Unit)},
			change{"thresholds", numbers(old.Thresholds), numbers(p.Thresholds)},
		)
		var queries []string
		switch {
		case slices.Equal(old.Queries, p.Queries):
		case len(old.Queries) == len(p.Queries):
			// Same number of queries: pair them up by position.
			for i := range p.Queries {
				if old.Queries[i] != p.Queries[i] {
					queries = append(queries, "  - query was "+code(old.Queries[i]), "    now "+code(p.Queries[i]))
				}
			}
		default:
			for _, q := range old.Queries {
				if !slices.Contains(p.Queries, q) {
					queries = append(queries, "  - query removed: "+code(q))
				}
			}
			for _, q := range p.Queries {
				if !slices.Contains(old.Queries, q) {
					queries = append(queries, "  - query added: "+code(q))
				}
			}
			if len(queries) == 0 {
				queries = append(queries, "  - queries reordered")
			}
		}
		if len(cs) == 0 && len(queries) == 0 {
			continue
		}
		line := fmt.Sprintf("- panel changed: **%s**%s", p.Title, where(p))
		if len(cs) > 0 {
			line += ": " + strings.Join(cs, "; ")
		}
		out = append(out, line)
		out = append(out, queries...)
	}
	return out
}

func variables(vs []review.Variable) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return code(strings.Join(out, ", "))
}

func numbers(fs []float64) string {
	if len(fs) == 0 {
		return "(none)"
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = num(f)
	}
	return strings.Join(parts, ", ")
}

// --- SLOs ---

func slos(base, head []review.SLO) []string {
	var out []string
	key := func(s review.SLO) string { return s.Service + " / " + s.Name }
	bk, bm := keyed(base, key)
	hk, hm := keyed(head, key)
	for _, k := range bk {
		if _, ok := hm[k]; !ok {
			out = append(out, fmt.Sprintf("- SLO removed: **%s** (alert %s no longer exists)", k, bm[k].AlertName))
		}
	}
	for _, k := range hk {
		h := hm[k]
		b, ok := bm[k]
		if !ok {
			out = append(out, fmt.Sprintf("- SLO added: **%s**: %s%% over %s, alert `%s` with tiers %s", k, num(h.Objective), h.Period, h.AlertName, tierNames(h.Tiers)))
			continue
		}
		items := changed(
			change{"kind", b.Kind, h.Kind},
			change{"endpoints", strings.Join(b.Endpoints, ", "), strings.Join(h.Endpoints, ", ")},
			change{"objective", num(b.Objective) + "%", num(h.Objective) + "%"},
			change{"period", b.Period, h.Period},
			change{"latency threshold", code(b.Threshold), code(h.Threshold)},
			change{"error budget", num(b.Budget*100) + "%", num(h.Budget*100) + "%"},
			change{"minimum event rate", num(b.MinEventRate) + "/s", num(h.MinEventRate) + "/s"},
			change{"alert", b.AlertName, h.AlertName},
		)
		var lines []string
		for _, it := range items {
			lines = append(lines, "  - "+it)
		}
		lines = append(lines, tierChanges(b.Tiers, h.Tiers)...)
		if len(lines) == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("- **%s** (alert `%s`)", k, h.AlertName))
		out = append(out, lines...)
	}
	return out
}

func tierNames(ts []review.Tier) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

func tierChanges(base, head []review.Tier) []string {
	var out []string
	bk, bm := keyed(base, func(t review.Tier) string { return t.Name })
	hk, hm := keyed(head, func(t review.Tier) string { return t.Name })
	for _, k := range bk {
		if _, ok := hm[k]; !ok {
			out = append(out, fmt.Sprintf("  - tier %s removed: it no longer alerts", k))
		}
	}
	for _, k := range hk {
		h := hm[k]
		b, ok := bm[k]
		if !ok {
			out = append(out, fmt.Sprintf("  - tier %s added: %s when %s / %s burn above %sx (%s%% errors), to %s",
				k, h.Severity, h.Long, h.Short, short(h.Factor), short(h.Ratio*100), list(h.Receivers)))
			continue
		}
		cs := changed(
			change{"severity", b.Severity, h.Severity},
			change{"windows", b.Long + " / " + b.Short, h.Long + " / " + h.Short},
			change{"burn factor", short(b.Factor) + "x", short(h.Factor) + "x"},
			change{"threshold", short(b.Ratio*100) + "%", short(h.Ratio*100) + "%"},
			change{"can fire", strconv.FormatBool(b.CanFire), strconv.FormatBool(h.CanFire)},
			change{"receivers", list(b.Receivers), list(h.Receivers)},
			change{"silenced by", list(b.SilencedBy), list(h.SilencedBy)},
		)
		if len(cs) > 0 {
			out = append(out, fmt.Sprintf("  - tier %s: %s", k, strings.Join(cs, "; ")))
		}
	}
	return out
}

// --- other alerts ---

func alerts(base, head []review.Alert) []string {
	var out []string
	key := func(a review.Alert) string { return a.Name }
	bk, bm := keyed(base, key)
	hk, hm := keyed(head, key)
	for _, k := range bk {
		if _, ok := hm[k]; !ok {
			out = append(out, fmt.Sprintf("- alert removed: **%s**", k))
		}
	}
	for _, k := range hk {
		h := hm[k]
		b, ok := bm[k]
		if !ok {
			out = append(out, fmt.Sprintf("- alert added: **%s** (%s), to %s", k, h.Severity, list(h.Receivers)))
			continue
		}
		cs := changed(
			change{"severity", b.Severity, h.Severity},
			change{"receivers", list(b.Receivers), list(h.Receivers)},
			change{"silenced by", list(b.SilencedBy), list(h.SilencedBy)},
		)
		if len(cs) > 0 {
			out = append(out, fmt.Sprintf("- **%s**: %s", k, strings.Join(cs, "; ")))
		}
	}
	return out
}

// --- routes ---

func routeLines(r review.Route, depth int, out *[]string) {
	match := "root"
	if depth > 0 {
		match = r.Matchers
		if match == "" {
			match = "everything"
		}
	}
	line := fmt.Sprintf("%s%s -> %s", strings.Repeat("  ", depth), match, r.Receiver)
	if r.Continue {
		line += " (continue)"
	}
	if r.Timing != "" {
		line += " [" + r.Timing + "]"
	}
	*out = append(*out, line)
	for _, c := range r.Routes {
		routeLines(c, depth+1, out)
	}
}

// routes diffs the route trees line by line (a longest common
// subsequence), the way a reviewer reads a tree diff.
func routes(base, head review.Route) []string {
	var a, b []string
	routeLines(base, 0, &a)
	routeLines(head, 0, &b)
	if slices.Equal(a, b) {
		return nil
	}
	return lineDiff(a, b)
}

func lineDiff(a, b []string) []string {
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, "  "+a[i])
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, "- "+a[i])
			i++
		default:
			out = append(out, "+ "+b[j])
			j++
		}
	}
	return out
}

// --- receivers ---

func receivers(base, head []review.Receiver) []string {
	var out []string
	key := func(r review.Receiver) string { return r.Name }
	bk, bm := keyed(base, key)
	hk, hm := keyed(head, key)
	for _, k := range bk {
		if _, ok := hm[k]; !ok {
			out = append(out, fmt.Sprintf("- receiver removed: **%s** (%s %s)", k, bm[k].Type, bm[k].Target))
		}
	}
	for _, k := range hk {
		h := hm[k]
		b, ok := bm[k]
		if !ok {
			out = append(out, fmt.Sprintf("- receiver added: **%s** (%s %s)", k, h.Type, h.Target))
			continue
		}
		if cs := changed(change{"type", b.Type, h.Type}, change{"sends to", b.Target, h.Target}); len(cs) > 0 {
			out = append(out, fmt.Sprintf("- **%s**: %s", k, strings.Join(cs, "; ")))
		}
	}
	return out
}

// --- series ---

func series(base, head *review.Summary) []string {
	var out []string
	budget := fmt.Sprintf("budget %d", head.SeriesBudget)
	if base.SeriesBudget != head.SeriesBudget {
		budget = fmt.Sprintf("budget %d → %d", base.SeriesBudget, head.SeriesBudget)
	}
	key := func(c seriesCount) string { return c.Service + " " + c.Metric }
	bk, bm := keyed(counts(base), key)
	hk, hm := keyed(counts(head), key)
	for _, k := range bk {
		if _, ok := hm[k]; !ok {
			out = append(out, fmt.Sprintf("  - %s: %d → 0", k, bm[k].Series))
		}
	}
	for _, k := range hk {
		if b := bm[k]; b.Series != hm[k].Series {
			out = append(out, fmt.Sprintf("  - %s: %d → %d", k, b.Series, hm[k].Series))
		}
	}
	if len(out) > 0 || base.SeriesBudget != head.SeriesBudget {
		out = append([]string{fmt.Sprintf("- worst case %d → %d series (%s)", base.SeriesTotal, head.SeriesTotal, budget)}, out...)
	}
	return out
}

type seriesCount struct {
	Service, Metric string
	Series          int
}

func counts(s *review.Summary) []seriesCount {
	out := make([]seriesCount, len(s.Series))
	for i, c := range s.Series {
		out[i] = seriesCount{c.Service, c.Metric, c.Series}
	}
	slices.SortStableFunc(out, func(a, b seriesCount) int {
		return strings.Compare(a.Service+" "+a.Metric, b.Service+" "+b.Metric)
	})
	return out
}
