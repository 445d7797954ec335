package simulate

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/alertmanager/featurecontrol"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/alertmanager/matcher/compat"
	amlabels "github.com/prometheus/alertmanager/pkg/labels"
	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/parallel"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Paths of the artifacts the simulation reads, relative to out/.
const (
	alertmanagerConfigPath = slo.AlertmanagerConfigPath
)

var promParser = parser.NewParser(parser.Options{})

// input is what the simulation reads from the artifacts.
type input struct {
	st           *model.Stack
	scrape, eval time.Duration
	groups       []*ruleGroup
	// recorders are the recording rules by the name they record, and
	// alerting the alerting rules by service and SLO label ("svc/slo"):
	// looking rules up instead of scanning every group keeps a stack of
	// thousands of SLOs linear.
	recorders       map[string][]*rule // by recorderKey
	recordersByName map[string][]*rule
	alerting        map[string][]*rule
	jobs            []scrapeJob
	// templates are the expression templates of the rules, and of the
	// dashboards' queries (canonicalQuery).
	templates *templates
	am        *amconfig.Config
	route     *dispatch.Route
	// inhibitRules are am's inhibit rules, in order, with their matchers
	// as indices into inhibitMatchers, the distinct matchers of them all:
	// every alert of every SLO is matched against every rule (key), and
	// most rules share their target matchers.
	inhibitRules    []inhibitRule
	inhibitMatchers []*amlabels.Matcher
	// seriesOf are the raw series of each service (serviceSeries).
	seriesMu     sync.Mutex
	seriesOf     map[string]*serviceCandidates
	sendResolved map[string][]bool // per receiver, per integration
}

// inhibitRule is an inhibit rule of alertmanager.yml: its source and
// target matchers (indices into input.inhibitMatchers) and equal labels.
type inhibitRule struct {
	source, target []int
	equal          string
}

// scrapeJob is one scrape config: the labels its targets' series carry.
type scrapeJob struct {
	name    string
	targets []labels.Labels // job, instance and the static labels
}

// ruleGroup is one parsed rule group of a rule file.
type ruleGroup struct {
	file, name string
	interval   time.Duration
	rules      []*rule
}

// rule is one parsed rule.
type rule struct {
	group *ruleGroup
	index int
	rulefmt.Rule
	// reads are the vector selectors of the expression with how far back
	// each reads (matrix range, enclosing subquery ranges and offsets).
	reads []read
	// canonical is the expression with the values of identity labels
	// replaced: what an SLO's shape key says of the rule.
	canonical string

	// expr is the parsed expression, parsed when first asked (parsed):
	// only the rules that are evaluated need it.
	exprOnce sync.Once
	expr     parser.Expr
	exprErr  error
}

// parsed returns the rule's parsed expression.
func (r *rule) parsed() (parser.Expr, error) {
	r.exprOnce.Do(func() {
		r.expr, r.exprErr = promParser.ParseExpr(r.Expr)
	})
	return r.expr, r.exprErr
}

type read struct {
	sel  *parser.VectorSelector
	back time.Duration
}

func (r *rule) name() string {
	if r.Alert != "" {
		return r.Alert
	}
	return r.Record
}

