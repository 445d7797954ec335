// Prometheus durations are whole numbers: '1.5s' is refused with the
// spelling that works, '1500ms'.
// exit: 1
// errors: 2
// want: fractional_duration.jsonnet:12:72: services[shop].endpoints[get_a].sim.latency: ~ "1.5s" is not a duration like 300ms,
// want: fractional_duration.jsonnet:12:92: services[shop].endpoints[get_a].sim.latencyP99: ~ "2.5h" is not a duration like 300ms,
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a', sim={ latency: '1.5s', latencyP99: '2.5h' })],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
