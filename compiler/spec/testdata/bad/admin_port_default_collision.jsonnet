// The admin port defaults to port + 1000; when that collides, the message
// says where the number comes from.
// exit: 1
// errors: 1
// want: admin_port_default_collision.jsonnet:14:5: services[cart].adminPort: ~ the admin port defaults to port +
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
    },
    s.service('cart', team='storefront', port=7080) {
      endpoints: [s.endpoint('GET', '/b', name='get_b')],
      slos: [],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
