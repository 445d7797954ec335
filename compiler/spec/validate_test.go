package spec

import (
	"errors"
	"strings"
	"testing"
)

// loadPatched loads minimal with patch merged over it and returns every
// problem as "path: message", errors first, then warnings prefixed with
// "warning: ".
func loadPatched(t *testing.T, patch string) []string {
	t.Helper()
	src := minimal
	if patch != "" {
		src = strings.TrimSpace(minimal) + " + " + patch
	}
	res, err := Load("p.jsonnet", []byte(src), Options{})
	var out []string
	var specErr *Error
	switch {
	case errors.As(err, &specErr):
		for _, p := range specErr.Problems {
			out = append(out, p.Path+": "+p.Message)
		}
	case err != nil:
		t.Fatalf("load: %v", err)
	}
	if res != nil {
		for _, w := range res.Warnings {
			out = append(out, "warning: "+w.Path+": "+w.Message)
		}
	}
	return out
}

// checkProblems wants exactly the problems that hold each fragment, in order.
func checkProblems(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
		}
	}
}

// TestIntervalBounds: the 5m rate window needs 4 samples (scrape <= 75s),
// and the fast rule group must run 5 times per 5m window (evaluation <= 1m).
func TestIntervalBounds(t *testing.T) {
	for _, tc := range []struct {
		name, patch string
		want        []string
	}{
		{"at the bounds", `{ scrapeInterval: '1m', evaluationInterval: '1m' }`, nil},
		{"scrape at its bound", `{ scrapeInterval: '75s', evaluationInterval: '1m' }`,
			[]string{"warning: evaluationInterval: evaluation interval 1m is shorter than the scrape interval 1m15s"}},
		{"scrape too coarse", `{ scrapeInterval: '76s', evaluationInterval: '1m' }`,
			[]string{"scrapeInterval: scrape interval 1m16s leaves fewer than 4 samples in the 5m rate window", "warning: evaluationInterval: "}},
		{"evaluation too coarse", `{ evaluationInterval: '61s' }`,
			[]string{"evaluationInterval: evaluation interval 1m1s runs the fast rule group fewer than 5 times per 5m"}},
		{"both, and the old warning stays", `{ scrapeInterval: '5m', evaluationInterval: '2m' }`,
			[]string{"scrapeInterval: ", "evaluationInterval: ", "warning: evaluationInterval: evaluation interval 2m is shorter than the scrape interval 5m"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, loadPatched(t, tc.patch), tc.want)
		})
	}
}

// TestWebhookURLs: an inline URL may only name loopback or a single-label
// host, and never carry credentials or a query.
func TestWebhookURLs(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want string // "" when accepted
	}{
		{"http://127.0.0.1:9095/alerts", ""},
		{"http://127.8.9.10:9095/alerts", ""},
		{"http://[::1]:9095/alerts", ""},
		{"http://localhost:9095/alerts", ""},
		{"http://LocalHost/alerts", ""},
		{"http://inbox:9095/alerts", ""},
		{"https://alert-bridge/hook#frag", ""},
		{"https://discord.com/api/webhooks/1234/abcdef", "points at discord.com beyond this machine"},
		{"https://shop.webhook.office.com/webhookb2/x/IncomingWebhook/y/z", "points at shop.webhook.office.com"},
		{"https://hooks.slack.com/services/T0/B0/XXXX", "embeds a secret"},
		{"http://10.0.0.7:8080/hook", "points at 10.0.0.7"},
		{"http://[2001:db8::1]/hook", "points at 2001:db8::1"},
		{"http://2130706433/hook", "points at 2130706433"},
		{"http://0x7f000001/hook", "points at 0x7f000001"},
		{"http://localhost./hook", "points at localhost."},
		{"http://bot@inbox:9095/alerts", "holds credentials"},
		{"http://bot:pw@127.0.0.1/alerts", "embeds a secret"},
		{"http://127.0.0.1:9095/alerts?auth=abc", "has a query string"},
		{"http://127.0.0.1:9095/alerts?", "has a query string"},
		{"ftp://127.0.0.1/alerts", "is not an http(s) URL"},
		{"inbox:9095/alerts", "is not an http(s) URL"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			got := loadPatched(t, `{ alerting+: { receivers: { oncall: s.webhook(`+jsonnetString(tc.url)+`) } } }`)
			var want []string
			if tc.want != "" {
				want = []string{"alerting.receivers.oncall.url: " + `webhook URL `}
			}
			checkProblems(t, got, want)
			if tc.want != "" && !strings.Contains(got[0], tc.want) {
				t.Errorf("%q, want it to contain %q", got[0], tc.want)
			}
			if tc.want != "" && !strings.Contains(got[0], "secret") && !strings.Contains(got[0], "not an http(s) URL") {
				t.Errorf("%q does not say why: secrets are file references", got[0])
			}
		})
	}
}

