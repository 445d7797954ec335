// Command orders is an application outside the stackc module that uses the
// registry stackc generated into its own tree: it serves one request through
// the typed middleware and prints its metrics.
package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"example.com/ordersapp/monitoring/metrics"
	"example.com/ordersapp/monitoring/metrics/orders"
)

func main() {
	reg := prometheus.NewRegistry()
	m, err := orders.New(reg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.Handle(orders.Endpoints[orders.CreateOrder].Pattern(), m.Handle(orders.CreateOrder, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.OrdersCreatedTotal.With(orders.ChannelWeb).Inc()
		w.WriteHeader(http.StatusCreated)
	})))
	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/orders", nil))
	if _, ok := metrics.Lookup("orders"); !ok {
		fmt.Fprintln(os.Stderr, "the index package does not list orders")
		os.Exit(1)
	}
	n, err := testutil.GatherAndCount(reg, "http_requests_total", "orders_created_total")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("created=%v series=%d\n", testutil.ToFloat64(m.OrdersCreatedTotal.With(orders.ChannelWeb)), n)
}
