// Units are base units: seconds, not milliseconds.
// exit: 1
// want: non_base_unit.jsonnet:9:29: services[shop].metrics[shop_payment_milliseconds].name: ~ "milliseconds" ~ shop_payment_seconds
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      metrics: [s.histogram('shop_payment_milliseconds', 'Payment time.', buckets=[10, 100, 1000])],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
