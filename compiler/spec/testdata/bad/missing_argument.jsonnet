// A required constructor argument left out.
// exit: 1
// want: missing_argument.jsonnet:7:14: ~ missing argument: team ~ s.service takes (name, team, port)
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('shop', port=8080)],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
