// A misspelt named argument: Jsonnet's error, with the constructor's parameters.
// exit: 1
// want: unknown_parameter.jsonnet:8:17: ~ function has no parameter sims ~ did you mean sim=? ~ s.endpoint takes (method, route, name, sim)
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('shop', team='storefront') {
    endpoints: [s.endpoint('GET', '/cart', 'get_cart', sims={ latency: '20ms' })],
  }],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
