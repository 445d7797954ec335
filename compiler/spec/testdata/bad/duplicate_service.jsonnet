// Two services with one name; the second one is reported.
// exit: 1
// want: duplicate_service.jsonnet:9:15: services[1].name: ~ duplicate service "shop"
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront', port=8080),
    s.service('shop', team='payments', port=8081),
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
