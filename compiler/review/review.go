package review

import (
	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/parallel"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/simulate/timeline"
)

// Emit writes REVIEW.md and one preview per dashboard, from the artifacts
// of the Grafana, Alertmanager and simulate targets (prior).
func Emit(st *model.Stack, prior artifact.Reader, out artifact.Writer) error {
	s, err := Summarize(st, prior)
	if err != nil {
		return err
	}
	if err := out.Write(artifact.File{Path: Path, Data: Markdown(s)}); err != nil {
		return err
	}
	// The simulate target's series for the previews (none without it).
	pv, _, err := timeline.LoadPreviews(prior)
	if err != nil {
		return err
	}
	byUID := map[string]*timeline.DashboardPreview{}
	if pv != nil {
		for i := range pv.Dashboards {
			pv.Dashboards[i].Scenario = pv.Scenario
			byUID[pv.Dashboards[i].UID] = &pv.Dashboards[i]
		}
	}
	return parallel.Each(len(s.Dashboards), func(i int) error {
		d := s.Dashboards[i]
		return out.Write(artifact.File{Path: PreviewPath(d.UID), Data: Preview(d, byUID[d.UID])})
	})
}
