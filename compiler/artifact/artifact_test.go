package artifact

import (
	"reflect"
	"testing"
)

func TestAdd(t *testing.T) {
	tests := []struct {
		path string
		ok   bool
	}{
		{"prometheus/prometheus.yml", true},
		{"REVIEW.md", true},
		{"../escape.yml", false},
		{"/abs.yml", false},
		{"a//b.yml", false},
		{"a/./b.yml", false},
		{".", false},
	}
	for _, tt := range tests {
		err := Set{}.Add(File{Path: tt.path})
		if (err == nil) != tt.ok {
			t.Errorf("Add(%q): err = %v, want ok=%v", tt.path, err, tt.ok)
		}
	}
	s := Set{}
	if err := s.Add(File{Path: "x"}, File{Path: "x"}); err == nil {
		t.Error("two files at one path: want an error")
	}
}

func TestPathsSorted(t *testing.T) {
	s := Set{}
	if err := s.Add(File{Path: "b"}, File{Path: "a/z"}, File{Path: "a/b"}); err != nil {
		t.Fatal(err)
	}
	if got, want := s.Paths(), []string{"a/b", "a/z", "b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Paths = %v, want %v", got, want)
	}
}
