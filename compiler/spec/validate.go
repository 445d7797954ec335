package spec

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/promlint"
	"github.com/stackc/stackc/compiler/slo"
)

var (
	nameRE       = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	endpointRE   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	metricNameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelNameRE  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	segmentRE    = regexp.MustCompile(`^([A-Za-z0-9._~-]+|\{[a-zA-Z_][a-zA-Z0-9_]*\})$`)
	// teamRE keeps team names safe as label values, in generated Go and in
	// Prometheus alert labels (which expand {{ }} as a template).
	teamRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+( +[A-Za-z0-9_.-]+)*$`)
)

// reservedRoutes are served by the demo app itself on every service port.
var reservedRoutes = []string{"/metrics", "/healthz", "/readyz"}

// minRateSamples is how many samples the shortest rate window must hold for
// rate() to be trustworthy (it needs two, and one scrape may fail or fall on
// the window's edge).
const minRateSamples = 4

// minRuleRuns is how often the fast rule group must run within the shortest
// alert window, so the page's short window follows the error ratio instead
// of lagging a whole window behind.
const minRuleRuns = 5

// reservedLabels are set by the compiler or Prometheus; business metrics may not use them.
var reservedLabels = map[string]bool{
	"job": true, "instance": true, "le": true, "quantile": true,
	slo.LabelService: true, slo.LabelEndpoint: true, slo.LabelMethod: true, slo.LabelCode: true,
	// The scrape adds team; alerts carry the others.
	slo.LabelTeam: true, slo.LabelSLO: true, slo.LabelSeverity: true, slo.LabelTier: true, "alertname": true,
}

// nonBaseUnits are unit suffixes Prometheus asks to be written in base units.
var nonBaseUnits = map[string]string{
	"milliseconds": "seconds", "ms": "seconds", "microseconds": "seconds", "minutes": "seconds", "hours": "seconds",
	"kilobytes": "bytes", "megabytes": "bytes", "gigabytes": "bytes", "kb": "bytes", "mb": "bytes", "percent": "ratio",
}

var validPeriods = map[time.Duration]bool{7 * 24 * time.Hour: true, 28 * 24 * time.Hour: true, 30 * 24 * time.Hour: true}

func validate(st *model.Stack, set explicit, ps *problems) {
	if len(st.Services) == 0 {
		ps.errorf("services", "add a service: services: [s.service('shop', team='storefront', port=8080) { endpoints: [...] }]", "the spec has no services")
	}
	if st.EvaluationInterval < st.ScrapeInterval {
		ps.warnf("evaluationInterval", "use an evaluation interval at least as long as the scrape interval",
			"evaluation interval %s is shorter than the scrape interval %s", st.EvaluationInterval, st.ScrapeInterval)
	}
	validateIntervals(st, ps)
	if st.SeriesBudget < 1 {
		ps.errorf("seriesBudget", fmt.Sprintf("use a positive number of series, or leave seriesBudget out for the default of %d", DefaultSeriesBudget),
			"series budget %d is not positive", st.SeriesBudget)
	}
	ports := map[int]string{}
	usePort := func(path string, port int) bool {
		if port < 1 || port > 65535 {
			ps.errorf(path, "use a port between 1 and 65535", "port %d is out of range", port)
			return false
		}
		if other, ok := ports[port]; ok {
			ps.errorf(path, "give every server its own port", "port %d is already used by %s", port, other)
			return false
		}
		ports[port] = path
		return true
	}
	if ip := net.ParseIP(st.Network.BindAddress); ip == nil {
		ps.errorf("network.bindAddress", "use an IP address, e.g. 127.0.0.1", "bind address %q is not an IP address", st.Network.BindAddress)
	} else if !ip.IsLoopback() {
		ps.warnf("network.bindAddress", "keep 127.0.0.1 unless the stack must be reachable from other machines",
			"the stack's servers listen on %s, beyond this machine", st.Network.BindAddress)
	}
	usePort("network.prometheusPort", st.Network.PrometheusPort)
	usePort("network.alertmanagerPort", st.Network.AlertmanagerPort)
	usePort("network.grafanaPort", st.Network.GrafanaPort)
	usePort("network.inboxPort", st.Network.InboxPort)
	validateHA(st, ps, usePort)
	validateGrafanaURL(st.Network.GrafanaURL, ps)

	services := map[string]bool{}
	derived := map[string]string{}
	alerts := map[string]sloRef{}
	jobs := map[string]string{}
	for i, svc := range st.Services {
		path := "services" + keyOrIndex(svc.Name, i)
		if svc.Name == "" {
			ps.errorf(path, "name the service: s.service('shop', team='storefront')", "service has no name")
		} else if !nameRE.MatchString(svc.Name) {
			ps.errorf(path+".name", "use lower case letters, digits and dashes, starting with a letter (e.g. shop)", "service name %q is not valid", svc.Name)
		}
		if services[svc.Name] && svc.Name != "" {
			// The index, not the name, tells the duplicate from the original.
			ps.errorf(fmt.Sprintf("services[%d].name", i), "give every service a unique name", "duplicate service %q", svc.Name)
		}
		services[svc.Name] = true
		checkDerivedNames(svc.Name, fmt.Sprintf("services[%d].name", i), derived, ps)
		if svc.Team == "" {
			ps.errorf(path+".team", "name the owning team, e.g. team='storefront'", "service %q has no team", svc.Name)
		} else if !teamRE.MatchString(svc.Team) {
			ps.errorf(path+".team", "use letters, digits, '-', '_', '.' and spaces between words, e.g. team='storefront'",
				"team %q of service %q has characters that are unsafe in labels and generated code", svc.Team, svc.Name)
		}
		if svc.RunbookURL != "" {
			if u, err := url.Parse(svc.RunbookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
				templateText(svc.RunbookURL) || strings.ContainsAny(svc.RunbookURL, " \t\r\n") {
				ps.errorf(path+".runbookURL", "use an absolute http or https URL, e.g. 'https://runbooks.example.com/storefront'",
					"runbook URL %q of service %q is not a plain http(s) URL", svc.RunbookURL, svc.Name)
			} else if u.Fragment != "" || strings.Contains(svc.RunbookURL, "#") {
				ps.errorf(path+".runbookURL", "drop the #fragment: "+strings.SplitN(svc.RunbookURL, "#", 2)[0],
					"runbook URL %q has a #fragment, but alerts link to the runbook's #<alert> section", svc.RunbookURL)
			}
		}
		if svc.Language != model.Go && svc.Language != model.Python {
			ps.errorf(path+".language", "write language: 'go' (the default) or language: 'python'",
				"language %q of service %q is not one stackc generates a registry for", svc.Language, svc.Name)
		}
		ipath := fmt.Sprintf("services[%d]", i)
		portOK := usePort(path+".port", svc.Port)
		switch {
		case set.has(ipath + ".adminPort"):
			usePort(path+".adminPort", svc.AdminPort)
		case !portOK:
			// The default admin port follows the port: nothing more to say.
		case svc.AdminPort > 65535:
			ps.errorf(path+".adminPort", fmt.Sprintf("set adminPort to a free port below 65536, or use a port below %d", 65536-AdminPortOffset),
				"the admin port defaults to port + %d = %d, which is out of range", AdminPortOffset, svc.AdminPort)
		default:
			if other, ok := ports[svc.AdminPort]; ok {
				ps.errorf(path+".adminPort", "set adminPort to a free port, or move the port",
					"the admin port defaults to port + %d = %d, which is already used by %s", AdminPortOffset, svc.AdminPort, other)
			} else {
				ports[svc.AdminPort] = path + ".adminPort"
			}
		}
		checkNameLength(path+".name", "service", svc.Name, maxServiceName, "the Grafana dashboard UID "+slo.DashboardUID(svc.Name, "overview")+" must stay within 40 characters", ps)
		validateService(svc, path, ps)
		if other, dup := jobs[svc.Job]; dup && svc.Job != "" && other != svc.Name {
			ps.errorf(path+".job", "give every service its own scrape job", "scrape job %q is also the job of service %s", svc.Job, other)
		} else {
			jobs[svc.Job] = svc.Name
		}
		checkSimBurn(svc, path, ps)
		validateSLONames(svc, path, alerts, ps)
	}
	validateStaticLabels(st, ps)
	validateTargets(st, set, ps)
	validateAlerting(st, ps)
	validateRoutesReach(st, ps)
	validateBudget(st, set, ps)
	validateScale(st, ps)
}

// staticOnlyReserved are label names Prometheus or Alertmanager set on
// alerts, beside reservedLabels, that a static label may not take either.
var staticOnlyReserved = map[string]bool{"alertstate": true, slo.LabelWindow: true}

// validateStaticLabels checks the stack's and each service's static labels:
// valid names that no generated label, Prometheus label or business metric
// label of a service uses (scrape targets carry them, so Prometheus would
// rename the metric's own label to exported_<name>), and plain values.
func validateStaticLabels(st *model.Stack, ps *problems) {
	check := func(labels map[string]string, path string) {
		for _, name := range sortedStringKeys(labels) {
			lPath := path + "." + name
			switch {
			case !labelNameRE.MatchString(name) || strings.HasPrefix(name, "__"):
				ps.errorf(lPath, "use letters, digits and underscores, not starting with __, e.g. env", "%q is not a valid label name", name)
			case reservedLabels[name] || staticOnlyReserved[name]:
				ps.errorf(lPath, "rename the static label (e.g. env, cluster, region); "+name+" is set by stackc, Prometheus or Alertmanager",
					"static label %q collides with a generated label", name)
			}
			v := labels[name]
			if strings.TrimSpace(v) == "" || strings.Contains(v, "{{") || strings.ContainsAny(v, "\r\n\t") {
				ps.errorf(lPath, "use a non-empty value without template braces or line breaks, e.g. 'prod'",
					"static label %s has the value %q", name, v)
			}
		}
	}
	check(st.Labels, "labels")
	for i, svc := range st.Services {
		path := "services" + keyOrIndex(svc.Name, i)
		// svc.Labels holds the stack's labels too (merged by applyDefaults);
		// those were checked above.
		own := map[string]string{}
		for k, v := range svc.Labels {
			if sv, ok := st.Labels[k]; !ok || sv != v {
				own[k] = v
			}
		}
		check(own, path+".labels")
		for j, m := range svc.Metrics {
			for k, l := range m.Labels {
				if _, ok := svc.Labels[l.Name]; !ok {
					continue
				}
				where := path + ".labels." + l.Name
				if _, ok := own[l.Name]; !ok {
					where = "labels." + l.Name
				}
				ps.errorf(fmt.Sprintf("%s.metrics%s.labels%s", path, keyOrIndex(m.Name, j), keyOrIndex(l.Name, k)),
					"rename the metric's label or the static label "+where,
					"label %q of metric %s collides with the static label %s: every scrape target of %s carries it, so Prometheus would rename the metric's own to exported_%s",
					l.Name, m.Name, l.Name, svc.Name, l.Name)
			}
		}
	}
}

// jobRE keeps scrape job names plain: they are label values in every query.
var jobRE = regexp.MustCompile(`^[A-Za-z0-9_.:/-]+$`)

// validateInstrumentation checks the preset, the scrape job and the
// extra selector of a service.
func validateInstrumentation(svc model.Service, path string, ps *problems) {
	if !contains(slo.Presets(), svc.Instrumentation) {
		ps.errorf(path+".instrumentation", "use one of: "+strings.Join(slo.Presets(), ", "),
			"unknown instrumentation preset %q", svc.Instrumentation)
		return
	}
	if svc.Instrumentation == slo.Flask {
		ps.warnf(path+".instrumentation", "create the exporter as PrometheusMetrics(app, group_by='url_rule'); stackc verify reports raw paths",
			"prometheus-flask-exporter labels requests by the raw request path unless the app groups them by url_rule, which is the label stackc reads; raw paths make one series per URL")
	}
	if !jobRE.MatchString(svc.Job) {
		ps.errorf(path+".job", "use letters, digits and _ . : / -, e.g. 'shop'", "scrape job %q is not a plain name", svc.Job)
	}
	for _, k := range sortedStringKeys(svc.Selector) {
		kPath := path + ".selector." + k
		switch {
		case !labelNameRE.MatchString(k) || strings.HasPrefix(k, "__"):
			ps.errorf(kPath, "use letters, digits and underscores, e.g. namespace", "%q is not a valid label name", k)
		case reservedLabels[k]:
			ps.errorf(kPath, "select on a label of your own (e.g. namespace); "+k+" is set by stackc or Prometheus (set the job with job:)", "selector label %q is reserved", k)
		case svc.Labels[k] != "" && svc.Labels[k] != svc.Selector[k]:
			ps.errorf(kPath, "use the same value in both, or drop one", "selector label %s=%q disagrees with the static label %s=%q; both go on the scrape targets", k, svc.Selector[k], k, svc.Labels[k])
		}
		if strings.TrimSpace(svc.Selector[k]) == "" || strings.ContainsAny(svc.Selector[k], "\r\n\t") {
			ps.errorf(kPath, "use a non-empty value without line breaks, e.g. 'shop'", "selector label %s has the value %q", k, svc.Selector[k])
		}
	}
}

func validateService(svc model.Service, path string, ps *problems) {
	validateInstrumentation(svc, path, ps)
	if len(svc.LatencyBuckets) == 0 && svc.Instrumentation != slo.Micrometer {
		ps.errorf(path+".latencyBuckets", "list the bucket bounds in seconds, or leave latencyBuckets out for the defaults", "latency buckets are empty")
	}
	for _, b := range svc.LatencyBuckets {
		if b <= 0 {
			ps.errorf(path+".latencyBuckets", "use positive bounds in seconds, e.g. 0.25 for 250ms", "latency bucket %s is not positive", formatFloat(b))
			break
		}
	}
	for _, t := range svc.Targets {
		if host, port, err := net.SplitHostPort(t); err != nil || host == "" || port == "" {
			ps.errorf(path+".targets", "write scrape targets as host:port, e.g. 127.0.0.1:8080", "scrape target %q is not host:port", t)
		}
	}
	if !sort.Float64sAreSorted(svc.LatencyBuckets) || hasDuplicateFloat(svc.LatencyBuckets) {
		ps.errorf(path+".latencyBuckets", "list the bucket bounds in increasing order without repeats", "latency buckets must be strictly increasing")
	}
	for _, c := range svc.StatusCodes {
		if c < 100 || c > 599 {
			ps.errorf(path+".statusCodes", "use HTTP status codes between 100 and 599", "status code %d is not an HTTP status code", c)
		}
	}
	endpoints := map[string]model.Endpoint{}
	routes := map[string]string{}
	for i, ep := range svc.Endpoints {
		epPath := fmt.Sprintf("%s.endpoints%s", path, keyOrIndex(ep.Name, i))
		if ep.Name == "" {
			ps.errorf(epPath, "name the endpoint: s.endpoint('GET', '/products/{id}', name='get_product')", "endpoint %s %s has no name", ep.Method, ep.Route)
		} else if !endpointRE.MatchString(ep.Name) {
			ps.errorf(epPath+".name", "use lower case letters, digits and underscores, starting with a letter (e.g. get_product)", "endpoint name %q is not valid", ep.Name)
		}
		if _, dup := endpoints[ep.Name]; dup && ep.Name != "" {
			ps.errorf(fmt.Sprintf("%s.endpoints[%d].name", path, i), "give every endpoint of a service a unique name", "duplicate endpoint %q", ep.Name)
		}
		endpoints[ep.Name] = ep
		if err := checkRoute(ep.Route); err != nil {
			ps.errorf(epPath+".route", `write a template like "/products/{id}"`, "route %q: %v", ep.Route, err)
		}
		key := ep.Method + " " + ep.Route
		if other, dup := routes[key]; dup {
			ps.errorf(epPath+".route", "serve each method and route from one endpoint", "%s is already served by endpoint %s", key, other)
		}
		routes[key] = ep.Name
		if !validMethod(ep.Method) {
			ps.errorf(epPath+".method", "use GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS", "method %q is not valid", ep.Method)
		}
		if ep.Sim.ErrorRate < 0 || ep.Sim.ErrorRate > 1 {
			ps.errorf(epPath+".sim.errorRate", "use a share between 0 and 1, e.g. 0.001 for 0.1%", "error rate %v is not between 0 and 1", ep.Sim.ErrorRate)
		}
		if ep.Sim.LatencyP99 < ep.Sim.Latency {
			ps.errorf(epPath+".sim.latencyP99", "make latencyP99 at least the median latency", "latencyP99 %s is below the median latency %s", ep.Sim.LatencyP99, ep.Sim.Latency)
		}
		if ep.Sim.Weight < 0 {
			ps.errorf(epPath+".sim.weight", "use a non-negative traffic weight", "weight %v is negative", ep.Sim.Weight)
		}
		checkNameLength(epPath+".name", "endpoint", ep.Name, maxName, "it becomes a label value, a Go identifier and part of file names", ps)
	}
	if len(svc.Endpoints) > 0 && allZeroWeight(svc.Endpoints) {
		ps.warnf(path+".endpoints", "give at least one endpoint a positive sim weight",
			"every endpoint of service %q has sim weight 0, so the demo's load generator sends it no traffic", svc.Name)
	}
	in := slo.InstrumentationOf(svc)
	metrics := map[string]bool{in.Duration: true, in.Requests: true, in.Presence: true}
	if in.InFlight != "" {
		metrics[in.InFlight] = true
	}
	for i, m := range svc.Metrics {
		validateMetric(m, fmt.Sprintf("%s.metrics%s", path, keyOrIndex(m.Name, i)), fmt.Sprintf("%s.metrics[%d]", path, i), metrics, ps)
	}
	for i, s := range svc.SLOs {
		sPath := fmt.Sprintf("%s.slos%s", path, keyOrIndex(s.Name, i))
		if s.Name == "" {
			ps.errorf(sPath, "name the SLO: s.availability('checkout-availability', ...)", "SLO has no name")
		} else if !nameRE.MatchString(s.Name) {
			ps.errorf(sPath+".name", "use lower case letters, digits and dashes, starting with a letter (e.g. checkout-availability)", "SLO name %q is not valid", s.Name)
		}
		checkNameLength(sPath+".name", "SLO", s.Name, maxName, "it names rule files, rule groups and its burn-rate alert", ps)
		validateSLO(svc, s, sPath, endpoints, ps)
	}
	validateRoutes(svc, path, ps)
}

// sloRef says where an SLO, and so its burn-rate alert, was first defined.
type sloRef struct{ service, name string }

// validateSLONames refuses an SLO whose name, or whose alert name, another
// SLO of the stack already has: the burn-rate alert is named after the SLO
// alone, so two of them would share one alert and its routing and silences.
func validateSLONames(svc model.Service, path string, alerts map[string]sloRef, ps *problems) {
	for i, s := range svc.SLOs {
		if s.Name == "" {
			continue
		}
		alert := slo.BurnAlertName(s)
		first, dup := alerts[alert]
		if !dup {
			alerts[alert] = sloRef{svc.Name, s.Name}
			continue
		}
		namePath := fmt.Sprintf("%s.slos[%d].name", path, i)
		switch {
		case first.name == s.Name && first.service == svc.Name:
			ps.errorf(namePath, "give every SLO a name unique across the stack", "duplicate SLO %q", s.Name)
		case first.name == s.Name:
			ps.errorf(namePath, "give every SLO a name unique across the stack, e.g. "+svc.Name+"-"+s.Name,
				"SLO %q is also defined by service %q; both would raise the alert %s", s.Name, first.service, alert)
		default:
			ps.errorf(namePath, "rename one of the SLOs so their alert names differ",
				"SLO %q gets the same alert name %s as SLO %q of service %q", s.Name, alert, first.name, first.service)
		}
	}
}

// validateRoutes registers every endpoint in a throwaway http.ServeMux the
// way the demo app does, so routes the app could not serve together (the
// mux panics on patterns that overlap without one being more specific) are
// refused here instead of at the app's start-up.
func validateRoutes(svc model.Service, path string, ps *problems) {
	mux := http.NewServeMux()
	var registered []int
	for i, ep := range svc.Endpoints {
		epPath := fmt.Sprintf("%s.endpoints%s", path, keyOrIndex(ep.Name, i))
		if checkRoute(ep.Route) != nil || !validMethod(ep.Method) || duplicateRoute(svc.Endpoints[:i], ep) {
			continue // reported by validateService
		}
		if contains(reservedRoutes, ep.Route) {
			ps.errorf(epPath+".route", "move the endpoint to another route; "+strings.Join(reservedRoutes, ", ")+" are served by the app itself",
				"route %s is reserved", ep.Route)
			continue
		}
		if register(mux, ep) != nil {
			switch other, ok := overlapping(svc.Endpoints, registered, ep); {
			case ok:
				ps.errorf(epPath+".route", "make one route more specific than the other (e.g. a literal segment where the other has a {parameter}), or merge the endpoints",
					"%s overlaps %s of endpoint %s: a request could match both and neither is more specific, so the app's router refuses them",
					muxPattern(ep), muxPattern(other), other.Name)
			default:
				ps.errorf(epPath+".route", `write a template like "/products/{id}"`, "%s cannot be served: %v", muxPattern(ep), register(http.NewServeMux(), ep))
			}
			continue
		}
		registered = append(registered, i)
	}
}

func validateMetric(m model.Metric, path, indexPath string, seen map[string]bool, ps *problems) {
	if !metricNameRE.MatchString(m.Name) || strings.Contains(m.Name, ":") {
		ps.errorf(path+".name", "use letters, digits and underscores, e.g. shop_orders_total (colons are for recording rules)", "%q is not a valid metric name", m.Name)
	}
	if seen[m.Name] {
		ps.errorf(indexPath+".name", "give every metric of a service a unique name (http_* RED metrics are generated)", "duplicate metric %q", m.Name)
	}
	seen[m.Name] = true
	if strings.TrimSpace(m.Help) == "" {
		ps.errorf(path+".help", "describe what the metric counts or measures", "metric %q has no help text", m.Name)
	}
	switch m.Type {
	case model.Counter:
		if !strings.HasSuffix(m.Name, "_total") {
			ps.errorf(path+".name", "rename it to "+m.Name+"_total", "counter %q must end in _total", m.Name)
		}
	case model.Gauge, model.Histogram, model.Summary:
		if strings.HasSuffix(m.Name, "_total") {
			ps.errorf(path+".name", "drop the _total suffix, or make it a counter", "%s %q must not end in _total (the suffix is for counters)", m.Type, m.Name)
		}
	default:
		ps.errorf(path+".type", "use counter, gauge, histogram or summary", "unknown metric type %q", m.Type)
	}
	for _, part := range strings.Split(m.Name, "_") {
		if base, ok := nonBaseUnits[part]; ok {
			ps.errorf(path+".name", "use the base unit "+base+" (Prometheus convention), e.g. "+strings.Replace(m.Name, part, base, 1),
				"metric %q uses the unit %q", m.Name, part)
		}
	}
	if m.Type == model.Histogram {
		if len(m.Buckets) == 0 {
			ps.errorf(path+".buckets", "list the bucket upper bounds, e.g. [5, 10, 25, 50, 100]", "histogram %q has no buckets", m.Name)
		}
		if !sort.Float64sAreSorted(m.Buckets) || hasDuplicateFloat(m.Buckets) {
			ps.errorf(path+".buckets", "list the bucket bounds in increasing order without repeats", "buckets of %q must be strictly increasing", m.Name)
		}
	} else if len(m.Buckets) > 0 {
		ps.errorf(path+".buckets", "remove buckets, or make the metric a histogram", "only histograms have buckets")
	}
	if m.Type == model.Summary {
		for _, o := range m.Objectives {
			if o.Quantile <= 0 || o.Quantile >= 1 || o.Error <= 0 || o.Error >= 1 {
				ps.errorf(path+".objectives", "use quantiles and errors strictly between 0 and 1, e.g. { '0.99': 0.001 }", "objective %v±%v is out of range", o.Quantile, o.Error)
			}
		}
	} else if len(m.Objectives) > 0 {
		ps.errorf(path+".objectives", "remove objectives, or make the metric a summary", "only summaries have objectives")
	}
	labels := map[string]bool{}
	for i, l := range m.Labels {
		lPath := fmt.Sprintf("%s.labels%s", path, keyOrIndex(l.Name, i))
		if !labelNameRE.MatchString(l.Name) || strings.HasPrefix(l.Name, "__") {
			ps.errorf(lPath, "use letters, digits and underscores, not starting with __", "%q is not a valid label name", l.Name)
		}
		if reservedLabels[l.Name] {
			ps.errorf(lPath, "rename the label; "+l.Name+" is set by Prometheus or stackc", "label %q is reserved", l.Name)
		}
		if labels[l.Name] {
			ps.errorf(lPath, "remove the duplicate label", "duplicate label %q", l.Name)
		}
		labels[l.Name] = true
		if len(l.Values) == 0 {
			ps.errorf(lPath, "list every value the label can take, e.g. { payment: ['card', 'paypal'] }", "label %q has no values; labels must be bounded", l.Name)
		}
		values := map[string]bool{}
		for _, v := range l.Values {
			if v == "" || values[v] {
				ps.errorf(lPath, "list each value once and non-empty", "label %q has an empty or repeated value %q", l.Name, v)
			}
			values[v] = true
		}
	}
}

func validateSLO(svc model.Service, s model.SLO, path string, endpoints map[string]model.Endpoint, ps *problems) {
	if len(s.Endpoints) == 0 && s.Kind != model.Raw {
		ps.errorf(path+".endpoints", "name the endpoint(s) the SLO covers, e.g. endpoint='checkout'", "SLO %q covers no endpoint", s.Name)
	}
	listed := map[string]bool{}
	for _, e := range s.Endpoints {
		if _, ok := endpoints[e]; !ok {
			ps.errorf(path+".endpoints", oneOf(sortedEndpointNames(endpoints), "add the endpoint to services["+svc.Name+"].endpoints first; the service has none"),
				"SLO %q references unknown endpoint %q", s.Name, e)
		}
		if listed[e] {
			ps.errorf(path+".endpoints", "list each endpoint once", "SLO %q lists endpoint %q twice", s.Name, e)
		}
		listed[e] = true
	}
	if !(s.Objective > 0 && s.Objective < 100) {
		ps.errorf(path+".objective", "use a percentage strictly between 0 and 100, e.g. 99.9", "objective %v is not strictly between 0 and 100", s.Objective)
		return
	}
	if !validPeriods[time.Duration(s.Period)] {
		ps.errorf(path+".period", "use 7d, 28d or 30d", "period %s is not supported", days(s.Period))
		return
	}
	if s.MinBadEvents == 0 {
		ps.errorf(path+".minBadEvents", "use at least 1 (the default is 10); to turn the low-traffic guard off, set minEventRate: 0",
			"minBadEvents 0 lets every tier fire on any bad event at any traffic, which silently defeats minEventRate")
	}
	if s.MinEventRate < 0 {
		ps.errorf(path+".minEventRate", "use a rate in requests per second, e.g. 0.1", "minEventRate %v is negative", s.MinEventRate)
	}
	if s.MinBadEvents < 0 {
		ps.errorf(path+".minBadEvents", "use a count of bad events, e.g. 10", "minBadEvents %v is negative", s.MinBadEvents)
	}
	for _, d := range s.DisabledTiers {
		if !contains(slo.TierNames(), d) {
			ps.errorf(path+".disabledTiers", "use tier names from: "+strings.Join(slo.TierNames(), ", "), "unknown tier %q", d)
		}
	}
	switch s.Kind {
	case model.Availability:
		if s.Threshold != 0 {
			ps.errorf(path+".threshold", "remove the threshold, or make it a latency SLO", "an availability SLO has no threshold")
		}
	case model.Latency:
		if s.Threshold <= 0 {
			ps.errorf(path+".threshold", "set threshold to a bucket of latencyBuckets, e.g. '300ms'", "latency SLO %q has no threshold", s.Name)
			break
		}
		if len(svc.LatencyBuckets) == 0 {
			in := slo.InstrumentationOf(svc)
			ps.errorf(path+".threshold", in.RequiresBucketsHint(),
				"latency SLO %q needs buckets of %s, and service %s (%s) lists none", s.Name, in.Duration, svc.Name, svc.Instrumentation)
			break
		}
		checkThreshold(svc, s, path, ps)
	case model.Raw:
		validateRaw(svc, s, path, ps)
	default:
		ps.errorf(path+".kind", "use availability, latency or raw (s.availability(...), s.latency(...) or s.raw(...))", "unknown SLO kind %q", s.Kind)
	}
	if len(s.DisabledTiers) > 0 && len(slo.EnabledTiers(s)) == 0 {
		ps.warnf(path+".disabledTiers", "enable at least one tier; keep the SLO only if its dashboards are all you want",
			"SLO %q disables every tier, so it never alerts", s.Name)
	}
	for _, t := range slo.EnabledTiers(s) {
		if !t.CanFire(s) {
			ps.warnf(path+".objective", "raise the objective, or disable the tier with disabledTiers: ['"+t.Name+"']",
				"tier %s can never fire: it needs an error ratio of %.4g%% (%.4g x the %.4g%% error budget), more than every request failing",
				t.Name, 100*t.Threshold(s), t.Factor(time.Duration(s.Period)), 100*s.ErrorBudget())
		}
	}
}

// validateRaw checks a raw SLO's queries: each parses with Prometheus's
// parser once its window placeholder is replaced, selects series by a
// metric name, and, on a service whose metrics stackc knows completely
// (the generated registry exports exactly the spec's metrics), names
// metrics and labels that exist.
func validateRaw(svc model.Service, s model.SLO, path string, ps *problems) {
	if len(s.Endpoints) > 0 {
		ps.errorf(path+".endpoints", "drop endpoints; a raw SLO's queries say what it counts", "raw SLO %q lists endpoints", s.Name)
	}
	if s.Threshold != 0 {
		ps.errorf(path+".threshold", "drop the threshold; a raw SLO's bad query says what is bad", "raw SLO %q has a threshold", s.Name)
	}
	var cat *promlint.Catalog
	if svc.Instrumentation == slo.Registry {
		cat = promlint.ForStack(&model.Stack{Services: []model.Service{svc}})
	}
	for _, f := range []struct{ field, query string }{{"bad", s.Bad}, {"total", s.Total}} {
		q, err := slo.ParseRaw(svc, f.query, "5m")
		if err != nil {
			ps.errorf(path+"."+f.field, "write PromQL for a per-second rate with the window as "+slo.WindowPlaceholder+
				", e.g. 'sum(rate(shop_payment_failures_total["+slo.WindowPlaceholder+"]))'", "%s query of raw SLO %q: %v", f.field, s.Name, err)
			continue
		}
		if cat == nil {
			continue
		}
		if err := promlint.Check(q.String(), cat); err != nil {
			var names []string
			for _, m := range svc.Metrics {
				names = append(names, m.Name)
			}
			ps.errorf(path+"."+f.field, "use the metrics service "+svc.Name+" exports: "+strings.Join(append(names, slo.RequestsTotal, slo.RequestDuration), ", "),
				"%s query of raw SLO %q reads series the service does not export: %v", f.field, s.Name, strings.ReplaceAll(err.Error(), "\n", "; "))
		}
	}
}

// checkThreshold refuses a latency threshold that is not exactly a bucket
// boundary: the SLI would count the wrong requests as slow.
func checkThreshold(svc model.Service, s model.SLO, path string, ps *problems) {
	th := s.Threshold.Seconds()
	for _, b := range svc.LatencyBuckets {
		if math.Abs(b-th) < 1e-9 {
			return
		}
	}
	var below, above float64 = math.NaN(), math.NaN()
	for _, b := range svc.LatencyBuckets {
		if b < th {
			below = b
		} else if math.IsNaN(above) {
			above = b
		}
	}
	hint := fmt.Sprintf("add %s to services[%s].latencyBuckets", formatFloat(th), svc.Name)
	var alts []string
	for _, b := range []float64{below, above} {
		if !math.IsNaN(b) {
			alts = append(alts, model.Duration(time.Duration(b*float64(time.Second))).String())
		}
	}
	if len(alts) > 0 {
		hint += " or use " + strings.Join(alts, " or ")
	}
	ps.errorf(path+".threshold", hint, "threshold %s is not a bucket of %s (buckets: %s)", s.Threshold, slo.InstrumentationOf(svc).Duration, formatFloats(svc.LatencyBuckets))
}

func validateAlerting(st *model.Stack, ps *problems) {
	a := st.Alerting
	receivers := map[string]bool{}
	for _, r := range a.Receivers {
		receivers[r.Name] = true
		validateReceiver(r, "alerting.receivers."+r.Name, ps)
	}
	names := make([]string, 0, len(receivers))
	for n := range receivers {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(a.Receivers) == 0 {
		ps.errorf("alerting.receivers", "add a receiver, e.g. receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') }", "no receivers: alerts would reach nobody")
	}
	noReceivers := "add the receiver to alerting.receivers first; there are none"
	if a.DefaultReceiver == "" && len(a.Receivers) > 1 {
		ps.errorf("alerting.defaultReceiver", "set defaultReceiver to one of: "+strings.Join(names, ", "), "no default receiver for alerts no route matches")
	} else if a.DefaultReceiver != "" && !receivers[a.DefaultReceiver] {
		ps.errorf("alerting.defaultReceiver", oneOf(names, noReceivers), "unknown receiver %q", a.DefaultReceiver)
	}
	checkTimers("alerting", a.GroupInterval, a.RepeatInterval, ps)
	known := alertLabelValues(st)
	for i, r := range a.Routes {
		path := fmt.Sprintf("alerting.routes[%d]", i)
		if !receivers[r.Receiver] {
			ps.errorf(path+".receiver", oneOf(names, noReceivers), "unknown receiver %q", r.Receiver)
		}
		var gi, ri model.Duration = 1, 1
		if r.GroupInterval != nil {
			gi = *r.GroupInterval
		}
		if r.RepeatInterval != nil {
			ri = *r.RepeatInterval
		}
		checkTimers(path, gi, ri, ps)
		if len(r.Match) == 0 {
			ps.errorf(path+".match", "match at least one label, e.g. { severity: 'page' }", "route matches nothing in particular; use defaultReceiver for a catch-all")
		}
		for _, l := range sortedStringKeys(r.Match) {
			values, ok := known[l]
			if !ok {
				ps.errorf(path+".match."+l, "match on one of: "+strings.Join(sortedStringKeys(known), ", "), "no generated alert carries the label %q", l)
				continue
			}
			if !values[r.Match[l]] {
				ps.errorf(path+".match."+l, "use one of: "+strings.Join(sortedStringKeys(values), ", "), "no generated alert has %s=%q", l, r.Match[l])
			}
		}
	}
	used := map[string]bool{a.DefaultReceiver: true}
	for _, r := range a.Routes {
		used[r.Receiver] = true
	}
	for _, n := range names {
		if !used[n] {
			ps.warnf("alerting.receivers."+n, "route some alerts to it, or remove it", "receiver %q receives no alerts", n)
		}
	}
	for i, l := range a.GroupBy {
		lPath := fmt.Sprintf("alerting.groupBy[%d]", i)
		switch _, carried := known[l]; {
		case l == "...":
		case !labelNameRE.MatchString(l):
			ps.errorf(lPath, "use label names, e.g. ['alertname', 'service', 'slo']", "%q is not a label name", l)
		case !carried:
			ps.warnf(lPath, "group by labels the alerts carry: "+strings.Join(sortedStringKeys(known), ", "),
				"no generated alert carries the label %q, so grouping by it changes nothing", l)
		}
	}
}

// alertLabelValues lists the values each routable label takes on the
// generated alerts, so a route that can match nothing is caught.
func alertLabelValues(st *model.Stack) map[string]map[string]bool {
	known := map[string]map[string]bool{
		slo.LabelSeverity: {string(slo.Page): true, string(slo.Ticket): true},
		slo.LabelTier:     {},
		slo.LabelService:  {},
		slo.LabelTeam:     {},
		slo.LabelSLO:      {},
		"alertname":       {},
	}
	for _, sev := range []slo.Severity{slo.Page, slo.Ticket} {
		known[slo.LabelTier][slo.BurnAlert{Severity: sev}.TierLabel()] = true
	}
	for _, svc := range st.Services {
		for k, v := range svc.Labels {
			if known[k] == nil {
				known[k] = map[string]bool{}
			}
			known[k][v] = true
		}
		known[slo.LabelService][svc.Name] = true
		known[slo.LabelTeam][svc.Team] = true
		known["alertname"][slo.TargetDownAlertName(svc)] = true
		known["alertname"][slo.MetricsAbsentAlertName(svc)] = true
		for _, s := range svc.SLOs {
			known[slo.LabelSLO][s.Name] = true
			known["alertname"][slo.BurnAlertName(s)] = true
		}
	}
	return known
}

// secretLooking flags values that should have been file references.
var secretLooking = regexp.MustCompile(`(?i)(hooks\.slack\.com|://[^/\s]*:[^@/\s]+@|token=|key=|secret=|password=)`)

// singleLabelRE is a host name without dots, such as a Compose service
// name. It starts with a letter: some resolvers read "2130706433" or
// "0x8080808" as an IP address.
var singleLabelRE = regexp.MustCompile(`^[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?$`)

// validateWebhookURL accepts an inline webhook URL only when it cannot hold
// a secret: hosted webhooks (Slack, Discord, Teams, ...) carry their token in
// the path, which no pattern can tell from an ordinary path, so any URL that
// leaves this machine or its container network must come from urlFile and
// stay out of out/.
func validateWebhookURL(r model.Receiver, path string, ps *problems) {
	const toFile = "move the URL into a file and reference it with urlFile"
	u, err := url.Parse(r.URL)
	switch {
	case secretLooking.MatchString(r.URL):
		ps.errorf(path, toFile, "webhook URL of %q looks like it embeds a secret; secrets are only accepted as file references", r.Name)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		ps.errorf(path, "use an absolute http or https URL, e.g. 'http://127.0.0.1:9095/alerts'", "webhook URL %q of %q is not an http(s) URL", r.URL, r.Name)
	case u.User != nil:
		ps.errorf(path, toFile, "webhook URL of %q holds credentials; secrets are only accepted as file references", r.Name)
	case u.RawQuery != "" || u.ForceQuery:
		ps.errorf(path, toFile, "webhook URL of %q has a query string, where tokens go; secrets are only accepted as file references", r.Name)
	case !localHost(u.Hostname()):
		ps.errorf(path, toFile+" (inline URLs may only name loopback or a single-label service such as inbox)",
			"webhook URL of %q points at %s beyond this machine; such URLs carry a secret in their path, and secrets are only accepted as file references", r.Name, u.Hostname())
	}
}

// localHost reports whether host is loopback or a single-label name (a
// container or service on the stack's own network).
func localHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return singleLabelRE.MatchString(host) && !strings.HasPrefix(strings.ToLower(host), "0x")
}

func validateReceiver(r model.Receiver, path string, ps *problems) {
	fileField := func(field, value, what string) {
		if value == "" {
			ps.errorf(path+"."+field, "point "+field+" at a file that holds the "+what+", e.g. '/etc/alertmanager/secrets/"+r.Name+"'", "%s receiver %q needs %s", r.Type, r.Name, field)
		} else if strings.Contains(value, "://") || strings.ContainsAny(value, " \t\n") {
			ps.errorf(path+"."+field, "write the "+what+" into a file and set "+field+" to the file's path", "%s of %q looks like the secret itself, not a file path; secrets are only accepted as file references", field, r.Name)
		}
	}
	switch r.Type {
	case model.Webhook:
		if (r.URL == "") == (r.URLFile == "") {
			ps.errorf(path, "set exactly one of url or urlFile", "webhook receiver %q needs exactly one of url or urlFile", r.Name)
		}
		if r.URL != "" {
			validateWebhookURL(r, path+".url", ps)
		}
		if r.URLFile != "" {
			fileField("urlFile", r.URLFile, "webhook URL")
		}
	case model.Email:
		if r.To == "" || r.From == "" || r.Smarthost == "" {
			ps.errorf(path, "set to, from and smarthost (host:port)", "email receiver %q needs to, from and smarthost", r.Name)
		} else if _, _, err := net.SplitHostPort(r.Smarthost); err != nil {
			ps.errorf(path+".smarthost", "write the SMTP server as host:port, e.g. 'smtp.example.com:587'", "smarthost %q of %q is not host:port", r.Smarthost, r.Name)
		}
		if r.AuthPasswordFile != "" && r.AuthUsername == "" {
			ps.errorf(path+".authUsername", "set authUsername, or drop authPasswordFile", "email receiver %q has a password file but no authUsername", r.Name)
		}
		if r.AuthUsername != "" {
			fileField("authPasswordFile", r.AuthPasswordFile, "SMTP password")
		}
	case model.Slack:
		fileField("apiURLFile", r.APIURLFile, "Slack webhook URL")
		if r.Channel == "" {
			ps.errorf(path+".channel", "name the channel, e.g. '#alerts'", "slack receiver %q needs a channel", r.Name)
		}
	case model.PagerDuty:
		fileField("routingKeyFile", r.RoutingKeyFile, "Events API v2 routing key")
	default:
		ps.errorf(path+".type", "use s.webhook, s.email, s.slack or s.pagerduty", "unknown receiver type %q", r.Type)
	}
}

// SeriesCount is the worst-case number of series one metric can expose
// (slo.SeriesCount).
type SeriesCount = slo.SeriesCount

// WorstCaseSeries returns every metric's worst-case series count, largest
// first (slo.WorstCaseSeries).
func WorstCaseSeries(st *model.Stack) []SeriesCount { return slo.WorstCaseSeries(st) }

func validateBudget(st *model.Stack, set explicit, ps *problems) {
	if st.SeriesBudget < 1 {
		return // reported already
	}
	counts := WorstCaseSeries(st)
	total := 0
	for _, c := range counts {
		total += c.Series
	}
	if total <= st.SeriesBudget {
		return
	}
	var top []string
	for i, c := range counts {
		if i == 3 {
			break
		}
		top = append(top, fmt.Sprintf("%s %s %d", c.Service, c.Metric, c.Series))
	}
	// Point at the budget when the spec sets it, else at the declaration
	// of the largest metric, where the fix usually is.
	path := "seriesBudget"
	if !set.has("seriesBudget") {
		path = largestDeclaration(st, counts[0])
	}
	ps.errorf(path, "raise seriesBudget, or drop label values of the largest metrics",
		"worst case of %d series exceeds the budget of %d (largest: %s)", total, st.SeriesBudget, strings.Join(top, ", "))
}

// largestDeclaration is the JSON path of the spec value that declares the
// metric of c: a business metric, or the endpoints that multiply the
// automatic request metrics.
func largestDeclaration(st *model.Stack, c SeriesCount) string {
	for i, svc := range st.Services {
		if svc.Name != c.Service {
			continue
		}
		path := "services" + keyOrIndex(svc.Name, i)
		for j, m := range svc.Metrics {
			if m.Name == c.Metric {
				return fmt.Sprintf("%s.metrics%s", path, keyOrIndex(m.Name, j))
			}
		}
		return path + ".endpoints"
	}
	return "seriesBudget"
}

func checkRoute(route string) error {
	if !strings.HasPrefix(route, "/") {
		return fmt.Errorf("must start with /")
	}
	if route == "/" {
		return nil
	}
	params := map[string]bool{}
	for _, seg := range strings.Split(route[1:], "/") {
		if !segmentRE.MatchString(seg) {
			return fmt.Errorf("segment %q is neither a literal nor a {parameter}", seg)
		}
		if strings.HasPrefix(seg, "{") {
			if params[seg] {
				return fmt.Errorf("parameter %s appears twice", seg)
			}
			params[seg] = true
		}
	}
	return nil
}

func validMethod(m string) bool {
	return contains([]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}, m)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func keyOrIndex(name string, i int) string {
	if name != "" && len(name) <= maxName && !strings.ContainsAny(name, "[]") {
		return "[" + name + "]"
	}
	return fmt.Sprintf("[%d]", i)
}

func hasDuplicateFloat(fs []float64) bool {
	for i := 1; i < len(fs); i++ {
		if fs[i] == fs[i-1] {
			return true
		}
	}
	return false
}

func sortedEndpointNames(m map[string]model.Endpoint) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func sortedStringKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// days writes a period the way the spec does (14d), not as Prometheus
// would (2w).
func days(d model.Duration) string {
	if d == 0 {
		return "0d"
	}
	if d > 0 && time.Duration(d)%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", time.Duration(d)/(24*time.Hour))
	}
	return d.String()
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func formatFloats(fs []float64) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = formatFloat(f)
	}
	return strings.Join(parts, " ")
}

