package kubernetes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/setemit"
	"github.com/stackc/stackc/compiler/model"
)

// RulesDir is where the prometheus target writes the rule files, one
// directory per service.
const RulesDir = "prometheus/rules"

// ServiceRuleGroups reads the rule groups the prometheus target wrote for
// svc, in file order. A field a PrometheusRule cannot carry is an error.
func ServiceRuleGroups(prior artifact.Set, svc string) ([]monitoringv1.RuleGroup, error) {
	var groups []monitoringv1.RuleGroup
	prefix := RulesDir + "/" + svc + "/"
	for _, p := range prior.Paths() {
		if !strings.HasPrefix(p, prefix) || strings.Contains(p[len(prefix):], "/") || !strings.HasSuffix(p, ".yml") {
			continue
		}
		js, err := yaml.YAMLToJSON(prior[p])
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", p, err)
		}
		var file struct {
			Groups []monitoringv1.RuleGroup `json:"groups"`
		}
		dec := json.NewDecoder(bytes.NewReader(js))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&file); err != nil {
			return nil, fmt.Errorf("reading %s: %w", p, err)
		}
		groups = append(groups, file.Groups...)
	}
	return groups, nil
}

// rules writes each service's rule groups as PrometheusRules.
func (e *emitter) rules() error {
	seen := map[string]string{}
	for _, svc := range e.st.Services {
		groups, err := ServiceRuleGroups(e.prior, svc.Name)
		if err != nil {
			return err
		}
		if len(groups) == 0 {
			return fmt.Errorf("internal: no rule groups for service %s under %s", svc.Name, RulesDir)
		}
		for i := range groups {
			g := &groups[i]
			if other, dup := seen[g.Name]; dup {
				return fmt.Errorf("internal: rule group %s of service %s is also a group of %s", g.Name, svc.Name, other)
			}
			seen[g.Name] = svc.Name
			for j := range g.Rules {
				r := &g.Rules[j]
				if r.Alert == "" {
					continue
				}
				// The AlertmanagerConfig only sees alerts of its own namespace.
				labels := map[string]string{LabelNamespace: e.k.Namespace}
				for k, v := range r.Labels {
					labels[k] = v
				}
				r.Labels = labels
			}
		}
		objs, err := e.splitRules(svc, groups)
		if err != nil {
			return err
		}
		for i, o := range objs {
			e.add(path.Join(svc.Name, ruleFile(i)), o)
		}
	}
	return nil
}

// RuleObjectName is the name of a service's i-th PrometheusRule (from 0).
func RuleObjectName(svc string, i int) string {
	if i == 0 {
		return svc + "-rules"
	}
	return fmt.Sprintf("%s-rules-%d", svc, i+1)
}

func ruleFile(i int) string {
	if i == 0 {
		return "prometheusrule.yaml"
	}
	return fmt.Sprintf("prometheusrule-%d.yaml", i+1)
}

// splitRules packs groups, in order, into as few PrometheusRules as keep
// each under MaxRuleObjectBytes. A group is never split: its rules are
// evaluated in order, each seeing the results of the ones before it.
func (e *emitter) splitRules(svc model.Service, groups []monitoringv1.RuleGroup) ([]*monitoringv1.PrometheusRule, error) {
	object := func(i int, gs []monitoringv1.RuleGroup) *monitoringv1.PrometheusRule {
		return &monitoringv1.PrometheusRule{
			TypeMeta:   metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: "PrometheusRule"},
			ObjectMeta: e.meta(RuleObjectName(svc.Name, i), svc.Name, "rules"),
			Spec:       monitoringv1.PrometheusRuleSpec{Groups: gs},
		}
	}
	size := func(o any) (int, error) {
		data, err := Encode(o)
		return len(data), err
	}
	base, err := size(object(99, nil))
	if err != nil {
		return nil, err
	}
	var objs []*monitoringv1.PrometheusRule
	var cur []monitoringv1.RuleGroup
	curSize := base
	for _, g := range groups {
		// A group inside spec.groups is indented by four more spaces per
		// line than on its own.
		data, err := Encode([]monitoringv1.RuleGroup{g})
		if err != nil {
			return nil, err
		}
		data = data[len(setemit.DraftHeader):]
		gs := len(data) + 4*bytes.Count(data, []byte("\n"))
		if base+gs > MaxRuleObjectBytes {
			return nil, fmt.Errorf("rule group %s of service %s alone takes about %d KiB, more than a PrometheusRule may hold (%d KiB)",
				g.Name, svc.Name, (base+gs)>>10, MaxRuleObjectBytes>>10)
		}
		if len(cur) > 0 && curSize+gs > MaxRuleObjectBytes {
			objs = append(objs, object(len(objs), cur))
			cur, curSize = nil, base
		}
		cur = append(cur, g)
		curSize += gs
	}
	objs = append(objs, object(len(objs), cur))
	for _, o := range objs {
		n, err := size(o)
		if err != nil {
			return nil, err
		}
		if n > MaxRuleObjectBytes {
			return nil, fmt.Errorf("internal: PrometheusRule %s takes %d bytes, more than %d", o.Name, n, MaxRuleObjectBytes)
		}
	}
	return objs, nil
}
