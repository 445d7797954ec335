package kubernetes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stackc/stackc/compiler/spec"
)

// DashboardsDir is where the grafana target writes the dashboards.
const DashboardsDir = "grafana/dashboards"

// dashboards writes every dashboard of the grafana target as a ConfigMap
// the Grafana sidecar loads (label grafana_dashboard: "1"), one per
// dashboard so that each stays far below a ConfigMap's size limit.
func (e *emitter) dashboards() error {
	n := 0
	for _, p := range e.prior.Paths() {
		dir, file := path.Split(p)
		if dir != DashboardsDir+"/" || !strings.HasSuffix(file, ".json") {
			continue
		}
		name := strings.TrimSuffix(file, ".json")
		// Compact: indentation is a third of a dashboard, and a ConfigMap
		// holds at most MaxConfigMapBytes.
		var buf bytes.Buffer
		if err := json.Compact(&buf, e.prior[p]); err != nil {
			return fmt.Errorf("reading %s: %w", p, err)
		}
		data := buf.Bytes()
		if len(data) > MaxConfigMapBytes {
			return e.dashboardTooBig(name, len(data))
		}
		meta := e.meta(name, "", "dashboard")
		meta.Labels[LabelDashboard] = "1"
		e.add(path.Join("dashboards", name+".yaml"), &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: meta,
			Data:       map[string]string{file: string(data)},
		})
		n++
	}
	if n == 0 {
		return fmt.Errorf("internal: no dashboards under %s", DashboardsDir)
	}
	return nil
}

// dashboardTooBig reports a dashboard too big for a ConfigMap at the
// service it belongs to (the grafana target names dashboards
// stackc-<service>-<kind>).
func (e *emitter) dashboardTooBig(name string, size int) error {
	msg := fmt.Sprintf("dashboard %s takes %d KiB even without indentation, more than a ConfigMap holds (%d KiB)", name, size>>10, MaxConfigMapBytes>>10)
	for i, svc := range e.st.Services {
		if strings.HasPrefix(name, "stackc-"+svc.Name+"-") {
			return spec.PathError(fmt.Sprintf("services[%s].slos", svc.Name), "split the service's SLOs across services, or leave the kubernetes section out", "%s (%d SLOs)", msg, len(e.st.Services[i].SLOs))
		}
	}
	return fmt.Errorf("%s", msg)
}
