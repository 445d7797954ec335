package spec

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/model"
)

const repoSpec = "../../stack.jsonnet"

func TestLoadRepoSpec(t *testing.T) {
	for _, profile := range Profiles {
		res, err := LoadFile(repoSpec, Options{Profile: profile})
		if err != nil {
			t.Fatalf("%s: %v", profile, err)
		}
		if len(res.Warnings) != 0 {
			t.Errorf("%s: warnings: %v", profile, res.Warnings)
		}
		if res.Stack.Profile != profile {
			t.Errorf("profile %q, want %q", res.Stack.Profile, profile)
		}
	}
}

// minimal is the smallest valid spec; everything else comes from defaults.
const minimal = `
local s = import 'stackc.libsonnet';
s.stack {
  services: [
    s.service('shop', 'storefront') {
      endpoints: [s.endpoint('GET', '/cart', 'get_cart')],
      metrics: [s.counter('shop_orders_total', 'Orders.'), s.histogram('shop_payment_seconds', 'Payment time.', [0.1, 1])],
      slos: [s.availability('cart', 'get_cart', 99.9), s.latency('cart-latency', 'get_cart', '250ms', 99, period='7d')],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
`

func TestDefaults(t *testing.T) {
	for _, tc := range []struct {
		profile                             string
		scrape, eval, wait, interval, every string
	}{
		{"default", "15s", "30s", "30s", "5m", "4h"},
		{"demo", "5s", "5s", "5s", "10s", "1h"},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			res, err := Load("minimal.jsonnet", []byte(minimal), Options{Profile: tc.profile})
			if err != nil {
				t.Fatal(err)
			}
			st := res.Stack
			svc := st.Services[0]
			got := map[string]any{
				"scrapeInterval":     st.ScrapeInterval.String(),
				"evaluationInterval": st.EvaluationInterval.String(),
				"groupWait":          st.Alerting.GroupWait.String(),
				"groupInterval":      st.Alerting.GroupInterval.String(),
				"repeatInterval":     st.Alerting.RepeatInterval.String(),
				"seriesBudget":       st.SeriesBudget,
				"bindAddress":        st.Network.BindAddress,
				"ports":              []int{st.Network.PrometheusPort, st.Network.AlertmanagerPort, st.Network.GrafanaPort, st.Network.InboxPort},
				"grafanaURL":         st.Network.GrafanaURL,
				"port":               svc.Port,
				"adminPort":          svc.AdminPort,
				"targets":            svc.Targets,
				"latencyBuckets":     svc.LatencyBuckets,
				"statusCodes":        svc.StatusCodes,
				"sim":                svc.Endpoints[0].Sim,
				"unit":               []string{svc.Metrics[0].Unit, svc.Metrics[1].Unit},
				"labels":             svc.Metrics[0].Labels,
				"period":             []string{svc.SLOs[0].Period.String(), svc.SLOs[1].Period.String()},
				"minEventRate":       svc.SLOs[0].MinEventRate,
				"disabledTiers":      svc.SLOs[0].DisabledTiers,
				"defaultReceiver":    st.Alerting.DefaultReceiver,
				"groupBy":            st.Alerting.GroupBy,
				"sendResolved":       st.Alerting.Receivers[0].SendResolved,
				"routes":             st.Alerting.Routes,
			}
			want := map[string]any{
				"scrapeInterval":     tc.scrape,
				"evaluationInterval": tc.eval,
				"groupWait":          tc.wait,
				"groupInterval":      tc.interval,
				"repeatInterval":     tc.every,
				"seriesBudget":       DefaultSeriesBudget,
				"bindAddress":        "127.0.0.1",
				"ports":              []int{9090, 9093, 3000, 9095},
				"grafanaURL":         "http://127.0.0.1:3000",
				"port":               8080,
				"adminPort":          9080,
				"targets":            []string{"127.0.0.1:8080"},
				"latencyBuckets":     DefaultLatencyBuckets,
				"statusCodes":        DefaultStatusCodes,
				"sim":                model.Sim{Latency: model.Duration(DefaultSimLatency), LatencyP99: model.Duration(4 * DefaultSimLatency), Weight: 1},
				"unit":               []string{"", "seconds"},
				"labels":             []model.Label{},
				"period":             []string{"30d", "1w"},
				"minEventRate":       DefaultMinEventRate,
				"disabledTiers":      []string{},
				"defaultReceiver":    "oncall",
				"groupBy":            DefaultGroupBy,
				"sendResolved":       true,
				"routes":             []model.Route{},
			}
			for k, w := range want {
				if !reflect.DeepEqual(got[k], w) {
					t.Errorf("%s = %#v, want %#v", k, got[k], w)
				}
			}
		})
	}
}

