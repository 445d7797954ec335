// A latency threshold must be exactly a bucket boundary; the fix names the neighbours.
// exit: 1
// want: threshold_not_bucket.jsonnet:11:62: services[shop].slos[cart-latency].threshold: ~ 300ms is not a bucket ~ 0.1 0.25 0.5 ~ add 0.3 ~ 250ms or 500ms
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      latencyBuckets: [0.1, 0.25, 0.5, 1],
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      slos: [s.latency('cart-latency', 'get_cart', threshold='300ms', objective=99)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
