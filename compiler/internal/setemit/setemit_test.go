package setemit

import (
	"errors"
	"testing"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

func TestEmit(t *testing.T) {
	st := &model.Stack{Source: "shop.jsonnet"}
	boom := errors.New("boom")
	for _, tc := range []struct {
		name    string
		data    string
		err     error
		want    string
		wantErr error
	}{
		{name: "draft header is stamped", data: DraftHeader + "a: 1\n", want: slo.Header(st) + "a: 1\n"},
		{name: "no header is kept", data: "a: 1\n", want: "a: 1\n"},
		{name: "draft header further down is kept", data: "# x\n" + DraftHeader, want: "# x\n" + DraftHeader},
		{name: "error of emitFrom", err: boom, wantErr: boom},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prior := artifact.Set{"in/a.yml": []byte("from before")}
			emit := func(st *model.Stack, r artifact.Reader, w artifact.Writer) error {
				return Emit(st, r, w, func(_ *model.Stack, set artifact.Set) ([]artifact.File, error) {
					// The target sees every prior artifact.
					if got := string(set["in/a.yml"]); got != "from before" {
						t.Errorf("prior in/a.yml = %q", got)
					}
					return []artifact.File{{Path: "out/a.yml", Data: []byte(tc.data)}}, tc.err
				})
			}
			files, err := artifact.Files(emit, st, prior)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				return
			}
			if len(files) != 1 || string(files[0].Data) != tc.want {
				t.Errorf("wrote %d files %v, want one file %q", len(files), files, tc.want)
			}
		})
	}
}
