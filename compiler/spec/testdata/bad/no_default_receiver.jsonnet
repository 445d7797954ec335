// With several receivers, alerts no route matches need a default receiver.
// exit: 1
// want: no_default_receiver.jsonnet:8:13: alerting.defaultReceiver: ~ no default receiver ~ oncall, tickets
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('shop', team='storefront')],
  alerting: {
    receivers: {
      oncall: s.webhook('http://127.0.0.1:9095/alerts'),
      tickets: s.webhook('http://127.0.0.1:9095/tickets'),
    },
    routes: [s.route({ severity: 'page' }, 'oncall'), s.route({ severity: 'ticket' }, 'tickets')],
  },
}
