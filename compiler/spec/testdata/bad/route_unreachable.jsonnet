// Warnings, not errors: a route whose labels no alert carries together,
// and one that an earlier route without continue shadows.
// exit: 0
// want: warning: route_unreachable.jsonnet:19:15: alerting.routes[0].match: ~ no generated alert has all of {severity="page",
// want: warning: route_unreachable.jsonnet:21:15: alerting.routes[2].match: ~ every alert this route matches is taken
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
    },
  ],
  alerting: {
    defaultReceiver: 'oncall',
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts'), tickets: s.webhook('http://127.0.0.1:9095/tickets'), pages: s.webhook('http://127.0.0.1:9095/pages') },
    routes: [
      s.route({ severity: 'page', tier: 'ticket' }, 'tickets'),
      s.route({ service: 'shop' }, 'pages'),
      s.route({ severity: 'ticket' }, 'tickets'),
    ],
  },
}
