// A label must list every value it can take, each once.
// exit: 1
// errors: 2
// want: unbounded_label.jsonnet:12:77: services[shop].metrics[shop_orders_total].labels[customer]: ~ no values ~ bounded
// want: unbounded_label.jsonnet:12:90: services[shop].metrics[shop_orders_total].labels[payment]: ~ repeated value "card"
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      metrics: [
        s.counter('shop_orders_total', 'Orders placed.', labels={ customer: [], payment: ['card', 'card'] }),
      ],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
