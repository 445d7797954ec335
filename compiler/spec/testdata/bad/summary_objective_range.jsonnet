// exit: 1
// want: summary_objective_range.jsonnet:8:76: services[shop].metrics[shop_cart_items].objectives: ~ 0.9±1.5 is out of range
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      metrics: [s.summary('shop_cart_items', 'Items per cart.', objectives={ '0.9': 1.5 })],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
