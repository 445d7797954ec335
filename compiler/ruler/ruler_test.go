package ruler_test

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	amconfig "github.com/prometheus/alertmanager/config"
	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"

	"github.com/stackc/stackc/compiler/alertmanager"
	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/build"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/prometheus"
	"github.com/stackc/stackc/compiler/ruler"
	"github.com/stackc/stackc/compiler/spec"
	"github.com/stackc/stackc/compiler/spec/spectest"
	"github.com/stackc/stackc/tools"
)

// manySLOs is a spec of services × slos availability SLOs with the given
// ruler section.
func manySLOs(t *testing.T, services, slos int, rulerSection string) *model.Stack {
	t.Helper()
	src := fmt.Sprintf(`
local s = import 'stackc.libsonnet';
s.stack {
  seriesBudget: 100000,
  services: [
    s.service('svc%%d' %% i, team='team%%d' %% (i %% 3), port=8000 + i) {
      endpoints: [s.endpoint('GET', '/a', name='a'), s.endpoint('POST', '/b', name='b')],
      slos: [
        if j %% 2 == 0 then s.availability('svc%%d-slo%%d' %% [i, j], endpoint='a', objective=99.9)
        else s.latency('svc%%d-slo%%d' %% [i, j], endpoint='b', threshold='250ms', objective=99, period='28d')
        for j in std.range(1, %d)
      ],
    }
    for i in std.range(1, %d)
  ],
  ruler: %s,
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}`, slos, services, rulerSection)
	res, err := spec.Load("many.jsonnet", []byte(src), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Stack
}

// rulesAndAlerting is what the ruler target reads: the prometheus and
// alertmanager targets' files.
func rulesAndAlerting(t *testing.T, st *model.Stack) artifact.Set {
	t.Helper()
	set := artifact.Set{}
	for _, emit := range []artifact.Emitter{prometheus.Emit, alertmanager.Emit} {
		files, err := artifact.Files(emit, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := set.Add(files...); err != nil {
			t.Fatal(err)
		}
	}
	return set
}

// TestPackThousandSLOs packs 1,000 SLOs over 10 services within the
// limits: every group within the rule limit and through rulefmt, the
// groups within the tenant limit, every rule packed exactly once, each
// source group whole, in order and at its interval. 1,000 SLOs are 27,000
// rules, so Mimir's default 70 groups of 20 rules (1,400 rules) cannot
// hold them: the cases raise the limits as a tenant's overrides would.
func TestPackThousandSLOs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the rules of 1,000 SLOs")
	}
	st := manySLOs(t, 10, 100, "{}")
	prior := rulesAndAlerting(t, st)
	cases := []struct {
		maxRules, maxGroups int
		// atMost is the packed group count the case must reach.
		atMost int
	}{
		// Whole groups of 19 (fast) and 8 (slow) rules: one fast group per
		// packed group, two slow ones, the health and RED groups beside a
		// slow one: 1,510 of 2,020.
		{20, 1600, 1510},
		// Per service: ten fast groups in two packed groups of five (95
		// rules), the ten slow ones (80) with the health and RED groups in
		// a third: 300.
		{100, 400, 300},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d rules per group", tc.maxRules), func(t *testing.T) {
			st.Ruler = &model.Ruler{MaxRulesPerGroup: tc.maxRules, MaxGroupsPerTenant: tc.maxGroups}
			files, err := ruler.EmitFrom(st, prior)
			if err != nil {
				t.Fatal(err)
			}
			byPath := map[string][]byte{}
			for _, f := range files {
				byPath[f.Path] = f.Data
			}
			total, sourceGroups := 0, 0
			for _, svc := range st.Services {
				source, err := ruler.ServiceGroups(prior, svc.Name)
				if err != nil {
					t.Fatal(err)
				}
				sourceGroups += len(source)
				data, ok := byPath["ruler/rules/"+svc.Name+".yaml"]
				if !ok {
					t.Fatalf("no namespace file for %s", svc.Name)
				}
				ns := parseNamespace(t, svc.Name, data)
				total += len(ns.Groups)
				checkPacking(t, st, source, ns.Groups, tc.maxRules)
			}
			if total > tc.maxGroups || total > tc.atMost {
				t.Errorf("%d groups, want at most %d (tenant limit %d)", total, tc.atMost, tc.maxGroups)
			}
			t.Logf("1,000 SLOs: %d groups packed into %d of at most %d rules", sourceGroups, total, tc.maxRules)
		})
	}
}