// TestRouteConflicts registers routes the way the demo app's ServeMux does.
func TestRouteConflicts(t *testing.T) {
	for _, tc := range []struct {
		name      string
		endpoints string
		want      []string
	}{
		{"different methods", `s.endpoint('GET', '/{x}/b', 'a'), s.endpoint('POST', '/a/{y}', 'b')`, nil},
		{"literal beats parameter", `s.endpoint('GET', '/a/{y}', 'a'), s.endpoint('GET', '/a/b', 'b'), s.endpoint('GET', '/{x}', 'c')`, nil},
		{"GET and HEAD", `s.endpoint('GET', '/a', 'a'), s.endpoint('HEAD', '/a', 'b')`, nil},
		{"root", `s.endpoint('GET', '/', 'a'), s.endpoint('GET', '/{x}', 'b')`, nil},
		{"crossed parameters", `s.endpoint('GET', '/{x}/b', 'a'), s.endpoint('GET', '/a/{y}', 'b')`,
			[]string{"services[shop].endpoints[b].route: GET /a/{y} overlaps GET /{x}/b of endpoint a"}},
		{"renamed parameter", `s.endpoint('PUT', '/items/{id}', 'a'), s.endpoint('PUT', '/items/{item}', 'b')`,
			[]string{"services[shop].endpoints[b].route: PUT /items/{item} overlaps PUT /items/{id} of endpoint a"}},
		{"exact duplicate reported once", `s.endpoint('GET', '/a', 'a'), s.endpoint('GET', '/a', 'b')`,
			[]string{"services[shop].endpoints[b].route: GET /a is already served by endpoint a"}},
		{"reserved", `s.endpoint('GET', '/a', 'a'), s.endpoint('GET', '/metrics', 'b'), s.endpoint('POST', '/healthz', 'c'), s.endpoint('GET', '/readyz', 'd')`,
			[]string{"endpoints[b].route: route /metrics is reserved", "endpoints[c].route: route /healthz is reserved", "endpoints[d].route: route /readyz is reserved"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			patch := `{ services: [s.service('shop', 'storefront') { endpoints: [` + tc.endpoints + `] }] }`
			checkProblems(t, loadPatched(t, patch), tc.want)
		})
	}
}

// TestServiceFields covers team names, runbook URLs, reserved labels and
// SLO names across services.
func TestServiceFields(t *testing.T) {
	const ep = `endpoints: [s.endpoint('GET', '/a', 'a')]`
	for _, tc := range []struct {
		name, services string
		want           []string
	}{
		{"good team names", `s.service('shop', 'Store Front 2.0_x-y') { ` + ep + ` }`, nil},
		{"team with newline", `s.service('shop', 'store\nfront') { ` + ep + ` }`, []string{`services[shop].team: team "store\nfront"`}},
		{"team with template", `s.service('shop', '{{ .x }}') { ` + ep + ` }`, []string{`services[shop].team: team "{{ .x }}"`}},
		{"team with outer space", `s.service('shop', ' shop') { ` + ep + ` }`, []string{`services[shop].team: team " shop"`}},
		{"team with quote", `s.service('shop', 'a"b') { ` + ep + ` }`, []string{`services[shop].team: team "a\"b"`}},
		{"runbook https", `s.service('shop', 't') { runbookURL: 'https://runbooks.example.com/shop', ` + ep + ` }`, nil},
		{"runbook javascript", `s.service('shop', 't') { runbookURL: 'javascript:alert(1)', ` + ep + ` }`, []string{"services[shop].runbookURL: "}},
		{"runbook relative", `s.service('shop', 't') { runbookURL: '/runbooks', ` + ep + ` }`, []string{"services[shop].runbookURL: "}},
		{"runbook template", `s.service('shop', 't') { runbookURL: 'https://x.example/{{ $value }}', ` + ep + ` }`, []string{"services[shop].runbookURL: "}},
		{"reserved labels", `s.service('shop', 't') { ` + ep + `, metrics: [s.counter('shop_x_total', 'X.', labels={ alertname: ['a'], slo: ['b'], tier: ['c'], team: ['d'], severity: ['e'] })] }`,
			// sorted by position in the spec
			[]string{`labels[alertname]: label "alertname" is reserved`, `labels[slo]: label "slo" is reserved`, `labels[tier]: label "tier" is reserved`, `labels[team]: label "team" is reserved`, `labels[severity]: label "severity" is reserved`}},
		{"SLO name in two services", `s.service('shop', 't', 8080) { ` + ep + `, slos: [s.availability('avail', 'a', 99)] },
			s.service('cart', 't', 8081) { ` + ep + `, slos: [s.availability('avail', 'a', 99)] }`,
			[]string{`services[cart].slos[0].name: SLO "avail" is also defined by service "shop"; both would raise the alert AvailBudgetBurn`}},
		{"SLO alert names collide", `s.service('shop', 't') { ` + ep + `, slos: [s.availability('a-b1', 'a', 99), s.availability('a-b-1', 'a', 99)] }`,
			[]string{`services[shop].slos[1].name: SLO "a-b-1" gets the same alert name AB1BudgetBurn as SLO "a-b1" of service "shop"`}},
		{"endpoint twice in an SLO", `s.service('shop', 't') { ` + ep + `, slos: [s.availability('x', ['a', 'a'], 99)] }`,
			[]string{`services[shop].slos[x].endpoints: SLO "x" lists endpoint "a" twice`}},
		{"every tier disabled", `s.service('shop', 't') { ` + ep + `, slos: [s.availability('x', 'a', 99, disabledTiers=['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow'])] }`,
			[]string{`warning: services[shop].slos[x].disabledTiers: SLO "x" disables every tier, so it never alerts`}},
		{"some tiers disabled", `s.service('shop', 't') { ` + ep + `, slos: [s.availability('x', 'a', 99, disabledTiers=['page-fast', 'page-slow', 'ticket-fast'])] }`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, loadPatched(t, `{ services: [`+tc.services+`] }`), tc.want)
		})
	}
}

