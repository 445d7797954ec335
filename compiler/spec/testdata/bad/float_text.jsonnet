// Jsonnet manifests 0.3 as 0.29999999999999999; messages print 0.3.
// exit: 1
// errors: 1
// want: float_text.jsonnet:9:47: services[shop].port: ~ want a whole number, got 0.3
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront', port=0.3) {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
