// exit: 1
// want: unknown_variable.jsonnet:6:37: ~ unknown variable: storefront ~ local storefront =
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('shop', team=storefront)],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
