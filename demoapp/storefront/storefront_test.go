package storefront

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/stackc/stackc/out/metrics"
	"github.com/stackc/stackc/runtime/instrument"
)

// shopInstance returns the metrics of the spec's shop service; a spec
// without one skips the test.
func shopInstance(t *testing.T) *instrument.Instance {
	t.Helper()
	svc, ok := metrics.Lookup("shop")
	if !ok {
		t.Skip("the spec built into out/ has no shop service")
	}
	in, err := instrument.NewInstance(prometheus.NewRegistry(), svc)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestShopFlow(t *testing.T) {
	in := shopInstance(t)
	s, problems := New(in)
	if len(problems) > 0 {
		t.Errorf("the spec's shop lacks what the storefront records: %v", problems)
	}
	handlers := make([]http.Handler, len(in.Service.Endpoints))
	for i, ep := range in.Service.Endpoints {
		if handlers[i] = s.Handlers()[ep.Name]; handlers[i] == nil {
			t.Fatalf("the storefront has no handler for the spec's endpoint %s", ep.Name)
		}
	}
	mux := http.NewServeMux()
	if err := in.HTTP.Routes(mux, handlers, nil); err != nil {
		t.Fatal(err)
	}
	cartsOpen, _ := in.Metric("shop_carts_open")
	gauge, err := cartsOpen.Gauge()
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path, cart, body string) int {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set(CartHeader, cart)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w.Code
	}
	for _, tc := range []struct {
		name, method, path, cart, body string
		code                           int
	}{
		{"list", "GET", "/products", "", "", 200},
		{"product", "GET", "/products/3", "", "", 200},
		{"missing product", "GET", "/products/999", "", "", 404},
		{"bad product id", "GET", "/products/x", "", "", 400},
		{"checkout empty cart", "POST", "/checkout", "c1", "", 409},
		{"add item", "POST", "/cart/items", "c1", `{"product":2,"quantity":3}`, 201},
		{"add unknown product", "POST", "/cart/items", "c1", `{"product":99,"quantity":1}`, 404},
		{"add bad quantity", "POST", "/cart/items", "c1", `{"product":2,"quantity":0}`, 400},
		{"add malformed", "POST", "/cart/items", "c1", `{"product":`, 400},
		{"unknown payment", "POST", "/checkout", "c1", `{"payment":"cash"}`, 400},
		{"cart", "GET", "/cart", "c1", "", 200},
		{"missing order", "GET", "/orders/12345", "", "", 404},
	} {
		if code := do(tc.method, tc.path, tc.cart, tc.body); code != tc.code {
			t.Errorf("%s: %s %s = %d, want %d", tc.name, tc.method, tc.path, code, tc.code)
		}
	}
	if v := gaugeValue(t, gauge); v != 1 {
		t.Errorf("carts open = %v, want 1", v)
	}
	// Checkout until one succeeds (a payment may fail by design).
	for i := 0; ; i++ {
		code := do("POST", "/checkout", "c1", `{"payment":"invoice"}`)
		if code == http.StatusCreated {
			break
		}
		if code != http.StatusPaymentRequired || i > 100 {
			t.Fatalf("checkout = %d", code)
		}
	}
	if v := gaugeValue(t, gauge); v != 0 {
		t.Errorf("carts open after checkout = %v, want 0", v)
	}
	if code := do("GET", "/orders/1", "", ""); code != http.StatusOK {
		t.Errorf("order 1 = %d, want 200", code)
	}
}

func gaugeValue(t *testing.T, g prometheus.Gauge) float64 {
	t.Helper()
	var m dto.Metric
	if err := g.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetGauge().GetValue()
}

// TestMissingMetricsAreReported: a shop whose spec lacks the storefront's
// metrics still serves; the gaps are reported once each.
func TestMissingMetricsAreReported(t *testing.T) {
	in, err := instrument.NewInstance(prometheus.NewRegistry(), instrument.Service{
		Name:      "shop",
		Endpoints: []instrument.Endpoint{{Name: "checkout", Method: "POST", Route: "/checkout"}},
		Metrics: []instrument.MetricDesc{
			{Name: "shop_orders_total", Type: instrument.Counter, Help: "Orders.", Labels: []instrument.LabelDesc{{Name: "payment", Values: []string{"cash"}}}},
			{Name: "shop_carts_open", Type: instrument.Counter, Help: "Wrong type."},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, problems := New(in)
	var got []string
	for _, p := range problems {
		got = append(got, p.Error())
	}
	want := []string{
		"storefront: metric shop_carts_open is a counter, not a gauge; not recorded",
		"storefront: service shop has no metric shop_cart_items; not recorded",
		"storefront: service shop has no metric shop_order_value_euros; not recorded",
		"storefront: service shop has no metric shop_payment_failures_total; not recorded",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The spec's only payment method is the one shoppers use.
	mux := http.NewServeMux()
	mux.Handle("POST /cart/items", s.Handlers()["add_to_cart"])
	mux.Handle("POST /checkout", s.Handlers()["checkout"])
	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/cart/items", nil))
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("POST", "/checkout", nil))
	want1 := 0.0
	switch w.Code {
	case http.StatusCreated:
		want1 = 1
	case http.StatusPaymentRequired: // the simulated provider declined
	default:
		t.Fatalf("checkout = %d: %s", w.Code, w.Body)
	}
	orders, _ := in.Metric("shop_orders_total")
	c, err := orders.Counter("cash")
	if err != nil {
		t.Fatal(err)
	}
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	if v := m.GetCounter().GetValue(); v != want1 {
		t.Errorf("cash orders = %v, want %v", v, want1)
	}
}
