// Package ruler is the multi-tenant ruler target (Grafana Mimir, Cortex):
// the stack's rule groups packed into a tenant's limits, one namespace file
// per service in the layout `mimirtool rules sync` (and `cortextool rules
// sync`) reads, and the tenant Alertmanager's configuration in the body
// its API takes, under out/ruler/.
//
// Packing. A multi-tenant ruler limits the rules in one group and the
// groups of one tenant (Mimir: 20 and 70 by default, the spec's
// ruler.maxRulesPerGroup and ruler.maxGroupsPerTenant). The prometheus
// target writes small groups (per SLO a fast one and a slow one with a
// longer interval); this target packs whole groups of one service that
// share an evaluation interval into as few groups as the rule limit allows,
// first fit in the order written, so adding an SLO appends rather than
// reshuffles. A group is never split: its rules run in order, each seeing
// the results of the ones before it in the same evaluation, and the
// generated promtool tests assume exactly that. Every packed group states
// its interval, because a ruler's default interval (Mimir: 1m) is not the
// stack's. A stack that needs more groups than the tenant allows, or a
// group larger than the rule limit, is a spec error at the limit.
//
// Secrets. Mimir and Cortex refuse every *_file field in a tenant
// configuration. Each one becomes the field without _file holding the
// placeholder ${STACKC_SECRET_<KEY>}, KEY being the secret file's base name
// in upper case; a push step fills them in (docs/kubernetes.md), so no
// secret is ever written into out/.
package ruler

import (
	"bytes"
	"fmt"
	"log/slog"
	"path"
	"sort"
	"strings"
	"time"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/setemit"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec"
)

// Dir is the output directory of the target, relative to out/.
const Dir = "ruler"

// NamespaceFile is one ruler namespace: the format `mimirtool rules sync
// --rule-dirs` reads, a file per namespace.
type NamespaceFile struct {
	Namespace string              `yaml:"namespace"`
	Groups    []rulefmt.RuleGroup `yaml:"groups"`
}

// EmitFrom packs the rule groups of the prometheus target and converts the
// alertmanager target's configuration. It writes nothing when the spec has
// no ruler section.
func EmitFrom(st *model.Stack, prior artifact.Set) ([]artifact.File, error) {
	if st.Ruler == nil {
		return nil, nil
	}
	var files []artifact.File
	total := 0
	largest := ""
	largestRules := 0
	for _, svc := range st.Services {
		groups, err := ServiceGroups(prior, svc.Name)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			if len(g.Rules) > largestRules {
				largest, largestRules = g.Name, len(g.Rules)
			}
		}
		if largestRules > st.Ruler.MaxRulesPerGroup {
			return nil, spec.PathError("ruler.maxRulesPerGroup",
				fmt.Sprintf("raise maxRulesPerGroup to at least %d, and the tenant's ruler_max_rules_per_rule_group with it", largestRules),
				"rule group %s has %d rules, which run in order and cannot be split; the tenant allows %d per group", largest, largestRules, st.Ruler.MaxRulesPerGroup)
		}
		packed := Pack(groups, svc.Name, time.Duration(st.EvaluationInterval), st.Ruler.MaxRulesPerGroup)
		total += len(packed)
		data, err := artifact.YAML(setemit.DraftHeader+"# Ruler namespace "+svc.Name+": mimirtool rules sync --rule-dirs=out/ruler/rules\n",
			NamespaceFile{Namespace: svc.Name, Groups: packed})
		if err != nil {
			return nil, err
		}
		if err := check(data); err != nil {
			return nil, fmt.Errorf("internal: packed rules of %s: %w", svc.Name, err)
		}
		files = append(files, artifact.File{Path: path.Join(Dir, "rules", svc.Name+".yaml"), Data: data})
	}
	if total > st.Ruler.MaxGroupsPerTenant {
		return nil, spec.PathError("ruler.maxGroupsPerTenant",
			fmt.Sprintf("raise maxGroupsPerTenant to at least %d (and the tenant's ruler_max_rule_groups_per_tenant), raise maxRulesPerGroup to pack more into each group, or split the services across tenants", total),
			"the stack needs %d rule groups of at most %d rules; the tenant allows %d", total, st.Ruler.MaxRulesPerGroup, st.Ruler.MaxGroupsPerTenant)
	}
	am, err := tenantAlertmanager(prior)
	if err != nil {
		return nil, err
	}
	return append(files, artifact.File{Path: path.Join(Dir, "alertmanager.yaml"), Data: am}), nil
}

