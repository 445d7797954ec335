// The scrape adds team to every series and alerts carry slo, severity,
// tier and alertname: a business metric may not use them as labels.
// exit: 1
// errors: 2
// want: reserved_business_label.jsonnet:13:78: services[shop].metrics[shop_orders_total].labels[severity]: ~ label "severity" is reserved
// want: reserved_business_label.jsonnet:13:93: services[shop].metrics[shop_orders_total].labels[team]: ~ label "team" is reserved
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      metrics: [s.counter('shop_orders_total', 'Orders.', labels={ severity: ['low'], team: ['a', 'b'] })],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
