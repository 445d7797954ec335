package tools

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// A wrapper module must build the version its tool is pinned at: its
// go.mod requires the tool's module at Pinned's version and declares the
// tool's package as a tool.
func TestWrapperModulesMatchPins(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tool := range Pinned {
		if tool.Module == "" {
			continue
		}
		n++
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(tool.Module), "go.mod"))
		if err != nil {
			t.Fatalf("%s: %v", tool.Name, err)
		}
		mod := regexp.MustCompile(`(?m)^tool ` + regexp.QuoteMeta(tool.Package) + `$`)
		if !mod.Match(data) {
			t.Errorf("%s/go.mod does not declare tool %s", tool.Module, tool.Package)
		}
		req := regexp.MustCompile(`(?m)^\s*(?:require\s+)?(\S+) (v\S+)(?: // indirect)?$`)
		found := false
		for _, m := range req.FindAllSubmatch(data, -1) {
			if len(tool.Package) > len(m[1]) && tool.Package[:len(m[1])+1] == string(m[1])+"/" {
				found = true
				if string(m[2]) != tool.Version {
					t.Errorf("%s/go.mod requires %s %s, the pin is %s", tool.Module, m[1], m[2], tool.Version)
				}
			}
		}
		if !found {
			t.Errorf("%s/go.mod does not require the module of %s", tool.Module, tool.Package)
		}
	}
	if n == 0 {
		t.Fatal("no wrapper-module tool pinned")
	}
}
