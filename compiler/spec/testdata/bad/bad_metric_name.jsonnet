// Metric names: a dash, and a colon (reserved for recording rules).
// exit: 1
// errors: 2
// want: bad_metric_name.jsonnet:12:19: services[shop].metrics[shop-orders_total].name: ~ not a valid metric name
// want: bad_metric_name.jsonnet:13:17: services[shop].metrics[shop:carts].name: ~ not a valid metric name ~ colons
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      metrics: [
        s.counter('shop-orders_total', 'Orders placed.'),
        s.gauge('shop:carts', 'Open carts.'),
      ],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
