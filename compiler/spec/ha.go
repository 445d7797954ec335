package spec

import (
	"fmt"
	"time"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// validateHA checks the HA section: enough replicas for a pair, one entry
// per replica and peer, distinct names that collide with no service, and
// every port free (usePort records them beside the network's).
func validateHA(st *model.Stack, ps *problems, usePort func(path string, port int) bool) {
	h := st.HA
	if h == nil {
		return
	}
	if h.PrometheusReplicas < 2 {
		ps.errorf("ha.prometheusReplicas", "use 2 (a pair), or leave ha out for a single Prometheus",
			"an HA stack needs at least 2 Prometheus replicas, not %d", h.PrometheusReplicas)
	}
	if h.AlertmanagerPeers < 1 {
		ps.errorf("ha.alertmanagerPeers", "use 3 (a cluster that survives one lost peer)",
			"an HA stack needs at least 1 Alertmanager, not %d", h.AlertmanagerPeers)
	}
	if len(h.Prometheus) != h.PrometheusReplicas && h.PrometheusReplicas >= 2 {
		ps.errorf("ha.prometheus", "leave ha.prometheus out (it is filled in from prometheusReplicas) or list one entry per replica",
			"ha.prometheus lists %d replicas, prometheusReplicas is %d", len(h.Prometheus), h.PrometheusReplicas)
	}
	if len(h.Alertmanagers) != h.AlertmanagerPeers && h.AlertmanagerPeers >= 1 {
		ps.errorf("ha.alertmanagers", "leave ha.alertmanagers out (it is filled in from alertmanagerPeers) or list one entry per peer",
			"ha.alertmanagers lists %d peers, alertmanagerPeers is %d", len(h.Alertmanagers), h.AlertmanagerPeers)
	}
	// The names are Compose service names and replica label values.
	names := map[string]string{}
	services := map[string]bool{}
	for i, svc := range st.Services {
		names[svc.Name] = fmt.Sprintf("services[%d].name", i)
		services[svc.Name] = true
	}
	const hint = "rename the service; the HA stack's servers run as prometheus-N, alertmanager-N, thanos-sidecar-prometheus-N and thanos-query"
	useName := func(path, name string) {
		if !nameRE.MatchString(name) {
			ps.errorf(path, "use lower case letters, digits and dashes, starting with a letter (e.g. prometheus-0)", "name %q is not valid", name)
			return
		}
		if other, ok := names[name]; ok {
			if services[name] {
				// The spec wrote the service's name; the server's is a default.
				ps.errorf(other, hint, "service name %q is taken by the HA stack's %s", name, path)
			} else {
				ps.errorf(path, "give every server of the HA stack its own name", "name %q is already used by %s", name, other)
			}
			return
		}
		names[name] = path
	}
	// The first server of each kind is the single-server stack's, on the
	// port network names; the others need ports of their own.
	serverPort := func(path string, i, port int, kind, field string, want int) {
		if i > 0 {
			usePort(path, port)
		} else if port != want {
			ps.errorf(path, "leave the port out, or set "+field+" to it",
				"the first %s listens on %s %d, not %d", kind, field, want, port)
		}
	}
	for i, r := range h.Prometheus {
		path := fmt.Sprintf("ha.prometheus[%d]", i)
		useName(path+".name", r.Name)
		serverPort(path+".port", i, r.Port, "replica", "network.prometheusPort", st.Network.PrometheusPort)
		if h.Thanos {
			useName(path+".name", slo.ThanosSidecarName(r.Name))
			usePort(path+".sidecarGRPCPort", r.SidecarGRPCPort)
			usePort(path+".sidecarHTTPPort", r.SidecarHTTPPort)
		}
	}
	for i, a := range h.Alertmanagers {
		path := fmt.Sprintf("ha.alertmanagers[%d]", i)
		useName(path+".name", a.Name)
		serverPort(path+".port", i, a.Port, "peer", "network.alertmanagerPort", st.Network.AlertmanagerPort)
		usePort(path+".clusterPort", a.ClusterPort)
	}
	if h.Thanos {
		useName("ha.thanos", slo.ThanosQueryName)
		usePort("ha.thanosQuery.port", h.ThanosQuery.Port)
		usePort("ha.thanosQuery.grpcPort", h.ThanosQuery.GRPCPort)
	}
	checkPeerWaits(st, ps)
}

// checkPeerWaits refuses group intervals too short for the cluster's
// waits: the last of n peers notifies (n-1) × slo.ClusterPeerTimeout
// after a flush, and a peer whose wait and send outlast the group
// interval drifts out of step and can page again after a resolve
// (docs/ha.md). One more peer timeout is the allowance for the send.
func checkPeerWaits(st *model.Stack, ps *problems) {
	peers := st.HA.AlertmanagerPeers
	if peers < 2 {
		return
	}
	need := model.Duration(time.Duration(peers) * slo.ClusterPeerTimeout)
	check := func(path string, gi model.Duration) {
		if gi > 0 && gi < need {
			ps.errorf(path, fmt.Sprintf("set it to %s or more, or run fewer peers (docs/ha.md explains the relation)", need),
				"group interval %s is shorter than the %d Alertmanager peers' waits: the last peer notifies %s after a flush "+
					"(%d × the %s peer timeout), plus %s to send, and a peer that outlasts the group interval can page again after a resolve",
				gi, peers, model.Duration(time.Duration(peers-1)*slo.ClusterPeerTimeout), peers-1, model.Duration(slo.ClusterPeerTimeout), model.Duration(slo.ClusterPeerTimeout))
		}
	}
	check("alerting.groupInterval", st.Alerting.GroupInterval)
	for i, r := range st.Alerting.Routes {
		if r.GroupInterval != nil {
			check(fmt.Sprintf("alerting.routes[%d].groupInterval", i), *r.GroupInterval)
		}
	}
}
