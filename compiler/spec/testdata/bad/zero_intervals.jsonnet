// Explicit zero intervals are refused where Prometheus and Alertmanager
// need a positive one; groupWait '0s' (notify at once) is honoured.
// exit: 1
// errors: 3
// want: zero_intervals.jsonnet:11:19: scrapeInterval: ~ scrapeInterval 0s is not positive
// want: zero_intervals.jsonnet:20:20: alerting.groupInterval: ~ group interval 0s is not positive
// want: zero_intervals.jsonnet:22:69: alerting.routes[0].repeatInterval: ~ repeat interval 0s is not positive
local s = import 'stackc.libsonnet';

s.stack {
  scrapeInterval: '0s',
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
    },
  ],
  alerting: {
    groupWait: '0s',
    groupInterval: '0s',
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') },
    routes: [s.route({ severity: 'page' }, 'oncall', repeatInterval='0s')],
  },
}
