package testtree

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stackc/stackc/compiler/artifact"
)

func TestWriteThenRead(t *testing.T) {
	tests := []struct {
		name string
		set  artifact.Set
		want map[string]string
	}{
		{"empty", artifact.Set{}, map[string]string{}},
		{"nested", artifact.Set{"a.txt": []byte("a"), "x/y/b.yml": []byte("b: 1\n")}, map[string]string{"a.txt": "a", "x/y/b.yml": "b: 1\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			WriteSet(t, dir, tt.set)
			WriteFile(t, filepath.Join(dir, "extra", "c"), []byte("c"))
			tt.want["extra/c"] = "c"
			if got := Read(t, dir); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Read = %q, want %q", got, tt.want)
			}
		})
	}
}
