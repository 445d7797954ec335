// The second Prometheus replica listens on network.prometheusPort + 100,
// where this spec's service already listens.
// exit: 1
// want: ha_port_clash.jsonnet:8:56: services[shop].port: ~ port 9190 is already used by ha.prometheus[1].port
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('shop', team='storefront', port=9190)],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
  ha: { prometheusReplicas: 2, alertmanagerPeers: 3 },
}