// jsonnetString quotes s as a Jsonnet string literal.
func jsonnetString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// TestEventGuards: the low-traffic guards of the burn-rate alerts take
// non-negative values, and the bad-event count defaults to 10.
func TestEventGuards(t *testing.T) {
	for _, tc := range []struct {
		name, patch string
		want        []string
	}{
		{"defaults", "", nil},
		{"negative rate", `{ services: [super.services[0] { slos: [s.availability('cart', 'get_cart', 99.9, minEventRate=-1)] }] }`,
			[]string{"services[shop].slos[cart].minEventRate: minEventRate -1 is negative"}},
		{"negative bad events", `{ services: [super.services[0] { slos: [s.availability('cart', 'get_cart', 99.9, minBadEvents=-5)] }] }`,
			[]string{"services[shop].slos[cart].minBadEvents: minBadEvents -5 is negative"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, loadPatched(t, tc.patch), tc.want)
		})
	}
	res, err := Load("p.jsonnet", []byte(minimal), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Stack.Services[0].SLOs[0].MinBadEvents; got != 10 {
		t.Errorf("default minBadEvents = %v, want 10", got)
	}
}

// TestDerivedServiceNames: service names that would collide as Go packages
// or Compose containers are refused where the spec writes them.
func TestDerivedServiceNames(t *testing.T) {
	svc := func(name string) string {
		return `s.service('` + name + `', 'storefront', 8180) { endpoints: [s.endpoint('GET', '/x', 'x')] }`
	}
	for _, tc := range []struct {
		name, patch string
		want        []string
	}{
		{"distinct", `{ services+: [` + svc("shop-api") + `] }`, nil},
		{"same package", `{ services+: [` + svc("sh-op") + `] }`,
			[]string{`services[1].name: service "sh-op" and service "shop" would share the Go package shop`}},
		{"reserved server", `{ services+: [` + svc("grafana") + `] }`,
			[]string{`services[1].name: service name "grafana" is reserved`}},
		{"load container", `{ services+: [` + svc("shop-load") + `] }`,
			[]string{`services[1].name: service name "shop-load" is reserved`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, loadPatched(t, tc.patch), tc.want)
		})
	}
}

// TestFixHints: the fix line must say what is wrong with the value, not
// repeat a rule the value already follows ("9-nines" is made of lower case
// letters, digits and dashes) or round the spec's numbers (a 99.99%
// objective is not a 100% one).
func TestFixHints(t *testing.T) {
	for _, tc := range []struct {
		name, patch string
		path        string // of the problem whose hint is checked
		want        string // the hint contains it
	}{
		{"SLO name with a leading digit", `{ services: [super.services[0] { slos: [s.availability('9-nines', 'get_cart', 99.9)] }] }`,
			"services[shop].slos[9-nines].name", "starting with a letter"},
		{"endpoint name with a leading digit", `{ services: [super.services[0] { endpoints: [s.endpoint('GET', '/cart', '2cart')], slos: [] }] }`,
			"services[shop].endpoints[2cart].name", "starting with a letter"},
		{"HA replica name with a leading digit", `{ ha: { prometheus: [{ name: '0prom' }, { name: 'prom-1' }] } }`,
			"ha.prometheus[0].name", "starting with a letter"},
		{"objective with many nines", `{ services: [super.services[0] {
			endpoints: [s.endpoint('GET', '/cart', 'get_cart', sim={ errorRate: 0.01 })],
			slos: [s.availability('cart', 'get_cart', 99.99)] }] }`,
			"services[shop].endpoints[get_cart].sim.errorRate", "of a 99.99% objective's budget"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "local s = import 'stackc.libsonnet';\n(" + strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(minimal), "local s = import 'stackc.libsonnet';")) + ") + " + tc.patch
			res, err := Load("p.jsonnet", []byte(src), Options{})
			var problems []Problem
			var specErr *Error
			if errors.As(err, &specErr) {
				problems = append(problems, specErr.Problems...)
			} else if err != nil {
				t.Fatalf("load: %v", err)
			}
			if res != nil {
				problems = append(problems, res.Warnings...)
			}
			for _, p := range problems {
				if p.Path == tc.path {
					if !strings.Contains(p.Hint, tc.want) {
						t.Errorf("hint %q, want it to contain %q", p.Hint, tc.want)
					}
					return
				}
			}
			t.Fatalf("no problem at %s; got %v", tc.path, problems)
		})
	}
}
