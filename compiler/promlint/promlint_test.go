package promlint

import (
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/model"
)

func testStack() *model.Stack {
	return &model.Stack{Services: []model.Service{{
		Name: "shop",
		Metrics: []model.Metric{
			{Name: "shop_orders_total", Type: model.Counter, Labels: []model.Label{{Name: "payment", Values: []string{"card"}}}},
			{Name: "shop_order_value_euros", Type: model.Histogram},
			{Name: "shop_cart_items", Type: model.Summary},
			{Name: "shop_carts_open", Type: model.Gauge},
		},
	}}}
}

func TestCheck(t *testing.T) {
	cat := ForStack(testStack())
	cat.Add("slo:sli_errors:rate5m", "service", "slo")
	tests := []struct {
		name    string
		expr    string
		wantErr string // substring; empty means valid
	}{
		{"red rate", `sum by (service, endpoint) (rate(http_requests_total{job="shop",code=~"5.."}[5m]))`, ""},
		{"histogram bucket le", `histogram_quantile(0.99, sum by (le, endpoint) (rate(http_request_duration_seconds_bucket{job="shop"}[5m])))`, ""},
		{"business counter", `sum by (payment) (increase(shop_orders_total[1h]))`, ""},
		{"summary quantile", `shop_cart_items{quantile="0.5"}`, ""},
		{"histogram suffixes", `shop_order_value_euros_sum / shop_order_value_euros_count`, ""},
		{"up and absent", `absent(up{job="shop"}) or up == 0`, ""},
		{"recorded", `slo:sli_errors:rate5m{service="shop",slo="x"} > 0`, ""},
		{"on labels", `slo:sli_errors:rate5m / on (service, slo) slo:sli_errors:rate5m`, ""},
		{"label_replace adds", `sum by (x) (label_replace(up, "x", "$1", "job", "(.*)"))`, ""},
		{"scalar math", `1 - 0.5 * vector(1)`, ""},

		{"syntax error", `sum(rate(http_requests_total[5m])`, "invalid PromQL"},
		{"unknown metric", `rate(http_request_total[5m])`, `unknown metric "http_request_total"`},
		{"unknown label", `http_requests_total{status="500"}`, `has no label "status"`},
		{"le on count", `http_request_duration_seconds_count{le="0.3"}`, `has no label "le"`},
		{"quantile on gauge", `shop_carts_open{quantile="0.5"}`, `has no label "quantile"`},
		{"histogram without suffix", `shop_order_value_euros`, `unknown metric "shop_order_value_euros"`},
		{"nameless selector", `{__name__=~"http_.*"}`, "does not name its metric"},
		{"by unknown label", `sum by (path) (rate(http_requests_total[5m]))`, `sum by: label "path" does not exist`},
		{"by label lost in aggregation", `sum by (endpoint) (sum by (code) (http_requests_total))`, `label "endpoint" does not exist`},
		{"on unknown label", `up / on (endpoint) up`, `on (left side): label "endpoint"`},
		{"le gone after quantile", `sum by (le) (histogram_quantile(0.9, rate(http_request_duration_seconds_bucket[5m])))`, `label "le" does not exist`},
		{"recorded wrong label", `slo:sli_errors:rate5m{endpoint="checkout"}`, `has no label "endpoint"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.expr, cat)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Check(%s) = %v, want nil", tt.expr, err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("Check(%s) = nil, want error containing %q", tt.expr, tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("Check(%s) = %v, want error containing %q", tt.expr, err, tt.wantErr)
			}
		})
	}
}

func TestCatalog(t *testing.T) {
	cat := ForStack(testStack())
	if got, want := strings.Join(cat.Labels("http_requests_total"), ","), "code,endpoint,instance,job,method,service,team"; got != want {
		t.Errorf("labels of http_requests_total = %s, want %s", got, want)
	}
	if cat.Has("shop_order_value_euros") || !cat.Has("shop_order_value_euros_bucket") {
		t.Error("histogram business metric must be known by its suffixed series only")
	}
	clone := cat.Clone()
	clone.Add("extra", "a")
	if cat.Has("extra") {
		t.Error("Clone shares state with the original")
	}
	if cat.Has("http_request_duration_seconds") {
		t.Error("native histogram series without NativeHistograms")
	}
	st := testStack()
	st.Services[0].NativeHistograms = true
	if !ForStack(st).Has("http_request_duration_seconds") {
		t.Error("NativeHistograms: the native histogram series is missing")
	}
	if cat.Labels("nope") != nil {
		t.Error("Labels of an unknown metric must be nil")
	}
}
