package prometheus

import (
	"os"
	"testing"
)

func TestDumpTmp(t *testing.T) {
	dir := os.Getenv("P3DUMP")
	if dir == "" {
		t.Skip()
	}
	writeOut(t, loadStack(t, os.Getenv("P3SPEC")), dir)
}
