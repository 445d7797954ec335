package tools

import (
	"strings"
	"testing"
)

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
