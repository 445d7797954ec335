package review

import (
	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
)

// Emit writes REVIEW.md and one layout preview per dashboard.
func Emit(st *model.Stack) ([]artifact.File, error) {
	s, err := Summarize(st)
	if err != nil {
		return nil, err
	}
	files := []artifact.File{{Path: Path, Data: Markdown(s)}}
	for _, d := range s.Dashboards {
		files = append(files, artifact.File{Path: PreviewPath(d.UID), Data: Preview(d)})
	}
	return files, nil
}
