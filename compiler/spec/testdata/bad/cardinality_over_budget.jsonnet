// The worst case series count is over the budget; the largest metrics are named.
// exit: 1
// want: cardinality_over_budget.jsonnet:9:17: seriesBudget: ~ exceeds the budget of 500 ~ shop_page_views_total 1000
local s = import 'stackc.libsonnet';

local values(prefix, n) = [prefix + i for i in std.range(1, n)];

s.stack {
  seriesBudget: 500,
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      metrics: [
        s.counter('shop_page_views_total', 'Page views.', labels={ page: values('p', 100), country: values('c', 10) }),
      ],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