// TestLocate checks that the locator follows paths through the ways a spec
// can be written: named and positional constructor arguments, `a { }` and
// `a + b`, locals, list indexes, label maps, and missing fields.
func TestLocate(t *testing.T) {
	src := `local s = import 'stackc.libsonnet';
local budget = 5000;
local checkout = s.endpoint('POST', '/checkout', 'checkout');
s.stack {
  seriesBudget: budget,
  services: [
    s.service('shop', team='storefront') {
      endpoints: [checkout, s.endpoint('GET', '/cart', name='get_cart')],
      metrics: [s.counter('shop_orders_total', 'Orders.', labels={ payment: ['card'] })],
      slos: [s.latency('checkout-latency', 'checkout', '300ms', objective=99)],
    } + { runbookURL: 'x' },
  ] + [{ name: 'extra', team: 't' }],
  alerting: { receivers: { oncall: s.webhook('http://x') }, routes: [s.route({ severity: 'page' }, 'oncall')] },
}
`
	l := newLocator("s.jsonnet", []byte(src))
	for _, tc := range []struct{ path, want string }{
		{"seriesBudget", "s.jsonnet:2:16"},                                              // through a local
		{"services[shop].name", "s.jsonnet:7:15"},                                       // first positional argument
		{"services[shop].team", "s.jsonnet:7:28"},                                       // named argument
		{"services[shop].port", "s.jsonnet:7:5"},                                        // not written: the call
		{"services[shop].runbookURL", "s.jsonnet:11:23"},                                // right of +
		{"services[shop].endpoints[checkout].route", "s.jsonnet:3:37"},                  // a local element
		{"services[shop].endpoints[1].method", "s.jsonnet:8:40"},                        // by index
		{"services[shop].endpoints[get_cart].name", "s.jsonnet:8:61"},                   // named name
		{"services[shop].metrics[shop_orders_total].labels[payment]", "s.jsonnet:9:77"}, // label map
		{"services[shop].slos[checkout-latency].endpoints", "s.jsonnet:10:44"},          // endpoint= alias
		{"services[shop].slos[checkout-latency].threshold", "s.jsonnet:10:56"},
		{"services[shop].slos[checkout-latency].objective", "s.jsonnet:10:75"},
		{"services[1].team", "s.jsonnet:12:31"}, // concatenated list
		{"services[extra].team", "s.jsonnet:12:31"},
		{"alerting.receivers.oncall.url", "s.jsonnet:13:46"},
		{"alerting.routes[0].receiver", "s.jsonnet:13:100"},
		{"alerting.routes[0].match.severity", "s.jsonnet:13:90"},
		{"alerting.defaultReceiver", "s.jsonnet:13:13"},           // missing: the alerting object
		{"network.bindAddress", ""},                               // nothing written anywhere near
		{"services[nope].name", ""},                               // only the top-level list would hold it
		{"services[shop].slos[computed].name", "s.jsonnet:10:13"}, // the list that would hold it
	} {
		if got := l.find(tc.path); got != tc.want {
			t.Errorf("find(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

// TestImportsRelativeToSpec: a spec's imports resolve next to the spec, not
// the working directory.
func TestImportsRelativeToSpec(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"lib/endpoints.libsonnet": `local s = import 'stackc.libsonnet'; [s.endpoint('GET', '/cart', 'get_cart')]`,
		"spec.jsonnet": `local s = import 'stackc.libsonnet';
s.stack {
  services: [s.service('shop', 'storefront') { endpoints: import 'lib/endpoints.libsonnet' }],
  alerting: { receivers: { oncall: s.webhook(importstr 'lib/url.txt') } },
}`,
		"lib/url.txt": "http://127.0.0.1:9095/alerts",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := LoadFile(filepath.Join(dir, "spec.jsonnet"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Stack.Services[0].Endpoints[0].Name; got != "get_cart" {
		t.Errorf("endpoint %q", got)
	}
}

// TestDecodeProblems feeds evaluated JSON straight to Decode.
func TestDecodeProblems(t *testing.T) {
	const svc = `{"name":"shop","team":"t","endpoints":[{"name":"e","method":"GET","route":"/"}]}`
	const recv = `"alerting":{"receivers":{"r":{"type":"webhook","url":"http://127.0.0.1:1/"}}}`
	for _, tc := range []struct {
		name, json string
		want       []string // "path: message fragment", in order
	}{
		{"not json", `{`, []string{": not valid JSON"}},
		{"not an object", `42`, []string{": must evaluate to an object, got the number 42"}},
		{"unknown top-level field", `{"service":{},` + recv + `,"services":[` + svc + `]}`,
			[]string{`service: unknown field "service"`}},
		{"wrong type shadows the range check", `{"services":[{"name":"shop","team":"t","slos":[{"name":"x","kind":"availability","endpoints":["e"],"objective":"high"}]}],` + recv + `}`,
			[]string{`services[shop].slos[x].endpoints: unknown endpoint "e"`, `services[shop].slos[x].objective: want a number, got the string "high"`}},
		{"inline secret", `{"services":[` + svc + `],"alerting":{"receivers":{"p":{"type":"pagerduty","routingKey":"abc","routingKeyFile":"/f"}}}}`,
			[]string{`alerting.receivers.p.routingKey: inline secret "routingKey"`}},
		{"receiver name mismatch", `{"services":[` + svc + `],"alerting":{"receivers":{"r":{"name":"q","type":"webhook","url":"http://127.0.0.1:1/"}}}}`,
			[]string{`alerting.receivers.r.name: receiver is keyed "r" but named "q"`}},
		{"unknown kinds", `{"services":[{"name":"shop","team":"t","metrics":[{"name":"m","type":"meter","help":"h"}],"slos":[{"name":"x","kind":"speed","endpoints":[],"objective":99}]}],` + recv + `}`,
			[]string{`services[shop].metrics[m].type: unknown metric type "meter"`, `services[shop].slos[x].endpoints: covers no endpoint`, `services[shop].slos[x].kind: unknown SLO kind "speed"`}},
		{"fractional int", `{"seriesBudget":1.5,"services":[` + svc + `],` + recv + `}`,
			[]string{`seriesBudget: want a whole number, got 1.5`}},
		{"bind address", `{"network":{"bindAddress":"localhost"},"services":[` + svc + `],` + recv + `}`,
			[]string{`network.bindAddress: bind address "localhost" is not an IP address`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode("x.json", nil, []byte(tc.json), Options{})
			var specErr *Error
			if !errors.As(err, &specErr) {
				t.Fatalf("error %v, want a *spec.Error", err)
			}
			if len(specErr.Problems) != len(tc.want) {
				t.Errorf("%d problems, want %d:\n%v", len(specErr.Problems), len(tc.want), err)
			}
			for i, w := range tc.want {
				if i >= len(specErr.Problems) {
					break
				}
				p := specErr.Problems[i]
				path, msg, _ := strings.Cut(w, ": ")
				if p.Path != path || !strings.Contains(p.Message, msg) {
					t.Errorf("problem %d = %q: %q, want %q: ...%q...", i, p.Path, p.Message, path, msg)
				}
			}
		})
	}
}

// TestWarnings: warnings never fail a load.
func TestWarnings(t *testing.T) {
	src := strings.Replace(minimal, "99.9)", "90)", 1)
	src = strings.Replace(src, "alerting: {", "network: { bindAddress: '0.0.0.0' }, alerting: {", 1)
	res, err := Load("w.jsonnet", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range res.Warnings {
		got = append(got, w.Path+": "+w.Message)
	}
	want := []string{
		// sorted by position: the SLO is written above the network
		"services[shop].slos[cart].objective: tier page-fast can never fire: it needs an error ratio of 144% (14.4 x the 10% error budget), more than every request failing",
		"network.bindAddress: the stack's servers listen on 0.0.0.0, beyond this machine",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLocateTerminates: self-referential locals must not make the locator
// branch exponentially or loop.
func TestLocateTerminates(t *testing.T) {
	for _, src := range []string{
		`local a = a + a; a`,
		`local a = b { x: 1 } + a, b = a + b; { services: a }`,
		`local x = x; x`,
	} {
		l := newLocator("t.jsonnet", []byte(src))
		for _, path := range []string{"services[0].name", "services[shop].slos[x].threshold", "a.b.c.d"} {
			l.find(path) // must return
		}
		if _, err := Load("t.jsonnet", []byte(src), Options{}); err == nil {
			t.Errorf("%s: loaded", src)
		}
	}
}

// TestLocateComputedAndImported: a value written inside a list
// comprehension's body is found there, a literally written element still
// wins over a comprehension beside it, and a value written in an imported
// file is reported in that file.
func TestLocateComputedAndImported(t *testing.T) {
	base := `local s = import 'stackc.libsonnet';
s.stack {
  services: [
    s.service('shop', team='t') {
      slos: [s.availability('avail', endpoint='y', objective=99)],
    },
  ],
}
`
	src := `local s = import 'stackc.libsonnet';
(import 'lib/base.libsonnet') {
  seriesBudget: 10,
  services+: [s.service('api', team='a') { port: 1 }] + [
    s.service('svc-%d' % i, team='t') {
      slos: [s.availability('svc-%d-avail' % i, endpoint='y', objective=99)],
    }
    for i in std.range(0, 1)
  ],
}
`
	dir := t.TempDir()
	fetch := func(from, imported string) (string, []byte, error) {
		if imported != "lib/base.libsonnet" || from != "" {
			return "", nil, os.ErrNotExist
		}
		return filepath.Join(dir, "lib", "base.libsonnet"), []byte(base), nil
	}
	// The spec is named as given, an import by its place relative to it.
	spec := filepath.Join(dir, "s.jsonnet")
	l := newLocator(spec, []byte(src)).withImports(fetch)
	for _, tc := range []struct{ path, want string }{
		{"seriesBudget", "s.jsonnet:3:17"},
		{"services[api].port", "s.jsonnet:4:50"},                          // a literal element beside the comprehension
		{"services[svc-1].slos[svc-1-avail].endpoints", "s.jsonnet:6:58"}, // written once in the comprehension's body
		{"services[svc-0].slos[svc-0-avail].period", "s.jsonnet:6:14"},    // not written: the call in the body
		{"services[3].team", "s.jsonnet:5:34"},                            // by index
		{"services[shop].slos[avail].endpoints", filepath.Join(dir, "lib/base.libsonnet") + ":5:47"},
		{"services[shop].team", filepath.Join(dir, "lib/base.libsonnet") + ":4:28"},
	} {
		want := strings.Replace(tc.want, "s.jsonnet", spec, 1)
		if got := l.find(tc.path); got != want {
			t.Errorf("find(%q) = %q, want %q", tc.path, got, want)
		}
	}
	// Without a way to read imports, the value is not guessed at.
	if got := newLocator(spec, []byte(src)).find("services[shop].team"); strings.Contains(got, "lib") {
		t.Errorf("find without imports = %q, want no place in lib/", got)
	}
}