// parseNamespace parses a namespace file: its namespace, and its groups
// through Prometheus's rule file parser.
func parseNamespace(t *testing.T, want string, data []byte) *rulefmt.RuleGroups {
	t.Helper()
	var ns struct {
		Namespace string    `yaml:"namespace"`
		Groups    yaml.Node `yaml:"groups"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&ns); err != nil {
		t.Fatal(err)
	}
	if ns.Namespace != want {
		t.Errorf("namespace %q, want %q", ns.Namespace, want)
	}
	groups, err := yaml.Marshal(map[string]*yaml.Node{"groups": &ns.Groups})
	if err != nil {
		t.Fatal(err)
	}
	rgs, errs := rulefmt.Parse(groups, false, prommodel.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		t.Fatalf("namespace %s: rulefmt: %v", want, errs)
	}
	return rgs
}

func checkPacking(t *testing.T, st *model.Stack, source, packed []rulefmt.RuleGroup, maxRules int) {
	t.Helper()
	type place struct{ group, index int }
	at := map[string][]place{}
	key := func(r rulefmt.Rule) string { return r.Record + r.Alert + "\x00" + r.Expr + fmt.Sprint(r.Labels) }
	for gi, g := range packed {
		if len(g.Rules) > maxRules {
			t.Errorf("group %s has %d rules, more than %d", g.Name, len(g.Rules), maxRules)
		}
		if g.Interval == 0 {
			t.Errorf("group %s has no interval; the ruler's default is not the stack's", g.Name)
		}
		for ri, r := range g.Rules {
			at[key(r)] = append(at[key(r)], place{gi, ri})
		}
	}
	n := 0
	for _, sg := range source {
		want := prommodel.Duration(time.Duration(st.EvaluationInterval))
		if sg.Interval != 0 {
			want = sg.Interval
		}
		var first place
		for ri, r := range sg.Rules {
			n++
			ps := at[key(r)]
			if len(ps) != 1 {
				t.Errorf("rule %d of group %s is packed %d times", ri, sg.Name, len(ps))
				continue
			}
			p := ps[0]
			if ri == 0 {
				first = p
				if got := packed[p.group].Interval; got != want {
					t.Errorf("group %s runs every %s, packed into one every %s", sg.Name, want, got)
				}
			} else if p.group != first.group || p.index != first.index+ri {
				t.Errorf("group %s is split or reordered: rule %d lands at %v, after %v", sg.Name, ri, p, first)
			}
		}
	}
	total := 0
	for _, g := range packed {
		total += len(g.Rules)
	}
	if total != n {
		t.Errorf("%d rules packed, %d written", total, n)
	}
}

// TestTenantFull: a stack that needs more groups than the tenant allows,
// or a group larger than the rule limit, is a spec error at the limit.
func TestTenantFull(t *testing.T) {
	cases := []struct {
		name, section, path, words string
	}{
		{"too many groups", "{ maxGroupsPerTenant: 70 }", "ruler.maxGroupsPerTenant", "needs 122 rule groups"},
		{"group over the rule limit", "{ maxRulesPerGroup: 10 }", "ruler.maxRulesPerGroup", "has 19 rules"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := manySLOs(t, 2, 40, tc.section)
			_, err := ruler.EmitFrom(st, rulesAndAlerting(t, st))
			var specErr *spec.Error
			if !errors.As(err, &specErr) || len(specErr.Problems) != 1 {
				t.Fatalf("error %v, want one spec problem", err)
			}
			if p := specErr.Problems[0]; p.Path != tc.path || !strings.Contains(p.Message, tc.words) {
				t.Errorf("problem %s: %s, want %s: ...%s...", p.Path, p.Message, tc.path, tc.words)
			}
		})
	}
}

// TestRepoStack checks the repository spec's output: namespace files
// through promtool, and the tenant Alertmanager body: no *_file field (which
// Mimir and Cortex refuse), no secret file path, and with its placeholders
// filled in a configuration Alertmanager and amtool accept, templates
// included.
func TestRepoStack(t *testing.T) {
	for _, profile := range []string{"", "demo"} {
		t.Run("profile="+profile, func(t *testing.T) {
			st := spectest.Repo(t, profile)
			if st.Ruler == nil {
				t.Fatal("stack.jsonnet has no ruler section")
			}
			out, err := build.Compile(st)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var ruleFiles []string
			for _, svc := range st.Services {
				data := out["ruler/rules/"+svc.Name+".yaml"]
				rgs := parseNamespace(t, svc.Name, data)
				body, err := yaml.Marshal(rgs)
				if err != nil {
					t.Fatal(err)
				}
				f := filepath.Join(dir, svc.Name+".yml")
				if err := os.WriteFile(f, body, 0o644); err != nil {
					t.Fatal(err)
				}
				ruleFiles = append(ruleFiles, f)
			}
			run(t, "promtool", append([]string{"check", "rules", "--lint=all", "--lint-fatal"}, ruleFiles...)...)
			checkTenantAlertmanager(t, st, out["ruler/alertmanager.yaml"])
		})
	}
}

func checkTenantAlertmanager(t *testing.T, st *model.Stack, data []byte) {
	t.Helper()
	var body struct {
		TemplateFiles      map[string]string `yaml:"template_files"`
		AlertmanagerConfig string            `yaml:"alertmanager_config"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&body); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(body.AlertmanagerConfig, "_file:") {
		t.Errorf("the tenant configuration has a *_file field, which Mimir and Cortex refuse:\n%s", body.AlertmanagerConfig)
	}
	filled := body.AlertmanagerConfig
	for _, r := range st.Alerting.Receivers {
		for field, file := range r.SecretFiles() {
			if strings.Contains(string(data), file) {
				t.Errorf("the body names the secret file %s", file)
			}
			placeholder := ruler.SecretPlaceholder(file)
			if !strings.Contains(filled, placeholder) {
				t.Errorf("no placeholder %s for %s of %s", placeholder, field, r.Name)
			}
			value := "secret-of-" + model.SecretKey(file)
			if strings.HasSuffix(strings.ToLower(field), "urlfile") {
				value = "https://hooks.example.com/" + model.SecretKey(file)
			}
			filled = strings.ReplaceAll(filled, placeholder, value)
		}
	}
	if strings.Contains(filled, "${") {
		t.Errorf("placeholders left after filling in every secret:\n%s", filled)
	}
	cfg, err := amconfig.Load(filled)
	if err != nil {
		t.Fatalf("Alertmanager refuses the filled-in tenant configuration: %v\n%s", err, filled)
	}
	if len(cfg.Templates) != len(body.TemplateFiles) {
		t.Errorf("templates %v, template files %d", cfg.Templates, len(body.TemplateFiles))
	}
	dir := t.TempDir()
	for _, name := range cfg.Templates {
		content, ok := body.TemplateFiles[name]
		if !ok {
			t.Errorf("template %s is not among the template files", name)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(f, []byte(filled), 0o644); err != nil {
		t.Fatal(err)
	}
	// amtool also parses the templates, named relative to the config.
	run(t, "amtool", "check-config", f)
}

func run(t *testing.T, tool string, args ...string) {
	t.Helper()
	bin, err := tools.Path(tool)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Errorf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
}
