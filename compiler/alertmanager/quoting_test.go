package alertmanager

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/spec"
	"github.com/stackc/stackc/tools"
)

// TestRoutingQuotesSpacedLabels: a team name may hold spaces. routing.md's
// table must read back to the same labels, and its "check it by hand"
// amtool command must run as printed in a shell.
func TestRoutingQuotesSpacedLabels(t *testing.T) {
	src := `local s = import 'stackc.libsonnet';
s.stack {
  services: [
    s.service('shop', team="Platform Team") {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', 99.9)],
    },
  ],
  alerting: {
    defaultReceiver: 'oncall',
    receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts'), platform: s.webhook('http://127.0.0.1:9095/platform') },
    routes: [s.route({ team: "Platform Team" }, 'platform')],
  },
}`
	res, err := spec.Load("quoting.jsonnet", []byte(src), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	files, err := Emit(res.Stack)
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string][]byte{}
	for _, f := range files {
		byPath[f.Path] = f.Data
	}
	md := byPath[RoutingPath]
	rows, err := ParseRouting(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if got := string(r.Labels["team"]); got != "Platform Team" {
			t.Errorf("row %v reads back team %q", r.Labels, got)
		}
	}
	var command string
	for _, line := range strings.Split(string(md), "\n") {
		if strings.HasPrefix(line, "    amtool ") {
			command = strings.TrimSpace(line)
		}
	}
	if command == "" {
		t.Fatalf("routing.md has no amtool command:\n%s", md)
	}
	if testing.Short() {
		t.Skip("-short: skips running amtool")
	}
	amtool, err := tools.Path("amtool")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "alertmanager.yml"), byPath[ConfigPath], 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", command)
	cmd.Dir = dir
	// The command says amtool; this test's amtool is the pinned binary.
	if err := os.Symlink(amtool, filepath.Join(dir, "amtool")); err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "platform") {
		t.Errorf("%s: %v\n%s", command, err, out)
	}
	t.Logf("%s\n%s", command, out)
}
