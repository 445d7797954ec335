// Receivers are keyed by name, so a duplicate is Jsonnet's own error.
// exit: 1
// want: duplicate_receiver.jsonnet:11:7: ~ duplicate field: oncall
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('shop', team='storefront')],
  alerting: {
    receivers: {
      oncall: s.webhook('http://127.0.0.1:9095/alerts'),
      oncall: s.webhook('http://127.0.0.1:9095/pages'),
    },
  },
}
