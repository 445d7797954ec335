package storefront

import (
	"fmt"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stackc/stackc/runtime/instrument"
)

// The business metrics of stack.jsonnet's shop the storefront records.
const (
	metricOrders     = "shop_orders_total"
	metricFailures   = "shop_payment_failures_total"
	metricCartsOpen  = "shop_carts_open"
	metricOrderValue = "shop_order_value_euros"
	metricCartItems  = "shop_cart_items"
)

// shopMetrics are the storefront's metric children, bound at start-up.
type shopMetrics struct {
	cartsOpen  prometheus.Gauge
	orderValue prometheus.Observer
	cartItems  prometheus.Observer
	// payments and reasons are the label values the spec lists.
	payments, reasons []string
	orders            map[string]prometheus.Counter
	failures          map[[2]string]prometheus.Counter
}

func (m *shopMetrics) failure(payment, reason string) prometheus.Counter {
	if c, ok := m.failures[[2]string{payment, reason}]; ok {
		return c
	}
	return nop{}
}

// nop stands in for a metric the spec does not declare.
type nop struct{ prometheus.Gauge }

func (nop) Inc()            {}
func (nop) Dec()            {}
func (nop) Add(float64)     {}
func (nop) Observe(float64) {}

// bindMetrics looks up the storefront's metrics in in. What the spec lacks
// is reported and recorded nowhere.
func bindMetrics(in *instrument.Instance) (shopMetrics, []error) {
	var problems []error
	m := shopMetrics{cartsOpen: nop{}, orderValue: nop{}, cartItems: nop{},
		orders: map[string]prometheus.Counter{}, failures: map[[2]string]prometheus.Counter{}}
	lookup := func(name string) *instrument.Metric {
		metric, ok := in.Metric(name)
		if !ok {
			problems = append(problems, fmt.Errorf("storefront: service %s has no metric %s; not recorded", in.Service.Name, name))
		}
		return metric
	}
	note := func(err error) {
		if err != nil {
			problems = append(problems, fmt.Errorf("storefront: %w; not recorded", err))
		}
	}
	if metric := lookup(metricCartsOpen); metric != nil {
		g, err := metric.Gauge()
		if note(err); err == nil {
			m.cartsOpen = g
		}
	}
	for name, dst := range map[string]*prometheus.Observer{metricOrderValue: &m.orderValue, metricCartItems: &m.cartItems} {
		if metric := lookup(name); metric != nil {
			o, err := metric.Observer()
			if note(err); err == nil {
				*dst = o
			}
		}
	}
	if metric := lookup(metricOrders); metric != nil {
		m.payments = labelValues(metric, "payment")
		for _, p := range m.payments {
			c, err := metric.Counter(p)
			if note(err); err != nil {
				break
			}
			m.orders[p] = c
		}
	}
	if len(m.payments) == 0 {
		m.payments = []string{"card"}
	}
	for _, p := range m.payments {
		if _, ok := m.orders[p]; !ok {
			m.orders[p] = nop{}
		}
	}
	if metric := lookup(metricFailures); metric != nil {
		m.reasons = labelValues(metric, "reason")
		for _, p := range m.payments {
			for _, r := range m.reasons {
				c, err := metric.Counter(p, r)
				if note(err); err != nil {
					break
				}
				m.failures[[2]string{p, r}] = c
			}
		}
	}
	if len(m.reasons) == 0 {
		m.reasons = []string{"declined"}
	}
	slices.SortFunc(problems, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	problems = slices.CompactFunc(problems, func(a, b error) bool { return a.Error() == b.Error() })
	return m, problems
}

// labelValues returns the values of the metric's label name, or nil.
func labelValues(m *instrument.Metric, name string) []string {
	for _, l := range m.Desc.Labels {
		if l.Name == name {
			return l.Values
		}
	}
	return nil
}
