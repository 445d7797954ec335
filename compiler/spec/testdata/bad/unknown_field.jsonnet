// A typo in a field name is an unknown field, listed with the valid ones.
// exit: 1
// want: unknown_field.jsonnet:9:22: services[shop].latencyBucket: ~ unknown field ~ latencyBuckets
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      latencyBucket: [0.1, 0.3],
      endpoints: [s.endpoint('GET', '/cart', 'get_cart')],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
