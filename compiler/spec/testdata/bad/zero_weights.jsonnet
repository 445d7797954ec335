// Zeros that are valid are honoured: weight 0 sends no generated traffic
// (a warning when no endpoint gets any), latency '0ms' answers at once.
// exit: 0
// want: warning: zero_weights.jsonnet:10:18: services[shop].endpoints: ~ every endpoint of service "shop" has sim
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a', sim={ weight: 0, latency: '0ms' })],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
