package grafana

import (
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/spec/spectest"
)

// Grafana reads the single Prometheus, an HA stack's first replica, or
// Thanos Query when the HA stack runs Thanos.
func TestDatasourceFollowsHA(t *testing.T) {
	noThanos := spectest.HA(t, "")
	noThanos.HA.Thanos = false
	for _, tc := range []struct {
		name string
		st   *model.Stack
		want string
	}{
		{"single", spectest.Repo(t, ""), "url: http://127.0.0.1:9090\n"},
		{"ha with thanos", spectest.HA(t, ""), "url: http://127.0.0.1:10904\n"},
		{"ha without thanos", noThanos, "url: http://127.0.0.1:9090\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := provisioning(tc.st)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if f.Path == DatasourceProvisioning && !strings.Contains(string(f.Data), tc.want) {
					t.Errorf("data source lacks %q:\n%s", tc.want, f.Data)
				}
			}
		})
	}
}
