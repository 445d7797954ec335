// With seriesBudget left at its default, the budget error points at the
// declaration of the largest metric.
// exit: 1
// errors: 1
// want: budget_default_position.jsonnet:13:17: services[shop].metrics[shop_orders_total]: ~ worst case of 12052 series exceeds the
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
      metrics: [s.counter('shop_orders_total', 'Orders.', labels={ a: std.makeArray(100, function(i) 'v' + i), b: std.makeArray(120, function(i) 'w' + i) })],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
