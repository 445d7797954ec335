// The demo stack of stack.jsonnet as an HA stack: a Prometheus pair, a
// 3-peer Alertmanager cluster and Thanos (sidecars and Query). The HA tests
// and the HA end-to-end test compile it; docs/ha.md shows how to run it.
local s = import 'stackc.libsonnet';

(import 'stack.jsonnet') {
  ha: { prometheusReplicas: 2, alertmanagerPeers: 3, thanos: true },
  // The cluster notifies once only while the last peer's notification wait,
  // (peers - 1) x --cluster.peer-timeout, ends within a group interval
  // (docs/ha.md): 2 x 3s natively, 2 x 15s (Alertmanager's default) in
  // Compose. The demo profile's 10s would be too short for Compose.
  alerting+: { groupInterval: if s.profile == 'demo' then '1m' else '5m' },
}
