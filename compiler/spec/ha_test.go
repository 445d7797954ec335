package spec

import (
	"testing"

	"github.com/stackc/stackc/compiler/slo"
)

func TestHAProblems(t *testing.T) {
	for _, tc := range []struct {
		name, patch string
		want        []string
	}{
		{"defaults", `{ ha: {} }`, nil},
		{"pair with thanos", `{ ha: { prometheusReplicas: 2, alertmanagerPeers: 3, thanos: true } }`, nil},
		{"one replica", `{ ha: { prometheusReplicas: 1 } }`,
			[]string{"ha.prometheusReplicas: an HA stack needs at least 2 Prometheus replicas, not 1"}},
		{"no peers", `{ ha: { alertmanagerPeers: -1 } }`,
			[]string{"ha.alertmanagerPeers: an HA stack needs at least 1 Alertmanager, not -1"}},
		{"replica list too short", `{ ha: { prometheusReplicas: 3, prometheus: [{ name: 'a', port: 9090 }, { name: 'b', port: 9191 }] } }`,
			[]string{"ha.prometheus: ha.prometheus lists 2 replicas, prometheusReplicas is 3"}},
		{"first replica off the network port", `{ ha: { prometheus: [{ name: 'a', port: 9091 }, { name: 'b', port: 9191 }] } }`,
			[]string{"ha.prometheus[0].port: the first replica listens on network.prometheusPort 9090, not 9091"}},
		{"first peer off the network port", `{ ha: { alertmanagerPeers: 1, alertmanagers: [{ name: 'am', port: 9083, clusterPort: 9384 }] } }`,
			[]string{"ha.alertmanagers[0].port: the first peer listens on network.alertmanagerPort 9093, not 9083"}},
		{"second replica on a taken port", `{ ha: { prometheus: [{ name: 'a', port: 9090 }, { name: 'b', port: 9093 }] } }`,
			[]string{"ha.prometheus[1].port: port 9093 is already used by network.alertmanagerPort"}},
		{"duplicate replica names", `{ ha: { prometheus: [{ name: 'a', port: 9090 }, { name: 'a', port: 9191 }] } }`,
			[]string{`ha.prometheus[1].name: name "a" is already used by ha.prometheus[0].name`}},
		{"gossip port clash", `{ ha: { alertmanagerPeers: 2 }, network+: { grafanaPort: 9194 } }`,
			[]string{"ha.alertmanagers[1].clusterPort: port 9194 is already used by network.grafanaPort"}},
		{"three peers within the demo profile's group interval", `{ ha: {}, alerting+: { groupInterval: '9s' } }`, nil},
		{"four peers against a 10s group interval", `{ ha: { alertmanagerPeers: 4 }, alerting+: { groupInterval: '10s' } }`,
			[]string{"alerting.groupInterval: group interval 10s is shorter than the 4 Alertmanager peers' waits: the last peer notifies 9s after a flush (3 × the 3s peer timeout), plus 3s to send, and a peer that outlasts the group interval can page again after a resolve"}},
		{"a route's group interval", `{ ha: {}, alerting+: { routes: [s.route({ severity: 'page' }, 'oncall') { groupInterval: '5s' }] } }`,
			[]string{"alerting.routes[0].groupInterval: group interval 5s is shorter than the 3 Alertmanager peers' waits: the last peer notifies 6s after a flush (2 × the 3s peer timeout), plus 3s to send, and a peer that outlasts the group interval can page again after a resolve"}},
		{"one peer has no waits", `{ ha: { alertmanagerPeers: 1 }, alerting+: { groupInterval: '1s' } }`, nil},
		{"service named like a sidecar", `{ ha: { thanos: true }, services+: [s.service('thanos-query', 'storefront', 8180)] }`,
			[]string{`services[1].name: service name "thanos-query" is taken by the HA stack's ha.thanos`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, loadPatched(t, tc.patch), tc.want)
		})
	}
}

// The counts expand into one entry per replica and peer, each on its own
// ports; Thanos ports only with Thanos.
func TestHADefaults(t *testing.T) {
	for _, tc := range []struct {
		patch           string
		replicas, peers int
		thanos          bool
	}{
		{`{ ha: {} }`, 2, 3, false},
		{`{ ha: { prometheusReplicas: 3, alertmanagerPeers: 1, thanos: true } }`, 3, 1, true},
	} {
		res, err := Load("p.jsonnet", []byte(minimal+" + "+tc.patch), Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.patch, err)
		}
		h := res.Stack.HA
		if len(h.Prometheus) != tc.replicas || len(h.Alertmanagers) != tc.peers {
			t.Fatalf("%s: %d replicas, %d peers", tc.patch, len(h.Prometheus), len(h.Alertmanagers))
		}
		for i, r := range h.Prometheus {
			if r.Name != slo.PrometheusReplicaName(i) || r.Port != 9090+100*i {
				t.Errorf("%s: replica %d is %+v", tc.patch, i, r)
			}
			if (r.SidecarGRPCPort != 0) != tc.thanos {
				t.Errorf("%s: replica %d sidecar ports %+v with thanos %v", tc.patch, i, r, tc.thanos)
			}
		}
		for i, a := range h.Alertmanagers {
			if a.Name != slo.AlertmanagerPeerName(i) || a.Port != 9093+100*i || a.ClusterPort != 9094+100*i {
				t.Errorf("%s: peer %d is %+v", tc.patch, i, a)
			}
		}
		if (h.ThanosQuery.Port != 0) != tc.thanos {
			t.Errorf("%s: Thanos Query %+v with thanos %v", tc.patch, h.ThanosQuery, tc.thanos)
		}
	}
}
