// The demo stack of stack.jsonnet as an HA stack: a Prometheus pair, a
// 3-peer Alertmanager cluster and Thanos (sidecars and Query). The HA tests
// and the HA end-to-end test compile it; docs/ha.md shows how to run it.
(import 'stack.jsonnet') {
  ha: { prometheusReplicas: 2, alertmanagerPeers: 3, thanos: true },
}
