package model

// HA runs the stack highly available: Prometheus as a set of identical
// replicas (usually a pair) that scrape the same targets, evaluate the same
// rules and send every alert to every Alertmanager, an Alertmanager cluster
// whose peers gossip notification state so that an incident notifies once,
// and optionally Thanos (a sidecar beside every replica and Thanos Query
// deduplicating their series) as the global query view.
//
// The spec writes only the counts and Thanos; the defaults fill in one
// entry, with its ports, per replica and per peer.
type HA struct {
	// PrometheusReplicas is how many Prometheus servers run (at least 2).
	PrometheusReplicas int `json:"prometheusReplicas"`
	// AlertmanagerPeers is how many Alertmanagers form the cluster (at least 1).
	AlertmanagerPeers int `json:"alertmanagerPeers"`
	// Thanos adds a Thanos sidecar per replica and Thanos Query, which
	// Grafana then reads through.
	Thanos bool `json:"thanos"`
	// Prometheus are the replicas; the first listens on network.prometheusPort.
	Prometheus []PrometheusReplica `json:"prometheus"`
	// Alertmanagers are the cluster's peers; the first listens on
	// network.alertmanagerPort.
	Alertmanagers []AlertmanagerPeer `json:"alertmanagers"`
	// ThanosQuery is where Thanos Query listens (when Thanos is set).
	ThanosQuery ThanosQuery `json:"thanosQuery"`
}

// PrometheusReplica is one Prometheus of the HA set.
type PrometheusReplica struct {
	// Name is the value of its replica external label, and its name in Compose.
	Name string `json:"name"`
	Port int    `json:"port"`
	// SidecarGRPCPort and SidecarHTTPPort are its Thanos sidecar's ports.
	SidecarGRPCPort int `json:"sidecarGRPCPort,omitempty"`
	SidecarHTTPPort int `json:"sidecarHTTPPort,omitempty"`
}

// AlertmanagerPeer is one Alertmanager of the cluster.
type AlertmanagerPeer struct {
	// Name is its name in Compose.
	Name string `json:"name"`
	// Host is where Prometheus reaches it; empty means the bind address
	// (loopback for a wildcard bind). Compose sets it to the container name.
	Host string `json:"host,omitempty"`
	Port int    `json:"port"`
	// ClusterPort is where it gossips with the other peers.
	ClusterPort int `json:"clusterPort"`
}

// ThanosQuery is the Thanos Query server of an HA stack.
type ThanosQuery struct {
	Port     int `json:"port,omitempty"`
	GRPCPort int `json:"grpcPort,omitempty"`
}
