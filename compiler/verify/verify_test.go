package verify

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/spec"
)

var (
	stackOnce sync.Once
	stack     *model.Stack
	stackErr  error
)

// testStack is testdata/verify.jsonnet, loaded as stackc build loads it.
func testStack(t testing.TB) *model.Stack {
	t.Helper()
	stackOnce.Do(func() {
		var res *spec.Result
		res, stackErr = spec.LoadFile(filepath.Join("testdata", "verify.jsonnet"), spec.Options{})
		if stackErr == nil {
			stack = res.Stack
		}
	})
	if stackErr != nil {
		t.Fatal(stackErr)
	}
	return stack
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// mutation turns a good fixture into a broken one.
type mutation func(string) string

// dropFamily removes every line of a family (its samples and metadata).
func dropFamily(name string) mutation {
	re := regexp.MustCompile(`^(# (HELP|TYPE) )?` + regexp.QuoteMeta(name) + `(_bucket|_count|_sum|_created)?[ {]`)
	return func(s string) string {
		var out []string
		for _, line := range strings.Split(s, "\n") {
			if !re.MatchString(line) {
				out = append(out, line)
			}
		}
		return strings.Join(out, "\n")
	}
}

// dropLines removes the lines holding substr.
func dropLines(substr string) mutation {
	return func(s string) string {
		var out []string
		for _, line := range strings.Split(s, "\n") {
			if !strings.Contains(line, substr) {
				out = append(out, line)
			}
		}
		return strings.Join(out, "\n")
	}
}

func replace(pairs ...string) mutation {
	return func(s string) string { return strings.NewReplacer(pairs...).Replace(s) }
}

func chain(ms ...mutation) mutation {
	return func(s string) string {
		for _, m := range ms {
			s = m(s)
		}
		return s
	}
}

// TestFixtures checks the exposition fixtures of every kind of
// instrumentation (written in each exporter's documented shape; each file
// cites its source) against testdata/verify.jsonnet: the good exposition
// passes, and each broken one reports exactly the problems it should, on
// the metric it should, with words of the problem and the fix.
func TestFixtures(t *testing.T) {
	st := testStack(t)
	type want struct {
		metric string
		words  []string
	}
	tests := []struct {
		name, service, file, contentType string
		mutate                           mutation
		want                             []want // empty: no problem at all
	}{
		// The generated registry (Go).
		{name: "registry good", service: "shop", file: "registry.txt"},
		{name: "registry le written 0.30 and 1.0", service: "shop", file: "registry.txt",
			mutate: replace(`le="0.3"`, `le="0.30"`, `le="1"`, `le="1.0"`)},
		{name: "registry missing metric", service: "shop", file: "registry.txt", mutate: dropFamily("shop_orders_total"),
			want: []want{
				{"shop_orders_total", []string{"missing", "overview dashboard"}},
				{"shop_orders_total", []string{"missing", "raw SLO payment-success reads it"}},
			}},
		{name: "registry wrong type", service: "shop", file: "registry.txt",
			mutate: replace("# TYPE http_requests_total counter", "# TYPE http_requests_total gauge"),
			want:   []want{{"http_requests_total", []string{"is a gauge, want a counter", "declare it as a counter"}}}},
		{name: "registry untyped", service: "shop", file: "registry.txt",
			mutate: dropLines("# TYPE shop_orders_total counter"),
			want:   []want{{"shop_orders_total", []string{"is untyped (no TYPE line), want a counter"}}}},
		{name: "registry missing bucket", service: "shop", file: "registry.txt", mutate: dropLines(`le="0.3"`),
			want: []want{{"http_request_duration_seconds", []string{`bucket le="0.3" is missing from 3 of 3 series`, "checkout-latency", "300ms", "add 0.3"}}}},
		{name: "registry raw path", service: "shop", file: "registry.txt",
			mutate: replace(`endpoint="get_product"`, `endpoint="/products/123"`),
			want: []want{
				{"http_request_duration_seconds", []string{`label endpoint holds raw request paths ("/products/123")`, `endpoint="get_product"`}},
				{"http_requests_in_flight", []string{"raw request paths"}},
				{"http_requests_total", []string{"raw request paths", "unbounded", `endpoint="get_product"`, "generated registry"}},
				{"http_request_duration_seconds", []string{`no series for the endpoint(s) "get_product"`, "rebuild"}},
				{"http_requests_total", []string{`no series for the endpoint(s) "get_product"`}},
			}},
		{name: "registry summary without a quantile of the spec", service: "shop", file: "registry.txt", mutate: dropLines(`quantile="0.9"`),
			want: []want{{"shop_cart_items", []string{"quantile 0.9 is missing from 1 of 1 series", "objectives"}}}},
		{name: "registry label value outside the spec", service: "shop", file: "registry.txt",
			mutate: replace(`payment="paypal"`, `payment="bitcoin"`),
			want:   []want{{"shop_orders_total", []string{`label payment has values outside the spec's set: "bitcoin"`, "card, paypal"}}}},
		{name: "registry label set by the scrape config", service: "shop", file: "registry.txt",
			mutate: replace(`shop_orders_total{payment="card"}`, `shop_orders_total{env="dev",payment="card"}`),
			want:   []want{{"shop_orders_total", []string{"carries the label env", "exported_env", "drop the label"}}}},
		{name: "registry more series than the worst case", service: "shop", file: "registry.txt",
			mutate: replace("# TYPE http_requests_total counter\n", "# TYPE http_requests_total counter\n"+`http_requests_total{code="302",endpoint="checkout",method="POST"} 1`+"\n"),
			want:   []want{{"http_requests_total", []string{"25 series, more than the spec's worst case of 24 for one target", "series budget"}}}},
		{name: "registry codes as themselves", service: "shop", file: "registry.txt",
			mutate: replace(`code="3xx"`, `code="302"`, `code="1xx"`, `code="101"`, `code="4xx"`, `code="404"`),
			want:   nil},
		{name: "registry code that is not a status code", service: "shop", file: "registry.txt",
			mutate: replace(`code="3xx"`, `code="Found"`),
			want:   []want{{"http_requests_total", []string{`label code has values outside the spec's set: "Found" is not a status code`}}}},

		// prometheus-flask-exporter.
		{name: "flask good", service: "catalog", file: "flask.txt"},
		{name: "flask good, OpenMetrics", service: "catalog", file: "flask.om", contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8"},
		{name: "flask good, OpenMetrics sniffed", service: "catalog", file: "flask.om"},
		{name: "flask missing metric", service: "catalog", file: "flask.txt", mutate: dropFamily("flask_exporter_info"),
			want: []want{{"flask_exporter_info", []string{"missing", "CatalogMetricsAbsent", "exporter is installed"}}}},
		{name: "flask no traffic yet", service: "catalog", file: "flask.txt", mutate: dropFamily("flask_http_request_duration_seconds"),
			want: []want{{"flask_http_request_duration_seconds", []string{"no series", "first request", "send a request to each endpoint"}}}},
		{name: "flask wrong type", service: "catalog", file: "flask.txt",
			mutate: replace("# TYPE flask_exporter_info gauge", "# TYPE flask_exporter_info counter"),
			want:   []want{{"flask_exporter_info", []string{"is a counter, want a gauge"}}}},
		{name: "flask missing bucket", service: "catalog", file: "flask.txt", mutate: dropLines(`le="0.25"`),
			want: []want{{"flask_http_request_duration_seconds", []string{`bucket le="0.25" is missing from 5 of 5 series`, "catalog-latency", "250ms"}}}},
		{name: "flask raw path", service: "catalog", file: "flask-rawpath.txt",
			want: []want{
				{"flask_http_request_duration_seconds", []string{`label path holds raw request paths ("/products", "/products/123", "/products/456", and 2 more)`,
					"unbounded", `url_rule="/products/<id>"`, "group_by='url_rule'"}},
			}},

		// OpenTelemetry, through the Go SDK's Prometheus exporter.
		{name: "otel good", service: "search", file: "opentelemetry.txt"},
		{name: "otel missing metric", service: "search", file: "opentelemetry.txt", mutate: dropFamily("target_info"),
			want: []want{{"target_info", []string{"missing", "SearchMetricsAbsent"}}}},
		{name: "otel wrong type", service: "search", file: "opentelemetry.txt",
			mutate: chain(dropLines("_bucket{"), replace("TYPE http_server_request_duration_seconds histogram", "TYPE http_server_request_duration_seconds summary")),
			want:   []want{{"http_server_request_duration_seconds", []string{"is a summary, want a histogram", "buckets"}}}},
		{name: "otel missing bucket", service: "search", file: "opentelemetry.txt", mutate: dropLines(`le="0.5"`),
			want: []want{{"http_server_request_duration_seconds", []string{`bucket le="0.5" is missing from 3 of 3 series`, "search-latency", "500ms"}}}},
		{name: "otel raw path", service: "search", file: "opentelemetry.txt",
			mutate: replace(`http_response_status_code="200",http_route="/search/{kind}"`, `http_response_status_code="200",http_route="/search/books"`),
			want: []want{{"http_server_request_duration_seconds", []string{`label http_route holds raw request paths ("/search/books")`,
				`http_route="/search/{kind}"`, "otelhttp"}}}},
		{name: "otel unknown method", service: "search", file: "opentelemetry.txt",
			mutate: replace(`http_request_method="GET",http_response_status_code="404"`, `http_request_method="_OTHER",http_response_status_code="404"`),
			want:   nil},
		{name: "otel UTF-8 names", service: "search", file: "opentelemetry.txt",
			mutate: replace("# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info{", "# HELP \"target.info\" Target metadata\n# TYPE \"target.info\" gauge\n{\"target.info\","),
			want:   []want{{"target_info", []string{"missing", `(the app exports target.info)`}}}},
		{name: "otel scrape-config label", service: "search", file: "opentelemetry.txt",
			mutate: replace(`target_info{`, `target_info{namespace="search",`),
			want:   []want{{"target_info", []string{"carries the label namespace"}}}},

		// Micrometer / Spring Boot.
		{name: "micrometer good", service: "billing", file: "micrometer.txt"},
		{name: "micrometer trailing commas (Micrometer before 1.13)", service: "billing", file: "micrometer.txt",
			mutate: replace(`"} `, `",} `)},
		{name: "micrometer missing metric", service: "billing", file: "micrometer.txt", mutate: dropFamily("payments_total"),
			want: []want{
				{"payments_total", []string{"missing", "raw SLO billing-payments reads it", "change the raw SLO's query"}},
			}},
		{name: "micrometer without buckets is a summary", service: "billing", file: "micrometer.txt",
			mutate: chain(dropLines("_bucket{"), replace("TYPE http_server_requests_seconds histogram", "TYPE http_server_requests_seconds summary")),
			want: []want{{"http_server_requests_seconds", []string{"is a summary, want a histogram",
				"management.metrics.distribution.slo.http.server.requests"}}}},
		{name: "micrometer raw counter as gauge", service: "billing", file: "micrometer.txt",
			mutate: replace("# TYPE payments_total counter", "# TYPE payments_total gauge"),
			want:   []want{{"payments_total", []string{"is a gauge", "takes its rate"}}}},
		{name: "micrometer raw label missing", service: "billing", file: "micrometer.txt",
			mutate: replace(`payments_total{result="accepted"}`, `payments_total{outcome="accepted"}`, `payments_total{result="declined"}`, `payments_total{outcome="declined"}`),
			want:   []want{{"payments_total", []string{"no series has the label result", "raw SLO billing-payments matches on"}}}},
		{name: "micrometer missing bucket", service: "billing", file: "micrometer.txt", mutate: dropLines(`le="0.3"`),
			want: []want{{"http_server_requests_seconds", []string{`bucket le="0.3" is missing from 2 of 2 series`, "billing-latency", "management.metrics.distribution.slo"}}}},
		{name: "micrometer raw path", service: "billing", file: "micrometer.txt",
			mutate: replace(`outcome="SERVER_ERROR",status="500",uri="/invoices/{id}/pay"`, `outcome="SERVER_ERROR",status="500",uri="/invoices/42/pay"`),
			want: []want{
				{"http_server_requests_seconds", []string{`label uri holds raw request paths ("/invoices/42/pay")`, `uri="/invoices/{id}/pay"`, "@RequestMapping"}},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := fixture(t, tc.file)
			if tc.mutate != nil {
				mutated := tc.mutate(data)
				if mutated == data {
					t.Fatal("the mutation changed nothing")
				}
				data = mutated
			}
			exp, err := Parse([]byte(data), tc.contentType)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Check(st, tc.service, exp)
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, p := range r.Problems {
				lines = append(lines, r.Line(p))
			}
			all := strings.Join(lines, "\n")
			if len(r.Problems) != len(tc.want) {
				t.Errorf("%d problem(s), want %d:\n%s", len(r.Problems), len(tc.want), all)
			}
			for _, w := range tc.want {
				prefix := "stackc verify: " + tc.service + ": " + w.metric + ": "
				found := false
				for _, l := range lines {
					if strings.HasPrefix(l, prefix) && containsAll(l, w.words) {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("no problem starts with %q and contains %q:\n%s", prefix, w.words, all)
				}
			}
			if r.Series == 0 || r.Declared == 0 || r.Declared > r.Series || r.WorstCase == 0 {
				t.Errorf("series counts: %+v", r)
			}
		})
	}
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}
