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
	dto "github.com/prometheus/client_model/go"

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
	var created dto.Metric
	if err := m.OrdersCreatedTotal.With(orders.ChannelWeb).Write(&created); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mfs, err := reg.Gather()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("created=%v families=%d\n", created.GetCounter().GetValue(), len(mfs))
}
