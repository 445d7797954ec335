package simulate_test

import (
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/build"
	"github.com/stackc/stackc/compiler/simulate/timeline"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec"
)

// TestPresetPreviews: the dashboards of services on exporter presets are
// previewed from the presets' own simulated series, like the registry's:
// every dashboard draws some panel, and no panel says a preset's request
// or duration series is missing.
func TestPresetPreviews(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and simulates four services")
	}
	out, res, err := build.CompileFile("../prometheus/testdata/byom.jsonnet", spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	previews, ok, err := timeline.LoadPreviews(out)
	if err != nil || !ok {
		t.Fatalf("previews: %v (found %v)", err, ok)
	}
	byUID := map[string]timeline.DashboardPreview{}
	for _, d := range previews.Dashboards {
		byUID[d.UID] = d
	}
	for _, svc := range res.Stack.Services {
		inst := slo.InstrumentationOf(svc)
		for _, kind := range []string{"overview", "slos"} {
			uid := "stackc-" + svc.Name + "-" + kind
			d, ok := byUID[uid]
			if !ok {
				t.Errorf("%s (%s): no preview", uid, inst.Preset)
				continue
			}
			drawn := 0
			for _, p := range d.Panels {
				if len(p.Series) > 0 {
					drawn++
				}
				for _, name := range []string{inst.Requests, inst.Duration} {
					if strings.Contains(p.NotSimulated, name) {
						t.Errorf("%s (%s) panel %d: %s", uid, inst.Preset, p.ID, p.NotSimulated)
					}
				}
			}
			if drawn == 0 {
				t.Errorf("%s (%s): no panel draws simulated series", uid, inst.Preset)
			}
		}
	}
}
