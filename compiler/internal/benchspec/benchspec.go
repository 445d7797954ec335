// Package benchspec writes the large specs the speed benchmarks compile: N
// services with five endpoints each, and per endpoint one availability and
// one latency SLO (10 SLOs per service), as a stackc Jsonnet spec and as the
// equivalent Sloth prometheus/v1 multi-document YAML.
package benchspec

import (
	"fmt"
	"strings"
)

// EndpointsPerService is the number of endpoints of every service; each has
// one availability and one latency SLO.
const EndpointsPerService = 5

// SLOsPerService is the number of SLOs of every service.
const SLOsPerService = 2 * EndpointsPerService

// Objectives of the generated SLOs, in percent, and the latency threshold.
const (
	AvailabilityObjective = 99.9
	LatencyObjective      = 99.0
	LatencyThreshold      = "250ms"
	latencyThresholdLe    = "0.25"
)

// Stack returns a stackc spec of services services, written the way a user
// would write it.
func Stack(services int) string {
	var b strings.Builder
	b.WriteString("local s = import 'stackc.libsonnet';\n\ns.stack {\n")
	fmt.Fprintf(&b, "  seriesBudget: %d,\n  services: [\n", 1000*services+10000)
	for i := range services {
		fmt.Fprintf(&b, "    s.service('svc%d', team='team%d', port=%d) {\n      endpoints: [\n", i, i%7, 20000+i)
		for j := range EndpointsPerService {
			fmt.Fprintf(&b, "        s.endpoint('GET', '/r%d/{id}', name='ep%d'),\n", j, j)
		}
		b.WriteString("      ],\n      slos: [\n")
		for j := range EndpointsPerService {
			fmt.Fprintf(&b, "        s.availability('svc%d-ep%d-availability', endpoint='ep%d', objective=%g),\n", i, j, j, AvailabilityObjective)
			fmt.Fprintf(&b, "        s.latency('svc%d-ep%d-latency', endpoint='ep%d', threshold='%s', objective=%g),\n", i, j, j, LatencyThreshold, LatencyObjective)
		}
		b.WriteString("      ],\n    },\n")
	}
	b.WriteString(End)
	return b.String()
}

// End closes a generated spec's list of services and gives it the alerting
// every generated spec has: pages to one webhook, tickets to another, both
// on the demo inbox's port.
const End = `  ],
  alerting: {
    defaultReceiver: 'tickets',
    receivers: {
      oncall: s.webhook('http://127.0.0.1:9095/alerts'),
      tickets: s.webhook('http://127.0.0.1:9095/tickets'),
    },
    routes: [s.route({ severity: 'page' }, 'oncall'), s.route({ severity: 'ticket' }, 'tickets')],
  },
}
`

// Sloth returns the same SLOs as Stack for Sloth's `generate`: one
// prometheus/v1 document per service, with the same SLIs written as Sloth
// event queries over the same metrics, and a page and a ticket alert each.
func Sloth(services int) string {
	var b strings.Builder
	for i := range services {
		if i > 0 {
			b.WriteString("---\n")
		}
		fmt.Fprintf(&b, "version: prometheus/v1\nservice: svc%d\nlabels:\n  team: team%d\nslos:\n", i, i%7)
		for j := range EndpointsPerService {
			sel := fmt.Sprintf(`job="svc%d",endpoint="ep%d"`, i, j)
			writeSlothSLO(&b, fmt.Sprintf("svc%d-ep%d-availability", i, j), AvailabilityObjective,
				fmt.Sprintf(`sum(rate(http_requests_total{%s,code=~"5.."}[{{.window}}]))`, sel),
				fmt.Sprintf(`sum(rate(http_requests_total{%s}[{{.window}}]))`, sel),
				fmt.Sprintf("Svc%dEp%dAvailability", i, j))
			writeSlothSLO(&b, fmt.Sprintf("svc%d-ep%d-latency", i, j), LatencyObjective,
				fmt.Sprintf(`sum(rate(http_request_duration_seconds_count{%s}[{{.window}}])) - sum(rate(http_request_duration_seconds_bucket{%s,le="%s"}[{{.window}}]))`, sel, sel, latencyThresholdLe),
				fmt.Sprintf(`sum(rate(http_request_duration_seconds_count{%s}[{{.window}}]))`, sel),
				fmt.Sprintf("Svc%dEp%dLatency", i, j))
		}
	}
	return b.String()
}

func writeSlothSLO(b *strings.Builder, name string, objective float64, errorQuery, totalQuery, alert string) {
	fmt.Fprintf(b, "  - name: %s\n    objective: %g\n    sli:\n      events:\n", name, objective)
	fmt.Fprintf(b, "        error_query: '%s'\n        total_query: '%s'\n", errorQuery, totalQuery)
	fmt.Fprintf(b, "    alerting:\n      name: %s\n      page_alert:\n        labels:\n          severity: page\n      ticket_alert:\n        labels:\n          severity: ticket\n", alert)
}
