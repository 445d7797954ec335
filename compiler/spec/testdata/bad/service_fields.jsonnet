// A service needs a valid name, a team and its own port.
// exit: 1
// errors: 3
// want: service_fields.jsonnet:10:24: services[Shop].name: ~ service name "Shop" is not valid ~ lower case
// want: service_fields.jsonnet:10:37: services[Shop].team: ~ has no team
// want: service_fields.jsonnet:10:46: services[Shop].port: ~ port 9090 is already used by network.prometheusPort
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('Shop', team='', port=9090)],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
