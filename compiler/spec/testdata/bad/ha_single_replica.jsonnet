// An HA stack with one Prometheus is no pair: nothing keeps its alerts
// alive while it is down.
// exit: 1
// want: ha_single_replica.jsonnet:11:25: ha.prometheusReplicas: ~ at least 2 Prometheus replicas ~ use 2
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('shop', team='storefront', port=8080)],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
  ha: {
    prometheusReplicas: 1,
  },
}
