package review

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stackc/stackc/compiler/spec"
)

func TestDumpTmp(t *testing.T) {
	res, err := spec.LoadFile("../../stack.jsonnet", spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	files, err := Emit(res.Stack)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		p := "/tmp/rev/" + f.Path
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, f.Data, 0o644)
	}
}
