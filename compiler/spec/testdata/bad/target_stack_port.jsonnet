// A target on a port of the stack's own servers (Prometheus here) is a mistake.
// exit: 1
// errors: 1
// want: target_stack_port.jsonnet:12:16: services[shop].targets: ~ scrape target "127.0.0.1:9090" of service "shop" is
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
      targets: ['127.0.0.1:9090'],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
