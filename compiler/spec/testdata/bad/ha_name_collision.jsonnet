// A service named like an Alertmanager peer of the HA stack would share its
// Compose service name.
// exit: 1
// want: ha_name_collision.jsonnet:8:24: services[0].name: ~ service name "alertmanager-1" is taken by the HA stack
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('alertmanager-1', team='storefront', port=8080)],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
  ha: { prometheusReplicas: 2, alertmanagerPeers: 3 },
}