// readInput parses prometheus.yml, the rule files it loads and alertmanager.yml.
//
// Files are read as they are parsed, not all at once: at ten thousand SLOs
// the rule files alone are hundreds of megabytes, which the parsed rules
// need not keep.
func readInput(st *model.Stack, files artifact.Reader) (*input, error) {
	in := &input{st: st, seriesOf: map[string]*serviceCandidates{}, recorders: map[string][]*rule{}, recordersByName: map[string][]*rule{}, alerting: map[string][]*rule{}}
	// The replicas of an HA stack load the same rules and scrape the same
	// targets; the first one's configuration stands for all.
	prometheusConfigPath := slo.PrometheusConfigPathOf(slo.PrometheusServers(st)[0].Name)
	data, err := readArtifact(files, prometheusConfigPath)
	if err != nil {
		return nil, err
	}
	cfg, err := parsePrometheusConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", prometheusConfigPath, err)
	}
	in.scrape = time.Duration(cfg.Global.ScrapeInterval)
	in.eval = time.Duration(cfg.Global.EvaluationInterval)
	for _, sc := range cfg.ScrapeConfigs {
		in.jobs = append(in.jobs, scrapeJob{name: sc.JobName, targets: sc.targets()})
	}
	// A glob is matched against the files of its directory only, when
	// that is a plain one: a stack of a hundred services has a hundred
	// globs and thousands of files.
	paths := files.Paths()
	byDir := map[string][]string{}
	for _, p := range paths {
		byDir[path.Dir(p)] = append(byDir[path.Dir(p)], p)
	}
	isRule := map[string]bool{}
	for _, glob := range cfg.RuleFiles {
		pattern := path.Join(path.Dir(prometheusConfigPath), glob)
		cands := byDir[path.Dir(pattern)]
		if strings.ContainsAny(path.Dir(pattern), `*?[\`) {
			cands = paths
		}
		for _, p := range cands {
			if ok, _ := path.Match(pattern, p); ok {
				isRule[p] = true
			}
		}
	}
	var rulePaths []string
	for _, p := range paths {
		if isRule[p] {
			rulePaths = append(rulePaths, p)
		}
	}
	// Files are decoded and their expressions parsed on every core (the
	// most expensive part of reading the input at a thousand SLOs), then
	// indexed in file order.
	parsed := make([][]*ruleGroup, len(rulePaths))
	ts := newTemplates()
	in.templates = ts
	err = parallel.Each(len(rulePaths), func(i int) error {
		data, err := readArtifact(files, rulePaths[i])
		if err != nil {
			return err
		}
		groups, err := parseRuleFile(rulePaths[i], data, in.eval, ts)
		parsed[i] = groups
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, groups := range parsed {
		for _, rg := range groups {
			for _, pr := range rg.rules {
				if pr.Record != "" {
					k := recorderKey(pr.Record, pr.Labels[slo.LabelService], pr.Labels[slo.LabelSLO])
					in.recorders[k] = append(in.recorders[k], pr)
					in.recordersByName[pr.Record] = append(in.recordersByName[pr.Record], pr)
				} else {
					k := pr.Labels[slo.LabelService] + "/" + pr.Labels[slo.LabelSLO]
					in.alerting[k] = append(in.alerting[k], pr)
				}
			}
			in.groups = append(in.groups, rg)
		}
	}

	if data, err = readArtifact(files, alertmanagerConfigPath); err != nil {
		return nil, err
	}
	initMatchers()
	in.am, err = amconfig.Load(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", alertmanagerConfigPath, err)
	}
	in.route = dispatch.NewRoute(in.am.Route, nil)
	distinct := map[string]int{}
	index := func(ms amlabels.Matchers) []int {
		var out []int
		for _, m := range ms {
			i, ok := distinct[m.String()]
			if !ok {
				i = len(in.inhibitMatchers)
				distinct[m.String()] = i
				in.inhibitMatchers = append(in.inhibitMatchers, m)
			}
			out = append(out, i)
		}
		return out
	}
	for _, ir := range in.am.InhibitRules {
		rule := inhibit.NewInhibitRule(ir)
		in.inhibitRules = append(in.inhibitRules, inhibitRule{source: index(rule.SourceMatchers), target: index(rule.TargetMatchers),
			equal: fmt.Sprint(ir.Equal)})
	}
	in.sendResolved = map[string][]bool{}
	for _, r := range in.am.Receivers {
		in.sendResolved[r.Name] = integrationsSendResolved(r)
	}
	return in, nil
}

// readArtifact reads the artifact at p of another target.
func readArtifact(files artifact.Reader, p string) ([]byte, error) {
	data, err := files.Read(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("internal: the build wrote no %s", p)
	}
	return data, err
}

// parseRuleFile decodes one rule file and reads its expressions through
// their templates (template.go). The Prometheus target checked the file
// with rulefmt.Parse; decoding it again without that validation halves the
// PromQL parsing.
func parseRuleFile(p string, data []byte, eval time.Duration, ts *templates) ([]*ruleGroup, error) {
	var rgs rulefmt.RuleGroups
	if err := yaml.Unmarshal(data, &rgs); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	var out []*ruleGroup
	for _, g := range rgs.Groups {
		rg := &ruleGroup{file: p, name: g.Name, interval: eval}
		if g.Interval != 0 {
			rg.interval = time.Duration(g.Interval)
		}
		for i, r := range g.Rules {
			pr := &rule{group: rg, index: i, Rule: r}
			// Annotations change no notification's time or receiver
			// (the rules engine runs without them); at thousands of
			// SLOs their text would be most of what the rules hold.
			pr.Annotations = nil
			if err := ts.parseRule(pr); err != nil {
				return nil, fmt.Errorf("%s: group %s: %w", p, g.Name, err)
			}
			rg.rules = append(rg.rules, pr)
		}
		out = append(out, rg)
	}
	return out, nil
}

var matchersOnce sync.Once

// initMatchers makes matchers parse the way the alertmanager binary parses them.
func initMatchers() {
	matchersOnce.Do(func() {
		compat.InitFromFlags(slog.New(slog.DiscardHandler), featurecontrol.NoopFlags{})
	})
}

// reads returns every vector selector of expr and how far back it reads.
func reads(expr parser.Expr) []read {
	var out []read
	parser.Inspect(expr, func(node parser.Node, path []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		back := vs.OriginalOffset
		for _, p := range path {
			switch n := p.(type) {
			case *parser.MatrixSelector:
				back += n.Range
			case *parser.SubqueryExpr:
				back += n.Range + n.OriginalOffset
			}
		}
		out = append(out, read{sel: vs, back: back})
		return nil
	})
	return out
}

// metricName returns the metric name a selector asks for, or "".
func metricName(vs *parser.VectorSelector) string {
	if vs.Name != "" {
		return vs.Name
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return ""
}

// produces reports whether recording rule r may write a series that vs selects.
func produces(r *rule, vs *parser.VectorSelector) bool {
	if r.Record == "" || metricName(vs) != r.Record {
		return false
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName {
			continue
		}
		if v, ok := r.Labels[m.Name]; ok && !m.Matches(v) {
			return false
		}
	}
	return true
}

// sloInput is everything one SLO's simulation needs.
type sloInput struct {
	in        *input
	svc       model.Service
	slo       model.SLO
	groups    []*ruleGroup // the selected rules, in their groups
	recording []*rule      // recording rules in dependency order
	alerts    []*rule
	series    []synthSeries
	// depth is the longest span of history any alert reads.
	depth time.Duration
}

// sloInput selects the rules and synthetic series of one SLO.
func (in *input) sloInput(svc model.Service, o model.SLO) (*sloInput, error) {
	si := &sloInput{in: in, svc: svc, slo: o}
	need := map[*rule]bool{}
	var queue []*rule
	for _, r := range in.alerting[svc.Name+"/"+o.Name] {
		need[r] = true
		queue = append(queue, r)
	}
	if len(queue) == 0 {
		return nil, fmt.Errorf("internal: no alerting rule carries %s=%q and %s=%q", slo.LabelService, svc.Name, slo.LabelSLO, o.Name)
	}
	deps := map[*rule][]*rule{}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		for _, rd := range r.reads {
			for _, d := range in.recordersOf(rd.sel) {
				if produces(d, rd.sel) {
					deps[r] = append(deps[r], d)
					if !need[d] {
						need[d] = true
						queue = append(queue, d)
					}
				}
			}
		}
	}
	// Keep the groups and the order of their rules.
	var groups []*ruleGroup
	for r := range need {
		if !slices.Contains(groups, r.group) {
			groups = append(groups, r.group)
		}
	}
	slices.SortFunc(groups, func(a, b *ruleGroup) int { return slices.Index(in.groups, a) - slices.Index(in.groups, b) })
	for _, g := range groups {
		sg := &ruleGroup{file: g.file, name: g.name, interval: g.interval}
		for _, r := range g.rules {
			if need[r] {
				sg.rules = append(sg.rules, r)
				if r.Alert != "" {
					si.alerts = append(si.alerts, r)
				}
			}
		}
		if len(sg.rules) > 0 {
			si.groups = append(si.groups, sg)
		}
	}
	// Recording rules in dependency order (Kahn's algorithm, stable by
	// file order); a cycle keeps the rest in file order.
	done := map[*rule]bool{}
	var all []*rule
	for _, g := range si.groups {
		for _, r := range g.rules {
			if r.Record != "" {
				all = append(all, r)
			}
		}
	}
	for len(si.recording) < len(all) {
		progressed := false
		for _, r := range all {
			if done[r] {
				continue
			}
			ready := true
			for _, d := range deps[r] {
				if d != r && !done[d] {
					ready = false
				}
			}
			if ready {
				done[r] = true
				si.recording = append(si.recording, r)
				progressed = true
			}
		}
		if !progressed {
			for _, r := range all {
				if !done[r] {
					done[r] = true
					si.recording = append(si.recording, r)
				}
			}
		}
	}
	// Depth: how far back an alert's decision reaches into raw data.
	memo := map[*rule]time.Duration{}
	var depth func(r *rule, seen map[*rule]bool) time.Duration
	depth = func(r *rule, seen map[*rule]bool) time.Duration {
		if d, ok := memo[r]; ok {
			return d
		}
		if seen[r] {
			return 0
		}
		seen[r] = true
		var best time.Duration
		for _, rd := range r.reads {
			d := rd.back
			var sub time.Duration
			for _, dep := range deps[r] {
				if produces(dep, rd.sel) {
					sub = max(sub, depth(dep, seen))
				}
			}
			best = max(best, d+sub)
		}
		memo[r] = best
		return best
	}
	for _, a := range si.alerts {
		si.depth = max(si.depth, depth(a, map[*rule]bool{}))
	}
	var err error
	si.series, err = in.synthSeries(svc, o, si)
	if err != nil {
		return nil, err
	}
	return si, nil
}

// recorderKey indexes a recording rule by the name it records and its
// service and slo labels ("" when it sets none).
func recorderKey(name, service, sloName string) string {
	return name + "\x00" + service + "\x00" + sloName
}

// recordersOf returns the recording rules that may write a series vs
// selects: by name, service and SLO when vs names both (every SLO records
// the same names), else every rule of the name.
func (in *input) recordersOf(vs *parser.VectorSelector) []*rule {
	name := metricName(vs)
	var svc, sl string
	for _, m := range vs.LabelMatchers {
		if m.Type != labels.MatchEqual {
			continue
		}
		switch m.Name {
		case slo.LabelService:
			svc = m.Value
		case slo.LabelSLO:
			sl = m.Value
		}
	}
	if svc == "" || sl == "" {
		return in.recordersByName[name]
	}
	// Rules that set the SLO's labels, and rules that set neither (their
	// expression decides the labels).
	return append(slices.Clip(in.recorders[recorderKey(name, svc, sl)]), in.recorders[recorderKey(name, "", "")]...)
}

// feedbackGroup returns the selected group of rl when some recording rule
// of that group reads a series it records itself or a rule after it in the
// group records: such a group sees its previous evaluation's results and
// must be stepped (run.stepGroup); nil otherwise.
func (si *sloInput) feedbackGroup(rl *rule) *ruleGroup {
	for _, g := range si.groups {
		if !slices.Contains(g.rules, rl) {
			continue
		}
		for i, a := range g.rules {
			for _, b := range g.rules[i:] {
				if b.Record == "" {
					continue
				}
				for _, rd := range a.reads {
					if produces(b, rd.sel) {
						return g
					}
				}
			}
		}
		return nil
	}
	return nil
}

// identityLabels are the labels whose values name things rather than
// describe alert math; two SLOs that differ only in them behave alike.
var identityLabels = func() map[string]bool {
	m := map[string]bool{
		"job": true, "instance": true, slo.LabelService: true, slo.LabelSLO: true,
		slo.LabelTeam: true, labels.AlertName: true,
	}
	// Every preset's route label (endpoint, url_rule, http_route, uri).
	for _, p := range slo.Presets() {
		m[slo.InstrumentationOf(model.Service{Instrumentation: p}).EndpointLabel] = true
	}
	return m
}()

// canonicalExpr writes expr with the values of identity labels replaced.
// It swaps the matchers of expr's selectors for the printing and puts them
// back, which is cheaper than parsing a copy: it runs while expr belongs to
// one goroutine only (parseRuleFile), before any SLO reads it.
func canonicalExpr(expr parser.Expr) string {
	type swapped struct {
		vs       *parser.VectorSelector
		matchers []*labels.Matcher
	}
	var undo []swapped
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok || !slices.ContainsFunc(vs.LabelMatchers, func(m *labels.Matcher) bool { return identityLabels[m.Name] }) {
			return nil
		}
		ms := make([]*labels.Matcher, len(vs.LabelMatchers))
		for i, m := range vs.LabelMatchers {
			ms[i] = m
			if identityLabels[m.Name] {
				ms[i] = &labels.Matcher{Type: m.Type, Name: m.Name, Value: "<" + m.Name + ">"}
			}
		}
		undo = append(undo, swapped{vs, vs.LabelMatchers})
		vs.LabelMatchers = ms
		return nil
	})
	out := expr.String()
	for _, u := range undo {
		u.vs.LabelMatchers = u.matchers
	}
	return out
}

func canonicalLabels(m map[string]string) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		v := m[k]
		if identityLabels[k] {
			v = "<" + k + ">"
		}
		parts = append(parts, k+"="+strconv.Quote(v))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// key is the canonical description of everything the SLO's simulated
// notifications depend on: the selected rules up to names, the routing of
// their alerts, the global intervals and the synthetic traffic. It is
// written straight into its hash.
func (si *sloInput) key() string {
	h := sha256.New()
	b := bufio.NewWriter(h)
	fmt.Fprintf(b, "scrape %s eval %s kind %s budget %v\n", si.in.scrape, si.in.eval, si.slo.Kind, si.slo.ErrorBudget())
	for _, g := range si.groups {
		fmt.Fprintf(b, "group every %s\n", g.interval)
		for _, r := range g.rules {
			kind := "record " + r.Record
			if r.Alert != "" {
				kind = "alert"
			}
			fmt.Fprintf(b, "  %s for %s keep %s labels %s: %s\n", kind, r.For, r.KeepFiringFor,
				canonicalLabels(r.Labels), r.canonical)
		}
	}
	matched := make([]int8, len(si.in.inhibitMatchers)) // 0 unknown, 1 no, 2 yes
	for _, a := range si.alerts {
		ls := prommodel.LabelSet{labels.AlertName: prommodel.LabelValue(a.Alert)}
		for k, v := range a.Labels {
			ls[prommodel.LabelName(k)] = prommodel.LabelValue(v)
		}
		for _, r := range si.in.route.Match(ls) {
			o := r.RouteOpts
			var gb []string
			for l := range o.GroupBy {
				gb = append(gb, string(l))
			}
			sort.Strings(gb)
			fmt.Fprintf(b, "route %s by %v all %v wait %s interval %s repeat %s resolved %v\n", o.Receiver, gb, o.GroupByAll,
				o.GroupWait, o.GroupInterval, o.RepeatInterval, si.in.sendResolved[o.Receiver])
		}
		// Which inhibit rules the alert is a source or a target of, and on
		// which labels (not the rules' positions: every service has its own
		// target-down rule, and SLOs of different services share shapes).
		// A run of equal lines is written once with its length: every SLO
		// is the target of every service's target-down rule.
		clear(matched)
		matches := func(ms []int) bool {
			for _, i := range ms {
				if matched[i] == 0 {
					matched[i] = 1
					if si.in.inhibitMatchers[i].Matches(string(ls[prommodel.LabelName(si.in.inhibitMatchers[i].Name)])) {
						matched[i] = 2
					}
				}
				if matched[i] == 1 {
					return false
				}
			}
			return true
		}
		type line struct {
			src, tgt bool
			equal    string
		}
		var last line
		run := 0
		flush := func() {
			if run > 0 {
				fmt.Fprintf(b, "inhibit source %v target %v equal %s x%d\n", last.src, last.tgt, last.equal, run)
			}
		}
		for _, ir := range si.in.inhibitRules {
			l := line{matches(ir.source), matches(ir.target), ir.equal}
			if !l.src && !l.tgt {
				continue
			}
			if l != last {
				flush()
				last, run = l, 0
			}
			run++
		}
		flush()
	}
	for _, s := range si.series {
		fmt.Fprintf(b, "series %s %s\n", canonicalLabels(s.lset.Map()), s.shape())
	}
	b.Flush()
	return hex.EncodeToString(h.Sum(nil))
}

// synthSeries is one simulated raw series.
type synthSeries struct {
	lset labels.Labels
	// rate is the endpoint's request rate at this target, per second.
	rate float64
	kind seriesKind
	// code says which responses the series counts: all, the good or the bad ones.
	code synthCode
	// le is a bucket's bound; errorRate and cdf describe the endpoint.
	le        float64
	errorRate float64
	cdf       func(float64) float64
	mean      float64
	// incident says whether the incident affects this series' endpoint.
	incident bool
}

type seriesKind int

const (
	// requests is a request counter (the registry's, which has no
	// buckets); count, sum and bucket are the duration histogram's.
	requests seriesKind = iota
	bucket
	count
	sum
	// up is a gauge at 1: up, and an exporter's presence series.
	up
)

type synthCode int

const (
	allCodes synthCode = iota
	goodCode
	badCode
)

// shape describes what the series' samples depend on, for shapeKey.
func (s synthSeries) shape() string {
	var what string
	if s.code != allCodes {
		what = fmt.Sprintf("code %d err %.6g ", s.code, s.errorRate)
	}
	switch s.kind {
	case bucket:
		what += fmt.Sprintf("below %.6g", s.cdf(s.le))
	case sum:
		what += fmt.Sprintf("mean %.6g", s.mean)
	}
	return fmt.Sprintf("kind %d rate %.6g %s incident %v", s.kind, s.rate, what, s.incident)
}

// latencyCDF is the share of an endpoint's requests answered within x
// seconds: log-normal from the median and 99th percentile, as the demo app
// draws them (demoapp/sim) and as the spec's warnings reckon (slo.SlowShare).
func latencyCDF(s model.Sim) func(float64) float64 {
	return func(x float64) float64 {
		if math.IsInf(x, 1) {
			return 1
		}
		return 1 - slo.SlowShare(time.Duration(s.Latency), time.Duration(s.LatencyP99), time.Duration(x*float64(time.Second)))
	}
}

// synthSeries lists the raw series the SLO's rules select, among those the
// service's registry exports and its scrape job labels.
func (in *input) synthSeries(svc model.Service, o model.SLO, si *sloInput) ([]synthSeries, error) {
	cands, err := in.serviceSeries(svc)
	if err != nil {
		return nil, err
	}
	inSLO := map[string]bool{}
	for _, e := range o.Endpoints {
		inSLO[e] = true
	}
	// The selectors of the SLO's rules by the metric name they ask for
	// ("" for any): a series is tried against those of its name only.
	sels := map[string][]*parser.VectorSelector{}
	for _, rs := range [][]*rule{si.recording, si.alerts} {
		for _, r := range rs {
			for _, rd := range r.reads {
				n := metricName(rd.sel)
				sels[n] = append(sels[n], rd.sel)
			}
		}
	}
	selected := func(ls labels.Labels) bool {
		for _, n := range []string{ls.Get(labels.MetricName), ""} {
			for _, sel := range sels[n] {
				if matchesAll(sel.LabelMatchers, ls) {
					return true
				}
			}
		}
		return false
	}
	var out []synthSeries
	for _, c := range cands {
		if selected(c.series.lset) {
			s := c.series
			s.incident = inSLO[c.endpoint]
			out = append(out, s)
		}
	}
	return out, nil
}

// candidateSeries is a raw series of a service and the endpoint it
// counts the requests of ("" for up and presence series).
type candidateSeries struct {
	series   synthSeries
	endpoint string
}

// serviceSeries returns every raw series of the service that synthSeries
// chooses from, built once per service: its SLOs differ only in which
// endpoints the incident affects.
func (in *input) serviceSeries(svc model.Service) ([]candidateSeries, error) {
	in.seriesMu.Lock()
	c, ok := in.seriesOf[svc.Name]
	if !ok {
		c = &serviceCandidates{}
		in.seriesOf[svc.Name] = c
	}
	in.seriesMu.Unlock()
	c.once.Do(func() { c.series, c.err = in.buildServiceSeries(svc) })
	return c.series, c.err
}

type serviceCandidates struct {
	once   sync.Once
	series []candidateSeries
	err    error
}

func (in *input) buildServiceSeries(svc model.Service) ([]candidateSeries, error) {
	var targets []labels.Labels
	for _, j := range in.jobs {
		for _, t := range j.targets {
			if t.Get(slo.LabelService) == svc.Name || (j.name == svc.Name && !t.Has(slo.LabelService)) {
				targets = append(targets, t)
			}
		}
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("internal: the Prometheus configuration has no scrape target with %s=%q", slo.LabelService, svc.Name)
	}
	var weights float64
	for _, e := range svc.Endpoints {
		weights += e.Sim.Weight
	}
	inst := slo.InstrumentationOf(svc)
	// A good and a bad response. The registry labels a code it was not
	// told to record exactly by its class; exporters label every code.
	type response struct {
		code  synthCode
		value string
	}
	codeValue := func(c int, class string) string {
		if inst.Preset != slo.Registry || slices.Contains(svc.StatusCodes, c) {
			return inst.CodeValue(c)
		}
		return class
	}
	responses := []response{{goodCode, codeValue(200, "2xx")}, {badCode, codeValue(500, "5xx")}}
	durationResponses := []response{{}}
	if inst.DurationHasCode {
		durationResponses = responses
	}
	var cands []candidateSeries
	for _, t := range targets {
		for _, e := range svc.Endpoints {
			share := 1 / float64(len(svc.Endpoints))
			if weights > 0 {
				share = e.Sim.Weight / weights
			}
			rate := DemoRPS * share / float64(len(targets))
			cdf := latencyCDF(e.Sim)
			mk := func(name string, kind seriesKind, rs response, ls map[string]string) candidateSeries {
				b := labels.NewBuilder(t)
				for k, v := range ls {
					b.Set(k, v)
				}
				if rs.code != allCodes {
					b.Set(inst.CodeLabel, rs.value)
				}
				b.Set(labels.MetricName, name)
				return candidateSeries{synthSeries{lset: b.Labels(), rate: rate, kind: kind, code: rs.code, errorRate: e.Sim.ErrorRate, cdf: cdf,
					mean: time.Duration(e.Sim.Latency).Seconds()}, e.Name}
			}
			// The labels of a response of the code's class; the extra labels
			// that depend on the code (Micrometer's outcome) follow it.
			labelsOf := func(rs response, duration bool) map[string]string {
				status := 200
				if rs.code == badCode {
					status = 500
				}
				if duration {
					return inst.DurationLabels(e, status)
				}
				return inst.RequestLabels(e, status)
			}
			if inst.Requests != inst.Duration+"_count" {
				for _, rs := range responses {
					cands = append(cands, mk(inst.Requests, requests, rs, labelsOf(rs, false)))
				}
			}
			for _, rs := range durationResponses {
				ls := labelsOf(rs, true)
				cands = append(cands, mk(inst.Duration+"_count", count, rs, ls), mk(inst.Duration+"_sum", sum, rs, ls))
				if !inst.Bucketed(svc) {
					continue
				}
				for _, le := range append(slices.Clone(svc.LatencyBuckets), math.Inf(1)) {
					s := mk(inst.Duration+"_bucket", bucket, rs, ls)
					s.series.lset = labels.NewBuilder(s.series.lset).Set("le", labels.FormatOpenMetricsFloat(le)).Labels()
					s.series.le = le
					cands = append(cands, s)
				}
			}
		}
		b := labels.NewBuilder(t)
		b.Set(labels.MetricName, "up")
		cands = append(cands, candidateSeries{series: synthSeries{lset: b.Labels(), kind: up}})
		if inst.Presence != "" && inst.Presence != inst.Requests {
			b.Set(labels.MetricName, inst.Presence)
			cands = append(cands, candidateSeries{series: synthSeries{lset: b.Labels(), kind: up}})
		}
	}
	return cands, nil
}

func selectsAny(r *rule, ls labels.Labels) bool {
	for _, rd := range r.reads {
		if matchesAll(rd.sel.LabelMatchers, ls) {
			return true
		}
	}
	return false
}

// matchesAll reports whether ls satisfies every matcher of ms.
func matchesAll(ms []*labels.Matcher, ls labels.Labels) bool {
	for _, m := range ms {
		if !m.Matches(ls.Get(m.Name)) {
			return false
		}
	}
	return true
}

// prometheusConfig is the part of prometheus.yml the simulation reads.
// (Prometheus's config package would link every service discovery and
// remote-write client; the build's own checks load the file with promtool.)
type prometheusConfig struct {
	Global struct {
		ScrapeInterval     prommodel.Duration `yaml:"scrape_interval"`
		EvaluationInterval prommodel.Duration `yaml:"evaluation_interval"`
	} `yaml:"global"`
	RuleFiles     []string       `yaml:"rule_files"`
	ScrapeConfigs []scrapeConfig `yaml:"scrape_configs"`
}

type scrapeConfig struct {
	JobName       string `yaml:"job_name"`
	StaticConfigs []struct {
		Targets []string          `yaml:"targets"`
		Labels  map[string]string `yaml:"labels"`
	} `yaml:"static_configs"`
}

func parsePrometheusConfig(data []byte) (*prometheusConfig, error) {
	var c prometheusConfig
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	// Prometheus's defaults (config.DefaultGlobalConfig).
	if c.Global.ScrapeInterval == 0 {
		c.Global.ScrapeInterval = prommodel.Duration(time.Minute)
	}
	if c.Global.EvaluationInterval == 0 {
		c.Global.EvaluationInterval = prommodel.Duration(time.Minute)
	}
	return &c, nil
}

// targets returns the label sets of the job's static targets.
func (sc scrapeConfig) targets() []labels.Labels {
	var out []labels.Labels
	for _, st := range sc.StaticConfigs {
		for _, t := range st.Targets {
			b := labels.NewBuilder(labels.EmptyLabels())
			for k, v := range st.Labels {
				b.Set(k, v)
			}
			b.Set("job", sc.JobName)
			b.Set("instance", t)
			out = append(out, b.Labels())
		}
	}
	return out
}
