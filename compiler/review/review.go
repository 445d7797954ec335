package review

import (
	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
)

// Emit writes REVIEW.md and one layout preview per dashboard, without
// the incident simulation's timelines.
func Emit(st *model.Stack) ([]artifact.File, error) {
	return EmitFrom(st, nil)
}

// EmitFrom is Emit with the build's output so far, whose incident
// simulation (package simulate) REVIEW.md and the previews show.
func EmitFrom(st *model.Stack, built artifact.Set) ([]artifact.File, error) {
	s, err := SummarizeBuild(st, built)
	if err != nil {
		return nil, err
	}
	files := []artifact.File{{Path: Path, Data: Markdown(s)}}
	for _, d := range s.Dashboards {
		files = append(files, artifact.File{Path: PreviewPath(d.UID), Data: Preview(d)})
	}
	return files, nil
}
