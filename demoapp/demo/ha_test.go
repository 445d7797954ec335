package demo

import (
	"slices"
	"testing"

	"github.com/stackc/stackc/compiler/spec/spectest"
)

// Localize moves every server of an HA stack to its own free port: the
// first replica and peer stay on the network's ports, the rest, the gossip
// ports and Thanos get fresh ones, none shared.
func TestLocalizeHA(t *testing.T) {
	st := spectest.HA(t, "demo")
	loc, err := Localize(st, 40123)
	if err != nil {
		t.Fatal(err)
	}
	n, h := loc.Network, loc.HA
	if len(h.Prometheus) != 2 || len(h.Alertmanagers) != 3 || !h.Thanos {
		t.Fatalf("the HA spec has %d replicas, %d peers, thanos %v", len(h.Prometheus), len(h.Alertmanagers), h.Thanos)
	}
	if h.Prometheus[0].Port != n.PrometheusPort || h.Alertmanagers[0].Port != n.AlertmanagerPort {
		t.Errorf("the first replica and peer are on %d and %d, the network's ports are %d and %d",
			h.Prometheus[0].Port, h.Alertmanagers[0].Port, n.PrometheusPort, n.AlertmanagerPort)
	}
	ports := []int{n.PrometheusPort, n.AlertmanagerPort, n.InboxPort, h.ThanosQuery.Port, h.ThanosQuery.GRPCPort}
	for _, svc := range loc.Services {
		ports = append(ports, svc.Port, svc.AdminPort)
	}
	for _, r := range h.Prometheus[1:] {
		ports = append(ports, r.Port)
	}
	for _, r := range h.Prometheus {
		ports = append(ports, r.SidecarGRPCPort, r.SidecarHTTPPort)
	}
	for _, a := range h.Alertmanagers[1:] {
		ports = append(ports, a.Port)
	}
	for _, a := range h.Alertmanagers {
		ports = append(ports, a.ClusterPort)
	}
	sorted := slices.Clone(ports)
	slices.Sort(sorted)
	if slices.Contains(ports, 0) || len(slices.Compact(sorted)) != len(ports) {
		t.Errorf("ports %v are not all set and distinct", ports)
	}
	for i, r := range st.HA.Prometheus {
		if r.Port == loc.HA.Prometheus[i].Port {
			t.Errorf("replica %s stayed on the spec's port %d", r.Name, r.Port)
		}
	}
}
