// A missing comma between two fields is a Jsonnet syntax error, located by Jsonnet.
// exit: 1
// want: syntax_error.jsonnet:8:3: ~ expected a comma
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('shop', team='storefront')]
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
