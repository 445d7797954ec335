// A business metric may not reuse the name of a generated RED metric.
// exit: 1
// want: duplicate_metric.jsonnet:10:27: services[shop].metrics[0].name: ~ duplicate metric "http_requests_total" ~ generated
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      metrics: [s.counter('http_requests_total', 'Requests.')],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
