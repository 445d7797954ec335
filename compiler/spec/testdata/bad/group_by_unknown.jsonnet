// Grouping by a label no alert carries changes nothing: a warning.
// exit: 0
// want: warning: group_by_unknown.jsonnet:14:28: alerting.groupBy[1]: ~ no generated alert carries the label "cluster",
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
    },
  ],
  alerting: {
    groupBy: ['alertname', 'cluster'],
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') },
  },
}
