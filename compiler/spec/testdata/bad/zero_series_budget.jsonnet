// seriesBudget: 0 is written, so it is refused instead of becoming 10000.
// exit: 1
// errors: 1
// want: zero_series_budget.jsonnet:8:17: seriesBudget: ~ series budget 0 is not positive
local s = import 'stackc.libsonnet';

s.stack {
  seriesBudget: 0,
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
