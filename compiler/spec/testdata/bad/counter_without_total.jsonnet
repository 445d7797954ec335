// exit: 1
// want: counter_without_total.jsonnet:8:27: services[shop].metrics[shop_orders].name: ~ must end in _total ~ shop_orders_total
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      metrics: [s.counter('shop_orders', 'Orders placed.')],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
