// period: '0d' is written, so it is refused instead of becoming 30d.
// exit: 1
// errors: 1
// want: zero_period.jsonnet:11:69: services[shop].slos[a-availability].period: ~ period 0d is not supported
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9, period='0d')],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
