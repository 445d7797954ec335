// A label value of the wrong type is reported once, at the value: not
// also as an empty value of its label.
// exit: 1
// errors: 1
// want: wrong_typed_label_value.jsonnet:13:77: services[shop].metrics[shop_orders_total].labels[payment].values[1]: ~ want a string, got the number 1
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
      metrics: [s.counter('shop_orders_total', 'Orders.', labels={ payment: ['card', 1] })],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
