// exit: 1
// want: gauge_with_total.jsonnet:8:25: services[shop].metrics[shop_carts_total].name: ~ must not end in _total ~ counter
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      metrics: [s.gauge('shop_carts_total', 'Open carts.')],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
