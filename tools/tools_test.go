package tools

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
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

// TestBuiltFailsFastNamingMakeTools: a test that needs a tool that is not
// built fails at once and says how to build it, instead of building it
// under the test timeout.
func TestBuiltFailsFastNamingMakeTools(t *testing.T) {
	t.Setenv("STACKC_BIN", t.TempDir())
	for _, tool := range Pinned {
		_, err := Built(tool.Name)
		if err == nil || !strings.Contains(err.Error(), "make tools") || !strings.Contains(err.Error(), tool.Version) {
			t.Errorf("%s: %v, want an error naming make tools and %s", tool.Name, err, tool.Version)
		}
	}
	if _, err := Built("no-such-tool"); err == nil {
		t.Error("an unknown tool was found")
	}
}

// TestSlothIsOnDemand: make tools (install without arguments) skips Sloth,
// which only the side-by-side benchmark needs.
func TestSlothIsOnDemand(t *testing.T) {
	for _, tool := range Pinned {
		if tool.Name == "sloth" && !tool.OnDemand {
			t.Error("sloth would be built by make tools")
		}
		if tool.Name != "sloth" && tool.OnDemand {
			t.Errorf("%s is on demand, but the tests need it", tool.Name)
		}
	}
}
