// Durations are Prometheus durations: a number and a unit, no space.
// exit: 1
// errors: 2
// want: bad_duration.jsonnet:9:19: scrapeInterval: ~ want a duration, got the number 15
// want: bad_duration.jsonnet:13:52: services[shop].slos[cart-latency].threshold: ~ "300 ms" is not a duration
local s = import 'stackc.libsonnet';

s.stack {
  scrapeInterval: 15,
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      slos: [s.latency('cart-latency', 'get_cart', '300 ms', 99)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
