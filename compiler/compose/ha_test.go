package compose_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"

	"github.com/stackc/stackc/compiler/compose"
	"github.com/stackc/stackc/compiler/internal/testtree"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec/spectest"
	"github.com/stackc/stackc/tools"
)

// TestHAComposeFile loads the HA spec's compose.yaml with compose-go: a
// Prometheus pair with its Thanos sidecars, Thanos Query deduplicating on
// the replica label, and an Alertmanager cluster whose peers name each
// other; every mounted config passes promtool and amtool.
func TestHAComposeFile(t *testing.T) {
	st := spectest.HA(t, "")
	dir := buildOut(t, st)
	p, err := loadProject(dir, map[string]string{compose.GrafanaPasswordVar: "test-only"})
	if err != nil {
		t.Fatalf("compose-go does not load compose.yaml: %v", err)
	}
	want := []string{compose.GrafanaService, compose.InboxService, slo.ThanosQueryName}
	for _, svc := range st.Services {
		want = append(want, svc.Name, compose.LoadService(svc.Name))
	}
	for _, r := range st.HA.Prometheus {
		want = append(want, r.Name, slo.ThanosSidecarName(r.Name))
	}
	for _, a := range st.HA.Alertmanagers {
		want = append(want, a.Name)
	}
	slices.Sort(want)
	if got := p.ServiceNames(); !slices.Equal(got, want) {
		t.Fatalf("services %v, want %v", got, want)
	}
	checkLockedDown(t, p, dir)

	for _, a := range st.HA.Alertmanagers {
		cmd := strings.Join(p.Services[a.Name].Command, " ")
		if !strings.Contains(cmd, fmt.Sprintf("--cluster.listen-address=0.0.0.0:%d", a.ClusterPort)) {
			t.Errorf("%s does not gossip on its cluster port %d: %s", a.Name, a.ClusterPort, cmd)
		}
		// Alertmanager's default 15s would outlast the demo profile's group
		// interval for the last peer, which can then page twice (docs/ha.md).
		if !strings.Contains(cmd, "--cluster.peer-timeout="+slo.ClusterPeerTimeout.String()) {
			t.Errorf("%s does not wait %s for its peers: %s", a.Name, slo.ClusterPeerTimeout, cmd)
		}
		for _, other := range st.HA.Alertmanagers {
			peer := fmt.Sprintf("--cluster.peer=%s:%d", other.Name, other.ClusterPort)
			if strings.Contains(cmd, peer) == (other.Name == a.Name) {
				t.Errorf("%s: want %s exactly for the other peers: %s", a.Name, peer, cmd)
			}
		}
	}
	query := strings.Join(p.Services[slo.ThanosQueryName].Command, " ")
	if !strings.Contains(query, "--query.replica-label="+slo.ReplicaLabel) {
		t.Errorf("Thanos Query does not deduplicate on %s: %s", slo.ReplicaLabel, query)
	}
	for _, r := range st.HA.Prometheus {
		if want := fmt.Sprintf("--endpoint=%s:%d", slo.ThanosSidecarName(r.Name), r.SidecarGRPCPort); !strings.Contains(query, want) {
			t.Errorf("Thanos Query lacks %s: %s", want, query)
		}
	}

	// Each server's mounts laid out as its container sees them.
	for _, name := range want {
		s := p.Services[name]
		root := filepath.Join(t.TempDir(), name)
		mounted := map[string]string{}
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			data, err := os.ReadFile(v.Source)
			if err != nil {
				t.Fatal(err)
			}
			mounted[v.Target] = string(data)
			testtree.WriteFile(t, filepath.Join(root, filepath.FromSlash(v.Target)), data)
		}
		switch {
		case slices.ContainsFunc(st.HA.Prometheus, func(r model.PrometheusReplica) bool { return r.Name == name }):
			var cfg struct {
				Global struct {
					ExternalLabels map[string]string `yaml:"external_labels"`
				} `yaml:"global"`
				Alerting struct {
					Alertmanagers []struct {
						StaticConfigs []struct {
							Targets []string `yaml:"targets"`
						} `yaml:"static_configs"`
					} `yaml:"alertmanagers"`
				} `yaml:"alerting"`
			}
			if err := yaml.Unmarshal([]byte(mounted["/etc/prometheus/prometheus.yml"]), &cfg); err != nil {
				t.Fatal(err)
			}
			if got := cfg.Global.ExternalLabels[slo.ReplicaLabel]; got != name {
				t.Errorf("%s has external label %s=%q", name, slo.ReplicaLabel, got)
			}
			var targets []string
			for _, am := range cfg.Alerting.Alertmanagers {
				for _, sc := range am.StaticConfigs {
					targets = append(targets, sc.Targets...)
				}
			}
			var peers []string
			for _, a := range st.HA.Alertmanagers {
				peers = append(peers, fmt.Sprintf("%s:%d", a.Name, a.Port))
			}
			if !slices.Equal(targets, peers) {
				t.Errorf("%s sends alerts to %v, want every peer %v", name, targets, peers)
			}
			run(t, "promtool", "check", "config", filepath.Join(root, "etc/prometheus/prometheus.yml"))
		case slices.ContainsFunc(st.HA.Alertmanagers, func(a model.AlertmanagerPeer) bool { return a.Name == name }):
			run(t, "amtool", "check-config", filepath.Join(root, "etc/alertmanager/alertmanager.yml"))
		case name == compose.GrafanaService:
			want := fmt.Sprintf("url: http://%s:%d\n", slo.ThanosQueryName, st.HA.ThanosQuery.Port)
			if !anyMountedContains(mounted, want) {
				t.Errorf("Grafana's data source is not Thanos Query (%q)", want)
			}
		}
	}
}

func anyMountedContains(mounted map[string]string, s string) bool {
	for _, data := range mounted {
		if strings.Contains(data, s) {
			return true
		}
	}
	return false
}

func run(t *testing.T, tool string, args ...string) {
	t.Helper()
	bin, err := tools.Built(tool)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Errorf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
}
