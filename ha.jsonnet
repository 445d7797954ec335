// The demo stack of stack.jsonnet as an HA stack: a Prometheus pair, a
// 3-peer Alertmanager cluster and Thanos (sidecars and Query). The HA tests
// and the HA end-to-end test compile it; docs/ha.md shows how to run it.
local s = import 'stackc.libsonnet';

(import 'stack.jsonnet') {
  ha: { prometheusReplicas: 2, alertmanagerPeers: 3, thanos: true },
  // A peer of the Alertmanager cluster can send a stale firing notification
  // after a resolve when the resolve falls within its notification wait
  // (docs/ha.md); a group interval long against that wait makes it rare.
  // The demo profile's 10s would make it likely.
  alerting+: { groupInterval: if s.profile == 'demo' then '1m' else '5m' },
}
