package spec

import (
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Name length limits. A service name is part of its Grafana dashboards'
// UIDs (stackc-<service>-overview), which Grafana caps at 40 characters;
// SLO and endpoint names end up in file names, rule group names, alert
// names and Go identifiers, and 63 (a DNS label, a Kubernetes name) keeps
// every one of them within its limits.
const (
	maxServiceName = 40 - len("stackc-") - len("-overview")
	maxName        = 63
)

// checkNameLength refuses a name longer than max, saying why the limit exists.
func checkNameLength(path, what, name string, max int, why string, ps *problems) {
	if len(name) <= max {
		return
	}
	shown := name[:20] + "..."
	ps.errorf(path, fmt.Sprintf("shorten it to at most %d characters", max),
		"%s name %q is %d characters long, more than %d: %s", what, shown, len(name), max, why)
}

// oneOf is the hint that lists the valid choices, or says what to do when
// there are none (instead of an empty "use one of: ").
func oneOf(names []string, none string) string {
	if len(names) == 0 {
		return none
	}
	return "use one of: " + strings.Join(names, ", ")
}

// templateText reports whether s holds text that a template engine or a
// shell would expand: Go templates (alert annotations are templates) and
// ${VAR} (Compose interpolates it).
func templateText(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "}}") || strings.Contains(s, "$")
}

// validateGrafanaURL checks network.grafanaURL, which alert annotations
// and the Compose file carry verbatim: it must be a plain absolute http(s)
// URL, without template text or credentials.
func validateGrafanaURL(raw string, ps *problems) {
	const path = "network.grafanaURL"
	const hint = "use an absolute http or https URL, e.g. 'https://grafana.example.com'"
	u, err := url.Parse(raw)
	switch {
	case templateText(raw):
		ps.errorf(path, hint+"; alert annotations expand {{ }} and Compose expands $, so neither may appear",
			"Grafana URL %q holds template or variable text", raw)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(raw, " \t\r\n\"'`<>\\"):
		ps.errorf(path, hint, "Grafana URL %q is not a plain http(s) URL", raw)
	case u.User != nil:
		ps.errorf(path, "drop the credentials; the URL is printed into every alert", "Grafana URL %q holds credentials", raw)
	case u.RawQuery != "" || u.Fragment != "":
		ps.errorf(path, "drop the query and fragment; dashboard links are appended to the URL", "Grafana URL %q has a query or fragment", raw)
	}
}

// validateTargets refuses scrape targets that would mix up services: a
// target listed twice (its series would be scraped twice under one job), a
// target two services share (one service's SLOs would read the other's
// traffic), and a target on one of the stack's own servers.
func validateTargets(st *model.Stack, set explicit, ps *problems) {
	stackPorts := map[int]string{
		st.Network.PrometheusPort:   "Prometheus (network.prometheusPort)",
		st.Network.AlertmanagerPort: "Alertmanager (network.alertmanagerPort)",
		st.Network.GrafanaPort:      "Grafana (network.grafanaPort)",
		st.Network.InboxPort:        "the alert inbox (network.inboxPort)",
	}
	owner := map[string]string{} // normalised target -> service
	for i, svc := range st.Services {
		if !set.has(fmt.Sprintf("services[%d].targets", i)) {
			// The default target follows the port, whose problems are
			// reported at the port.
			continue
		}
		path := "services" + keyOrIndex(svc.Name, i) + ".targets"
		seen := map[string]bool{}
		for _, t := range svc.Targets {
			host, portText, err := net.SplitHostPort(t)
			if err != nil || host == "" || portText == "" {
				continue // reported by validateService
			}
			key := normalTarget(host, portText, st.Network.BindAddress)
			switch other, shared := owner[key]; {
			case seen[key]:
				ps.errorf(path, "list each target once", "scrape target %q of service %q is listed twice", t, svc.Name)
				continue
			case shared && other != svc.Name:
				ps.errorf(path, "give every service its own targets (host:port of its own instances)",
					"scrape target %q of service %q is also a target of service %q, so each service's SLOs would read the other's traffic", t, svc.Name, other)
			}
			seen[key] = true
			owner[key] = svc.Name
			port, err := strconv.Atoi(portText)
			if server, ok := stackPorts[port]; ok && err == nil && isLocalTarget(host, st.Network.BindAddress) {
				ps.errorf(path, "point the target at the service's own port",
					"scrape target %q of service %q is %s, one of the stack's own servers", t, svc.Name, server)
			}
		}
	}
}

