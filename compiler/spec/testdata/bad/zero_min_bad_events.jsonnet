// minBadEvents 0 would let every tier fire on one bad event at any
// traffic; minEventRate 0 (beside it) is honoured and turns the guard off.
// exit: 1
// errors: 1
// want: zero_min_bad_events.jsonnet:12:91: services[shop].slos[a-availability].minBadEvents: ~ minBadEvents 0 lets every tier fire on
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9, minEventRate=0, minBadEvents=0)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
