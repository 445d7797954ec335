// A service name becomes part of Grafana dashboard UIDs (at most 40
// characters); a long one used to fail at write time without a position.
// exit: 1
// errors: 1
// want: long_service_name.jsonnet:10:15: services[shop-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx].name: ~ service name "shop-xxxxxxxxxxxxxxx..." is 45 characters long,
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
