// port + 1000 is beyond 65535: the default admin port cannot exist.
// exit: 1
// errors: 1
// want: admin_port_default_range.jsonnet:9:5: services[shop].adminPort: ~ the admin port defaults to port +
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront', port=65000) {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
