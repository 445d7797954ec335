// An explicit port 0 is refused, not replaced by the default 8080;
// the admin port that would follow from it is not reported as well.
// exit: 1
// errors: 1
// want: zero_port.jsonnet:10:47: services[shop].port: ~ port 0 is out of range
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront', port=0) {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