// normalTarget names a target so that spellings of one address compare
// equal: localhost and the loopback and bind addresses are one host.
func normalTarget(host, port, bind string) string {
	if isLocalTarget(host, bind) {
		host = "local"
	}
	return strings.ToLower(host) + ":" + port
}

// isLocalTarget reports whether a target host is this machine, where the
// stack's own servers listen.
func isLocalTarget(host, bind string) bool {
	if strings.EqualFold(host, "localhost") || host == bind || host == hostFor(bind) {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// validateRoutesReach warns about routes no generated alert reaches: one
// whose labels no alert carries together, and one that only matches alerts
// an earlier route without continue has already taken (Alertmanager stops
// at the first matching route). Both are warnings: the config is valid,
// just not what its author meant.
func validateRoutesReach(st *model.Stack, ps *problems) {
	alerts := slo.AlertLabelSets(st)
	known := alertLabelValues(st)
	taken := make([]int, len(alerts)) // the route that stops each alert, -1 for none
	for i := range taken {
		taken[i] = -1
	}
	for i, r := range st.Alerting.Routes {
		if len(r.Match) == 0 || !knownMatch(r.Match, known) {
			continue // an error already
		}
		path := fmt.Sprintf("alerting.routes[%d]", i)
		matched, reached := 0, 0
		shadow := map[int]bool{}
		for j, a := range alerts {
			if !matches(r.Match, a) {
				continue
			}
			matched++
			if taken[j] >= 0 {
				shadow[taken[j]] = true
				continue
			}
			reached++
			if !r.Continue {
				taken[j] = i
			}
		}
		switch {
		case matched == 0:
			ps.warnf(path+".match", "match labels that one alert carries together; routing.md lists every alert's labels",
				"no generated alert has all of %s, so this route never receives anything", matchText(r.Match))
		case reached == 0:
			var earlier []string
			for k := range shadow {
				earlier = append(earlier, fmt.Sprintf("routes[%d]", k))
			}
			sort.Strings(earlier)
			ps.warnf(path+".match", "move this route before "+strings.Join(earlier, " and ")+", or add continue: true there",
				"every alert this route matches is taken first by %s (without continue), so it never receives anything", strings.Join(earlier, " and "))
		}
	}
}

// knownMatch reports whether every label and value of match is one some
// alert has (validateAlerting refuses the others).
func knownMatch(match map[string]string, known map[string]map[string]bool) bool {
	for k, v := range match {
		if !known[k][v] {
			return false
		}
	}
	return true
}

func matches(match map[string]string, labels map[string]string) bool {
	for k, v := range match {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func matchText(match map[string]string) string {
	parts := make([]string, 0, len(match))
	for _, k := range sortedStringKeys(match) {
		parts = append(parts, k+"="+strconv.Quote(match[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// checkTimers refuses notification intervals Alertmanager rejects.
func checkTimers(path string, groupInterval, repeatInterval model.Duration, ps *problems) {
	if groupInterval <= 0 {
		ps.errorf(path+".groupInterval", "use a positive interval such as '5m'; groupWait may be 0s, groupInterval may not", "group interval %s is not positive", groupInterval)
	}
	if repeatInterval <= 0 {
		ps.errorf(path+".repeatInterval", "use a positive interval such as '4h'", "repeat interval %s is not positive", repeatInterval)
	}
}

func allZeroWeight(eps []model.Endpoint) bool {
	for _, ep := range eps {
		if ep.Sim.Weight != 0 {
			return false
		}
	}
	return true
}
