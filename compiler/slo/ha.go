package slo

import (
	"time"

	"strconv"

	"github.com/stackc/stackc/compiler/model"
)

// Conventions of an HA stack (model.HA): the names of its servers, the label
// that tells the Prometheus replicas apart, and where each replica's
// configuration is written.

// ReplicaLabel is the external label that tells the Prometheus replicas of
// an HA stack apart. Thanos Query deduplicates on it, and every replica
// drops it from its alerts (alert_relabel_configs), so both replicas' copies
// of an alert have one label set, one fingerprint, and the Alertmanager
// cluster notifies it once.
const ReplicaLabel = "replica"

// PrometheusReplicaName is the name of the i-th Prometheus replica: the
// value of its ReplicaLabel and its Compose service name.
func PrometheusReplicaName(i int) string { return PrometheusServer + "-" + strconv.Itoa(i) }

// AlertmanagerPeerName is the name of the i-th Alertmanager peer.
func AlertmanagerPeerName(i int) string { return AlertmanagerServer + "-" + strconv.Itoa(i) }

// ThanosSidecarName is the name of the Thanos sidecar beside a replica.
func ThanosSidecarName(replica string) string { return "thanos-sidecar-" + replica }

// ThanosQueryName is the name of the Thanos Query server.
const ThanosQueryName = "thanos-query"

// PrometheusConfigPathOf is where the configuration of a Prometheus server
// is written, relative to out/: PrometheusConfigPath for the single server
// (replica ""), prometheus/<replica>.yml for each replica of an HA stack.
// Both sit beside the rules directory, which rule_files names relative to
// the file.
func PrometheusConfigPathOf(replica string) string {
	if replica == "" {
		return PrometheusConfigPath
	}
	return "prometheus/" + replica + ".yml"
}

// PrometheusServers returns the stack's Prometheus servers: the HA replicas,
// or the single server on network.prometheusPort (with no name).
func PrometheusServers(st *model.Stack) []model.PrometheusReplica {
	if st.HA != nil && len(st.HA.Prometheus) > 0 {
		return st.HA.Prometheus
	}
	return []model.PrometheusReplica{{Port: st.Network.PrometheusPort}}
}

// AlertmanagerServers returns the stack's Alertmanagers: the HA cluster's
// peers, or the single server on network.alertmanagerPort (no name, no
// cluster port).
func AlertmanagerServers(st *model.Stack) []model.AlertmanagerPeer {
	if st.HA != nil && len(st.HA.Alertmanagers) > 0 {
		return st.HA.Alertmanagers
	}
	return []model.AlertmanagerPeer{{Port: st.Network.AlertmanagerPort}}
}

// ThanosEnabled reports whether the stack runs Thanos sidecars and Query.
func ThanosEnabled(st *model.Stack) bool { return st.HA != nil && st.HA.Thanos }

// QueryPort is the port of the server that answers the stack's PromQL for
// Grafana and the review: Thanos Query, which deduplicates the replicas'
// series, or Prometheus (the first replica of an HA stack without Thanos).
func QueryPort(st *model.Stack) int {
	if ThanosEnabled(st) {
		return st.HA.ThanosQuery.Port
	}
	return st.Network.PrometheusPort
}

// ClusterPeerTimeout is how long an Alertmanager peer waits for the peers
// before it in the cluster to notify before it notifies itself: the n-th
// peer notifies after n times this, when the gossip does not show the
// notification sent. Gossip on loopback or a Compose network takes well
// under a second, so the
// native stack and Compose wait 3s instead of Alertmanager's default 15s.
//
// The wait runs inside the aggregation group's flush loop, and a peer
// compares the group as it was at the flush with the gossiped log after
// it. While the last peer's wait ((peers-1) × this) and its send end
// within a group interval, every peer flushes at the same instants, and a
// resolve is sent at the flush after it arrived, by the first peer, after
// the others have checked their older snapshots. With longer waits a
// peer can compare a snapshot from before the resolve with a log that has
// it and page again (prometheus/alertmanager#4008); docs/ha.md has the
// argument. ha.jsonnet's group interval (1m under the demo profile) is
// well beyond 2 × 3s.
const ClusterPeerTimeout = 3 * time.Second
