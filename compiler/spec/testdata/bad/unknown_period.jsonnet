// Periods are 7d, 28d or 30d; a word is not a duration at all.
// exit: 1
// errors: 2
// want: unknown_period.jsonnet:13:70: services[shop].slos[cart-availability].period: ~ period 14d is not supported ~ 7d, 28d or 30d
// want: unknown_period.jsonnet:14:67: services[shop].slos[cart-latency].period: ~ "month" is not a duration
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      slos: [
        s.availability('cart-availability', 'get_cart', 99.9, period='14d'),
        s.latency('cart-latency', 'get_cart', '250ms', 99, period='month'),
      ],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
