package alertmanager

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	prommodel "github.com/prometheus/common/model"

	"github.com/stackc/stackc/compiler/artifact"

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
	files, err := artifact.Files(Emit, res.Stack, nil)
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

// TestUnreachableRouteWarningsAgreeWithDispatch: the routes spec
// validation warns about (no alert reaches them) are exactly the routes
// Alertmanager's own route tree never picks for any generated alert.
func TestUnreachableRouteWarningsAgreeWithDispatch(t *testing.T) {
	res, err := spec.LoadFile("../spec/testdata/bad/route_unreachable.jsonnet", spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	warned := map[string]bool{}
	for _, w := range res.Warnings {
		if strings.HasPrefix(w.Path, "alerting.routes[") {
			warned[strings.TrimSuffix(w.Path, ".match")] = true
		}
	}
	st := res.Stack
	cfg, err := LoadConfig(emit(t, st)[ConfigPath])
	if err != nil {
		t.Fatal(err)
	}
	// Each alert notifies the receivers of the routes it reaches; the
	// spec's routes have distinct receivers except routes[0] and [2]
	// (tickets), told apart by what each matches.
	reached := map[string]bool{}
	for _, e := range Expectations(st, cfg) {
		for i, r := range st.Alerting.Routes {
			if !slicesContains(e.Receivers, r.Receiver) {
				continue
			}
			ok := true
			for k, v := range r.Match {
				if e.Alert.LabelSet()[prommodel.LabelName(k)] != prommodel.LabelValue(v) {
					ok = false
				}
			}
			if ok {
				reached[fmt.Sprintf("alerting.routes[%d]", i)] = true
			}
		}
	}
	for i := range st.Alerting.Routes {
		p := fmt.Sprintf("alerting.routes[%d]", i)
		if warned[p] == reached[p] {
			t.Errorf("%s: warned %v, but dispatch reaches it: %v", p, warned[p], reached[p])
		}
	}
	if len(warned) != 2 {
		t.Errorf("warnings for %v, want routes[0] and routes[2]", warned)
	}
}

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
