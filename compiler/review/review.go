package review

import (
	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/parallel"
	"github.com/stackc/stackc/compiler/model"
)

// Emit writes REVIEW.md and one layout preview per dashboard, from the
// artifacts of the Grafana and Alertmanager targets (prior).
func Emit(st *model.Stack, prior artifact.Reader, out artifact.Writer) error {
	s, err := Summarize(st, prior)
	if err != nil {
		return err
	}
	if err := out.Write(artifact.File{Path: Path, Data: Markdown(s)}); err != nil {
		return err
	}
	return parallel.Each(len(s.Dashboards), func(i int) error {
		d := s.Dashboards[i]
		return out.Write(artifact.File{Path: PreviewPath(d.UID), Data: Preview(d)})
	})
}
