// Raw SLOs: PromQL that does not parse, a query without the window
// placeholder, a metric the generated registry does not export, and a
// window that is not the range of rate() (the rules count events as the
// rate times the window).
// exit: 1
// errors: 4
// want: raw_slo.jsonnet:19:19: services[shop].slos[payments].bad: ~ does not parse ~ {{.window}}
// want: raw_slo.jsonnet:20:21: services[shop].slos[payments].total: ~ no window placeholder
// want: raw_slo.jsonnet:23:19: services[shop].slos[refunds].bad: ~ unknown metric "shop_refunds_total" ~ shop_orders_total
// want: raw_slo.jsonnet:27:19: services[shop].slos[orders].bad: ~ only be the range of rate() ~ increase(shop_orders_total[{{.window}}])
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      metrics: [s.counter('shop_orders_total', 'Orders placed.')],
      slos: [
        s.raw('payments',
              bad='sum(rate(shop_orders_total[{{.window}}]',
              total='sum(rate(shop_orders_total[5m]))',
              objective=99),
        s.raw('refunds',
              bad='sum(rate(shop_refunds_total[{{.window}}]))',
              total='sum(rate(shop_orders_total[{{.window}}]))',
              objective=99),
        s.raw('orders',
              bad='sum(increase(shop_orders_total[{{.window}}]))',
              total='sum(rate(shop_orders_total[{{.window}}]))',
              objective=99),
      ],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