// muxPattern is the http.ServeMux pattern the demo app serves an endpoint
// at: a trailing slash would otherwise match the whole subtree.
func muxPattern(ep model.Endpoint) string {
	route := ep.Route
	if strings.HasSuffix(route, "/") {
		route += "{$}"
	}
	return ep.Method + " " + route
}

// register adds ep to mux and turns the mux's panic into an error.
func register(mux *http.ServeMux, ep model.Endpoint) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	mux.Handle(muxPattern(ep), http.NotFoundHandler())
	return nil
}

// overlapping returns the registered endpoint ep cannot be served beside.
func overlapping(eps []model.Endpoint, registered []int, ep model.Endpoint) (model.Endpoint, bool) {
	for _, j := range registered {
		pair := http.NewServeMux()
		if register(pair, eps[j]) == nil && register(pair, ep) != nil {
			return eps[j], true
		}
	}
	return model.Endpoint{}, false
}

func duplicateRoute(eps []model.Endpoint, ep model.Endpoint) bool {
	for _, e := range eps {
		if e.Method == ep.Method && e.Route == ep.Route {
			return true
		}
	}
	return false
}

// validateIntervals refuses scrape and evaluation intervals too coarse for
// the shortest alert window (the page's 5m short window): rate() over it
// would see too few samples, and the fast rule group recording it would
// lag, so SLOs would alert late or never.
func validateIntervals(st *model.Stack, ps *problems) {
	shortest := slo.Tiers[0].Short
	for _, t := range slo.Tiers {
		shortest = min(shortest, t.Short)
	}
	window := model.Duration(shortest)
	for _, iv := range []struct {
		field string
		d     model.Duration
	}{{"scrapeInterval", st.ScrapeInterval}, {"evaluationInterval", st.EvaluationInterval}} {
		if iv.d <= 0 {
			ps.errorf(iv.field, "use a positive interval such as '15s', or leave it out for the profile's default", "%s %s is not positive", iv.field, iv.d)
		}
	}
	if maxScrape := shortest / minRateSamples; time.Duration(st.ScrapeInterval) > maxScrape {
		ps.errorf("scrapeInterval", fmt.Sprintf("scrape at most every %s, e.g. scrapeInterval: '15s'", model.Duration(maxScrape)),
			"scrape interval %s leaves fewer than %d samples in the %s rate window of the page alerts, so they would fire late or never",
			st.ScrapeInterval, minRateSamples, window)
	}
	if maxEval := shortest / minRuleRuns; time.Duration(st.EvaluationInterval) > maxEval {
		ps.errorf("evaluationInterval", fmt.Sprintf("evaluate at most every %s, e.g. evaluationInterval: '30s'", model.Duration(maxEval)),
			"evaluation interval %s runs the fast rule group fewer than %d times per %s short window of the page alerts, so pages would lag a whole window",
			st.EvaluationInterval, minRuleRuns, window)
	}
}

// reservedServiceNames are the stack's own servers; a spec service of that
// name would collide with them in the Compose file.
var reservedServiceNames = []string{"prometheus", "alertmanager", "grafana", "inbox"}

// checkDerivedNames refuses service names whose derived names collide: the
// registry's Go package drops the dashes (shop-api and shopapi would both be
// package shopapi), and Compose runs each service's traffic generator as
// <name>-load beside the stack's own servers. The targets keep their own
// checks as internal guards; here the error can point into the spec.
func checkDerivedNames(name, path string, derived map[string]string, ps *problems) {
	if name == "" {
		return
	}
	if contains(reservedServiceNames, name) || strings.HasSuffix(name, "-load") {
		ps.errorf(path, "rename the service; "+strings.Join(reservedServiceNames, ", ")+" and names ending in -load are the stack's own containers",
			"service name %q is reserved", name)
	}
	key := strings.ReplaceAll(name, "-", "")
	if other, ok := derived[key]; ok && other != name {
		ps.errorf(path, "make the names differ in more than dashes",
			"service %q and service %q would share the Go package %s", name, other, key)
	}
	derived[key] = name
}
