// An SLO of a service without endpoints: the hint says what to do
// instead of ending in an empty `use one of: `.
// exit: 1
// errors: 1
// want: unknown_endpoint_none.jsonnet:12:47: services[shop].slos[a-availability].endpoints: ~ SLO "a-availability" references unknown endpoint "get_a"
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
