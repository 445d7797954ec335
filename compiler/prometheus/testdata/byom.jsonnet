// Bring your own metrics: one service on the generated registry beside
// three existing apps whose exporters stackc reads through presets
// (prometheus-flask-exporter, OpenTelemetry semconv, Micrometer), with a
// scrape job of their own and an extra selector, and static labels.
local s = import 'stackc.libsonnet';

s.stack {
  labels: { env: 'staging', cluster: 'eu-1' },
  services: [
    s.service('shop', team='storefront', port=8080) {
      latencyBuckets: [0.1, 0.3, 1],
      endpoints: [s.endpoint('POST', '/checkout', name='checkout')],
      slos: [s.availability('shop-availability', endpoint='checkout', objective=99.9)],
    },
    s.service('catalog', team='catalog', port=5000) {
      instrumentation: 'prometheus-flask-exporter',
      labels: { region: 'eu-west-1' },
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
      endpoints: [s.endpoint('GET', '/search', name='search')],
      slos: [
        s.availability('search-availability', endpoint='search', objective=99.9),
        s.latency('search-latency', endpoint='search', threshold='500ms', objective=95, period='7d'),
      ],
    },
    s.service('billing', team='payments', port=8085) {
      instrumentation: 'micrometer',
      // management.metrics.distribution.slo.http.server.requests=100ms,300ms,1s
      latencyBuckets: [0.1, 0.3, 1],
      endpoints: [s.endpoint('POST', '/invoices/{id}/pay', name='pay_invoice')],
      slos: [
        s.availability('billing-availability', endpoint='pay_invoice', objective=99.9),
        s.latency('billing-latency', endpoint='pay_invoice', threshold='300ms', objective=99),
        // A raw SLO over the app's own counters: declined among all payments.
        s.raw('billing-payments',
              bad='sum(rate(payments_total{result="declined"}[{{.window}}]))',
              total='sum(rate(payments_total[{{.window}}]))',
              objective=98),
      ],
    },
  ],
  alerting: {
    defaultReceiver: 'team',
    receivers: { team: s.webhook('http://127.0.0.1:9095/alerts'), oncall: s.webhook('http://127.0.0.1:9095/page') },
    routes: [s.route({ severity: 'page', env: 'staging', region: 'eu-west-1' }, 'oncall')],
    groupBy: ['alertname', 'service', 'slo', 'env'],
  },
}
