package grafana

import (
	"path"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec/spectest"
)

// Grafana reads the single Prometheus, an HA stack's first replica, or
// Thanos Query when the HA stack runs Thanos: natively on loopback, in
// Compose by the server's service name.
func TestDatasourceFollowsHA(t *testing.T) {
	noThanos := spectest.HA(t, "")
	noThanos.HA.Thanos = false
	for _, tc := range []struct {
		name              string
		st                *model.Stack
		native, inCompose string
	}{
		{"single", spectest.Repo(t, ""), "url: http://127.0.0.1:9090\n", "url: http://prometheus:9090\n"},
		{"ha with thanos", spectest.HA(t, ""), "url: http://127.0.0.1:10904\n", "url: http://thanos-query:10904\n"},
		{"ha without thanos", noThanos, "url: http://127.0.0.1:9090\n", "url: http://prometheus-0:9090\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := provisioning(tc.st)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				DatasourceProvisioning:                            tc.native,
				path.Join(slo.ComposeDir, DatasourceProvisioning): tc.inCompose,
			}
			for _, f := range files {
				if w, ok := want[f.Path]; ok {
					delete(want, f.Path)
					if !strings.Contains(string(f.Data), w) {
						t.Errorf("%s lacks %q:\n%s", f.Path, w, f.Data)
					}
				}
			}
			if len(want) > 0 {
				t.Errorf("not written: %v", want)
			}
		})
	}
}
