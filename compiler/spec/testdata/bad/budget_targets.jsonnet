// Every scrape target exposes every series: 40 replicas of a modest
// service exceed the default budget.
// exit: 1
// errors: 1
// want: budget_targets.jsonnet:14:17: services[shop].metrics[shop_orders_total]: ~ worst case of 12080 series exceeds the
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
      targets: ['10.0.0.%d:8080' % i for i in std.range(1, 40)],
      metrics: [s.counter('shop_orders_total', 'Orders.', labels={ payment: std.makeArray(250, function(i) 'p' + i) })],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
