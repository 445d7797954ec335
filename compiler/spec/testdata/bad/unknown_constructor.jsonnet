// A misspelt constructor.
// exit: 1
// want: unknown_constructor.jsonnet:8:15: ~ field does not exist: histgram ~ did you mean s.histogram?
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('shop', team='storefront') {
    metrics: [s.histgram('shop_order_value_euros', 'Order value.', [5, 10, 50])],
  }],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
