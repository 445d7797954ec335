package instrument_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/stackc/stackc/runtime/instrument"
)

var described = instrument.Service{
	Name:           "orders",
	Endpoints:      []instrument.Endpoint{{Name: "create", Method: "POST", Route: "/orders"}},
	StatusCodes:    []int{201, 500},
	LatencyBuckets: []float64{0.1, 1},
	Metrics: []instrument.MetricDesc{
		{Name: "orders_total", Type: instrument.Counter, Help: "Orders.", Labels: []instrument.LabelDesc{
			{Name: "channel", Values: []string{"web", "app"}}, {Name: "region", Values: []string{"eu", "us", "apac"}}}},
		{Name: "queue_depth", Type: instrument.Gauge, Help: "Queue."},
		{Name: "order_value", Type: instrument.Histogram, Help: "Value.", Buckets: []float64{10, 100}, Labels: []instrument.LabelDesc{{Name: "channel", Values: []string{"web"}}}},
		{Name: "job_seconds", Type: instrument.Summary, Help: "Jobs.", Objectives: map[float64]float64{0.5: 0.05}},
	},
}

// TestInstanceBindsEverySeries: every label combination of every business
// metric, and every RED series, exists at zero from the start.
func TestInstanceBindsEverySeries(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := instrument.NewInstance(reg, described); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		metric string
		want   int
	}{
		{"orders_total", 6},
		{"queue_depth", 1},
		{"order_value", 1},
		{"job_seconds", 1},
		// (create + unmatched) x (201, 500, 499, 1xx..5xx)
		{"http_requests_total", 16},
		{"http_request_duration_seconds", 2},
		{"http_requests_in_flight", 2},
	} {
		if n := count(t, reg, tc.metric); n != tc.want {
			t.Errorf("%s: %d series, want %d", tc.metric, n, tc.want)
		}
	}
}

// TestInstanceRefusesUnknownValues: only the spec's label values, in the
// right number, on a metric of the asked type.
func TestInstanceRefusesUnknownValues(t *testing.T) {
	in, err := instrument.NewInstance(prometheus.NewRegistry(), described)
	if err != nil {
		t.Fatal(err)
	}
	orders, _ := in.Metric("orders_total")
	queue, _ := in.Metric("queue_depth")
	value, _ := in.Metric("order_value")
	for _, tc := range []struct {
		name    string
		call    func() error
		wantErr string
	}{
		{"valid", func() error { _, err := orders.Counter("app", "us"); return err }, ""},
		{"unknown value", func() error { _, err := orders.Counter("fax", "us"); return err }, `"fax" is not a value of label channel`},
		{"too few values", func() error { _, err := orders.Counter("web"); return err }, "has 2 labels, got 1 values"},
		{"counter as gauge", func() error { _, err := orders.Gauge("web", "eu"); return err }, "is a counter, not a gauge"},
		{"gauge as counter", func() error { _, err := queue.Counter(); return err }, "is a gauge, not a counter"},
		{"histogram", func() error { _, err := value.Observer("web"); return err }, ""},
		{"histogram as counter", func() error { _, err := value.Counter("web"); return err }, "not a counter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
	if _, ok := in.Metric("nope"); ok {
		t.Error("Metric found a metric the service does not have")
	}
	// The child of (app, us) is the one counted.
	c, _ := orders.Counter("app", "us")
	c.Inc()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	if got := m.GetCounter().GetValue(); got != 1 {
		t.Errorf("orders_total{app,us} = %v", got)
	}
}
