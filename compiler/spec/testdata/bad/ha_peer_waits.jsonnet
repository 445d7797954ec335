// Four Alertmanager peers under a 10s group interval: the last peer waits
// 3 × 3s after each flush, so it drifts out of step and can page again
// after a resolve.
// exit: 1
// want: ha_peer_waits.jsonnet:13:20: alerting.groupInterval: ~ shorter than the 4 Alertmanager peers' waits ~ 12s or more
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('shop', team='storefront', port=8080)],
  alerting: {
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') },
    groupWait: '5s',
    groupInterval: '10s',
  },
  ha: { prometheusReplicas: 2, alertmanagerPeers: 4 },
}