// ServiceGroups reads the rule groups the prometheus target wrote for svc,
// file by file in path order, with Prometheus's own rule file parser.
func ServiceGroups(prior artifact.Set, svc string) ([]rulefmt.RuleGroup, error) {
	var groups []rulefmt.RuleGroup
	prefix := slo.PrometheusRulesDir + "/" + svc + "/"
	for _, p := range prior.Paths() {
		if !strings.HasPrefix(p, prefix) || strings.Contains(p[len(prefix):], "/") || !strings.HasSuffix(p, ".yml") {
			continue
		}
		rgs, errs := rulefmt.Parse(prior[p], false, prommodel.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
		if len(errs) > 0 {
			return nil, fmt.Errorf("reading %s: %v", p, errs)
		}
		groups = append(groups, rgs.Groups...)
	}
	if len(groups) == 0 {
		return nil, fmt.Errorf("internal: no rule groups for service %s under %s", svc, slo.PrometheusRulesDir)
	}
	return groups, nil
}

// Pack packs groups, whole and in order, into groups of at most maxRules
// rules: a group joins the first packed group of the same interval (and
// query offset, limit and labels) that has room, or starts a new one,
// named <prefix>-<interval>-<n>. A group without interval gets eval, the
// interval it had in Prometheus. Groups larger than maxRules stay alone.
func Pack(groups []rulefmt.RuleGroup, prefix string, eval time.Duration, maxRules int) []rulefmt.RuleGroup {
	type bin struct {
		key   string
		group rulefmt.RuleGroup
	}
	var bins []*bin
	count := map[string]int{}
	for _, g := range groups {
		interval := prommodel.Duration(eval)
		if g.Interval != 0 {
			interval = g.Interval
		}
		key := fmt.Sprintf("%s|%v|%d|%v", interval, offset(g.QueryOffset), g.Limit, sortedLabels(g.Labels))
		var into *bin
		for _, b := range bins {
			if b.key == key && len(b.group.Rules)+len(g.Rules) <= maxRules {
				into = b
				break
			}
		}
		if into == nil {
			count[interval.String()]++
			into = &bin{key: key, group: rulefmt.RuleGroup{
				Name:        fmt.Sprintf("%s-%s-%d", prefix, interval, count[interval.String()]),
				Interval:    interval,
				QueryOffset: g.QueryOffset,
				Limit:       g.Limit,
				Labels:      g.Labels,
			}}
			bins = append(bins, into)
		}
		into.group.Rules = append(into.group.Rules, g.Rules...)
	}
	out := make([]rulefmt.RuleGroup, len(bins))
	for i, b := range bins {
		out[i] = b.group
	}
	return out
}

func offset(d *prommodel.Duration) string {
	if d == nil {
		return ""
	}
	return d.String()
}

func sortedLabels(l map[string]string) []string {
	out := make([]string, 0, len(l))
	for k, v := range l {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// check parses a namespace file's groups with rulefmt, as the ruler does.
func check(data []byte) error {
	var ns struct {
		Namespace string    `yaml:"namespace"`
		Groups    yaml.Node `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &ns); err != nil {
		return err
	}
	groups, err := yaml.Marshal(map[string]*yaml.Node{"groups": &ns.Groups})
	if err != nil {
		return err
	}
	if _, errs := rulefmt.Parse(groups, false, prommodel.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler)); len(errs) > 0 {
		return fmt.Errorf("%v", errs)
	}
	return nil
}

// SecretPlaceholder is the placeholder of a secret file in the tenant
// Alertmanager configuration: an environment variable reference that
// `envsubst` fills in.
func SecretPlaceholder(file string) string { return "${" + model.SecretVariable(file) + "}" }

// tenantAlertmanager converts alertmanager.yml into the body of the tenant
// Alertmanager API (alertmanager_config and template_files): secret files
// become placeholders, and templates are named as the template files.
func tenantAlertmanager(prior artifact.Set) ([]byte, error) {
	data, ok := prior[slo.AlertmanagerConfigPath]
	if !ok {
		return nil, fmt.Errorf("internal: no %s", slo.AlertmanagerConfigPath)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("reading %s: %w", slo.AlertmanagerConfigPath, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("internal: %s is not a mapping", slo.AlertmanagerConfigPath)
	}
	// Drop the native file's comments: they describe its place in out/.
	doc.HeadComment, doc.Content[0].HeadComment = "", ""
	if len(doc.Content[0].Content) > 0 {
		doc.Content[0].Content[0].HeadComment = ""
	}
	templates := map[string]string{}
	var names []string
	for _, p := range prior.Paths() {
		if dir, file := path.Split(p); dir == slo.AlertmanagerTemplatesDir+"/" {
			templates[file] = string(prior[p])
			names = append(names, file)
		}
	}
	vars := map[string]bool{}
	replaceSecretFiles(doc.Content[0], vars)
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "templates" {
			seq := &yaml.Node{Kind: yaml.SequenceNode}
			for _, n := range names {
				seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: n})
			}
			root.Content[i+1] = seq
		}
	}
	var cfg bytes.Buffer
	enc := yaml.NewEncoder(&cfg)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	var h strings.Builder
	h.WriteString(setemit.DraftHeader)
	h.WriteString("# The tenant Alertmanager configuration, as POST /api/v1/alerts takes it.\n")
	if len(vars) > 0 {
		list := make([]string, 0, len(vars))
		for v := range vars {
			list = append(list, "$"+v)
		}
		sort.Strings(list)
		h.WriteString("# Fill in the secrets, and nothing else, before pushing it (docs/kubernetes.md):\n")
		h.WriteString("#   envsubst '" + strings.Join(list, " ") + "' < out/ruler/alertmanager.yaml\n")
	}
	return artifact.YAML(h.String(), struct {
		TemplateFiles      map[string]string `yaml:"template_files"`
		AlertmanagerConfig string            `yaml:"alertmanager_config"`
	}{templates, cfg.String()})
}

// replaceSecretFiles turns every "<field>_file: <path>" into
// "<field>: ${STACKC_SECRET_<KEY>}" and collects the variables.
func replaceSecretFiles(n *yaml.Node, vars map[string]bool) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if strings.HasSuffix(k.Value, "_file") && v.Kind == yaml.ScalarNode {
				k.Value = strings.TrimSuffix(k.Value, "_file")
				vars[model.SecretVariable(v.Value)] = true
				v.Value, v.Style = SecretPlaceholder(v.Value), 0
				continue
			}
			replaceSecretFiles(v, vars)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			replaceSecretFiles(c, vars)
		}
	}
}

// Emit is the target (artifact.Emitter): EmitFrom over the artifacts of the
// targets it needs, when the spec asks for this output.
func Emit(st *model.Stack, prior artifact.Reader, out artifact.Writer) error {
	if st.Ruler == nil {
		return nil
	}
	return setemit.Emit(st, prior, out, EmitFrom)
}
