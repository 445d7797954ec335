// A port out of range is reported once, at the port: the admin port that
// defaults to port + 1000 follows from it and is not reported too.
// exit: 1
// errors: 1
// want: port_out_of_range.jsonnet:10:47: services[shop].port: ~ port 70000 is out of range
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront', port=70000) {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
