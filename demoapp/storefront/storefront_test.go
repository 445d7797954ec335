package storefront

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/stackc/stackc/out/metrics/shop"
)

func TestShopFlow(t *testing.T) {
	m, err := shop.New(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	s := New(m)
	mux := http.NewServeMux()
	if err := m.HTTP.Routes(mux, s.Handlers(), nil); err != nil {
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
	if v := gaugeValue(t, m.ShopCartsOpen); v != 1 {
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
	if v := gaugeValue(t, m.ShopCartsOpen); v != 0 {
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
