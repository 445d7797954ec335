// Routes can only match labels and values that generated alerts carry.
// exit: 1
// errors: 2
// want: route_match.jsonnet:14:22: alerting.routes[0].match.env: ~ no generated alert carries the label "env"
// want: route_match.jsonnet:15:27: alerting.routes[1].match.severity: ~ severity="critical" ~ page, ticket
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('shop', team='storefront')],
  alerting: {
    defaultReceiver: 'oncall',
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') },
    routes: [
      s.route({ env: 'prod' }, 'oncall'),
      s.route({ severity: 'critical' }, 'oncall'),
    ],
  },
}
