// Routes and the default receiver must name a receiver that exists.
// exit: 1
// errors: 2
// want: unknown_receiver.jsonnet:11:22: alerting.defaultReceiver: ~ unknown receiver "tickets" ~ oncall
// want: unknown_receiver.jsonnet:13:44: alerting.routes[0].receiver: ~ unknown receiver "pager" ~ oncall
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('shop', team='storefront')],
  alerting: {
    defaultReceiver: 'tickets',
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') },
    routes: [s.route({ severity: 'page' }, 'pager')],
  },
}
