// Instrumentation: an unknown preset, a latency SLO on Micrometer, which
// exports no buckets unless configured, two services sharing a scrape job
// and a selector on a label stackc sets.
// exit: 1
// errors: 4
// want: instrumentation.jsonnet:15:24: services[cart].instrumentation: ~ unknown instrumentation preset "flask" ~ prometheus-flask-exporter
// want: instrumentation.jsonnet:19:12: services[billing].job: ~ scrape job "cart" ~ cart
// want: instrumentation.jsonnet:20:28: services[billing].selector.service: ~ reserved
// want: instrumentation.jsonnet:24:60: services[billing].slos[pay-latency].threshold: ~ needs buckets ~ management.metrics.distribution.slo.http.server.requests ~ latencyBuckets
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('cart', team='storefront') {
      instrumentation: 'flask',
    },
    s.service('billing', team='payments', port=8085) {
      instrumentation: 'micrometer',
      job: 'cart',
      selector: { service: 'billing' },
      endpoints: [s.endpoint('POST', '/pay', name='pay')],
      slos: [
        s.availability('pay-availability', endpoint='pay', objective=99.9),
        s.latency('pay-latency', endpoint='pay', threshold='300ms', objective=99),
      ],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
