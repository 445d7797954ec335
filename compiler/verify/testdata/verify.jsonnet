// The spec the exposition fixtures are checked against: one service per
// kind of instrumentation (the generated registry and the three exporter
// presets), with latency SLOs, business metrics, a raw SLO, static and
// selector labels.
local s = import 'stackc.libsonnet';

s.stack {
  labels: { env: 'staging' },
  services: [
    s.service('shop', team='storefront', port=8080) {
      latencyBuckets: [0.1, 0.3, 1],
      statusCodes: [200, 500],
      endpoints: [
        s.endpoint('GET', '/products/{id}', name='get_product'),
        s.endpoint('POST', '/checkout', name='checkout'),
      ],
      metrics: [
        s.counter('shop_orders_total', 'Orders placed.', labels={ payment: ['card', 'paypal'] }),
        s.histogram('shop_order_value_euros', 'Order value.', buckets=[10, 100]),
        s.summary('shop_cart_items', 'Items in a cart at checkout.', objectives={ '0.5': 0.05, '0.9': 0.01 }),
      ],
      slos: [
        s.availability('checkout-availability', endpoint='checkout', objective=99.9),
        s.latency('checkout-latency', endpoint='checkout', threshold='300ms', objective=99),
        s.raw('payment-success',
              bad='sum(rate(shop_orders_total{payment="paypal"}[{{.window}}]))',
              total='sum(rate(shop_orders_total[{{.window}}]))',
              objective=99),
      ],
    },
    s.service('catalog', team='catalog', port=5000) {
      instrumentation: 'prometheus-flask-exporter',
      latencyBuckets: [0.1, 0.25, 1],
      statusCodes: [200, 404, 500],
      endpoints: [
        s.endpoint('GET', '/products', name='list_products'),
        s.endpoint('GET', '/products/{id}', name='get_product'),
      ],
      slos: [
        s.availability('catalog-availability', endpoint=['list_products', 'get_product'], objective=99.5),
        s.latency('catalog-latency', endpoint='get_product', threshold='250ms', objective=99),
      ],
    },
    s.service('search', team='search', port=8070) {
      instrumentation: 'opentelemetry',
      job: 'search-otel',
      selector: { namespace: 'search' },
      statusCodes: [200, 500],
      endpoints: [s.endpoint('GET', '/search/{kind}', name='search')],
      slos: [
        s.availability('search-availability', endpoint='search', objective=99.9),
        s.latency('search-latency', endpoint='search', threshold='500ms', objective=95, period='7d'),
      ],
    },
    s.service('billing', team='payments', port=8085) {
      instrumentation: 'micrometer',
      // management.metrics.distribution.slo.http.server.requests=100ms,300ms,1s
      latencyBuckets: [0.1, 0.3, 1],
      statusCodes: [200, 500],
      endpoints: [s.endpoint('POST', '/invoices/{id}/pay', name='pay_invoice')],
      slos: [
        s.availability('billing-availability', endpoint='pay_invoice', objective=99.9),
        s.latency('billing-latency', endpoint='pay_invoice', threshold='300ms', objective=99),
        s.raw('billing-payments',
              bad='sum(rate(payments_total{result="declined"}[{{.window}}]))',
              total='sum(rate(payments_total[{{.window}}]))',
              objective=98),
      ],
    },
  ],
  alerting: {
    defaultReceiver: 'team',
    receivers: { team: s.webhook('http://127.0.0.1:9095/alerts') },
  },
}
