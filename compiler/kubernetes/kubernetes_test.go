package kubernetes_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	monitoringv1alpha1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1alpha1"
	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/build"
	"github.com/stackc/stackc/compiler/kubernetes"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec"
	"github.com/stackc/stackc/compiler/spec/spectest"
	"github.com/stackc/stackc/tools"
)

// compile builds the whole stack and returns the Kubernetes target's files
// (paths relative to out/kubernetes) and the complete output.
func compile(t *testing.T, st *model.Stack) (map[string][]byte, artifact.Set) {
	t.Helper()
	out, err := build.Compile(st)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for p, data := range out {
		if rest, ok := strings.CutPrefix(p, kubernetes.Dir+"/"); ok {
			files[rest] = data
		}
	}
	if len(files) == 0 {
		t.Fatal("the kubernetes target wrote nothing")
	}
	return files, out
}

func load(t *testing.T, name, src string) *model.Stack {
	t.Helper()
	res, err := spec.Load(name, []byte(src), spec.Options{})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res.Stack
}

// wideSpec has three services, every receiver kind (secrets by file),
// 7d/28d/30d periods, a webhook beyond the inbox and custom labels.
const wideSpec = `
local s = import 'stackc.libsonnet';
s.stack {
  services: [
    s.service('shop', team='storefront', port=8080) {
      endpoints: [s.endpoint('POST', '/checkout', name='checkout')],
      slos: [
        s.availability('checkout-availability', endpoint='checkout', objective=99.9),
        s.latency('checkout-latency', endpoint='checkout', threshold='250ms', objective=99, period='7d'),
      ],
    },
    s.service('payments-api', team='payments', port=8081) {
      endpoints: [s.endpoint('POST', '/pay', name='pay')],
      slos: [s.availability('pay-availability', endpoint='pay', objective=99.5, period='28d')],
    },
    s.service('search', team='storefront', port=8082) {
      endpoints: [s.endpoint('GET', '/search', name='search')],
    },
  ],
  kubernetes: {
    namespace: 'prod-shop',
    labels: { release: 'monitoring', 'example.com/cost-center': 'web' },
    replicas: 3,
    image: 'registry.example.com/stackc-demoapp:1.2.3',
    secretName: 'alerting-secrets',
    resources: { cpuLimit: '1', memoryLimit: '256Mi' },
  },
  alerting: {
    defaultReceiver: 'tickets',
    receivers: {
      tickets: s.webhook(urlFile='/run/secrets/tickets-url'),
      pager: s.pagerduty('/run/secrets/pagerduty-key'),
      chat: s.slack('#alerts', '/run/secrets/slack-url'),
      mail: s.email('ops@example.com', 'am@example.com', 'smtp.example.com:587', authUsername='am', authPasswordFile='/run/secrets/smtp'),
      bridge: s.webhook('http://inbox:9095/bridge'),
    },
    routes: [
      s.route({ severity: 'page' }, 'pager', continue=true),
      s.route({ severity: 'page' }, 'chat'),
      s.route({ severity: 'ticket', team: 'payments' }, 'mail'),
      s.route({ severity: 'ticket', service: 'search' }, 'bridge'),
    ],
  },
}
`

// TestObjectsValidate checks every object the target writes, for the
// repository's spec in both profiles and for a wide spec.
func TestObjectsValidate(t *testing.T) {
	v := schemaValidator(t)
	cases := []struct {
		name string
		st   *model.Stack
	}{
		{"stack", spectest.Repo(t, "")},
		{"stack-demo", spectest.Repo(t, "demo")},
		{"wide", load(t, "wide.jsonnet", wideSpec)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files, out := compile(t, tc.st)
			checkAll(t, v, tc.st, files, out)
		})
	}
}

// checkAll is every check of a target's output.
func checkAll(t *testing.T, v *Validator, st *model.Stack, files map[string][]byte, out artifact.Set) {
	t.Helper()
	var kust struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Resources  []string `json:"resources"`
	}
	if err := yaml.UnmarshalStrict(files["kustomization.yaml"], &kust); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	if kust.APIVersion != "kustomize.config.k8s.io/v1beta1" || kust.Kind != "Kustomization" {
		t.Errorf("kustomization.yaml is a %s %s", kust.APIVersion, kust.Kind)
	}
	var objects []string
	for p := range files {
		if p != "kustomization.yaml" {
			objects = append(objects, p)
		}
	}
	slices.Sort(objects)
	if !slices.Equal(kust.Resources, objects) {
		t.Errorf("kustomization.yaml lists %v, want every object file %v", kust.Resources, objects)
	}
	for _, p := range objects {
		if err := v.Validate(files[p]); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		var meta struct {
			Metadata struct{ Namespace string }
		}
		if err := yaml.Unmarshal(files[p], &meta); err != nil {
			t.Fatal(err)
		}
		if p != "namespace.yaml" && meta.Metadata.Namespace != st.Kubernetes.Namespace {
			t.Errorf("%s: namespace %q, want %q", p, meta.Metadata.Namespace, st.Kubernetes.Namespace)
		}
	}
	checkRules(t, st, files)
	checkDashboards(t, files, out)
	checkServices(t, st, files)
	checkAlertmanagerConfig(t, st, files, out)
}

func decode[T any](t *testing.T, name string, data []byte) *T {
	t.Helper()
	var obj T
	if err := yaml.UnmarshalStrict(data, &obj); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &obj
}

// ruleObjects returns the PrometheusRules, by file.
func ruleObjects(t *testing.T, files map[string][]byte) map[string]*monitoringv1.PrometheusRule {
	t.Helper()
	out := map[string]*monitoringv1.PrometheusRule{}
	for p, data := range files {
		if strings.HasPrefix(path.Base(p), "prometheusrule") {
			out[p] = decode[monitoringv1.PrometheusRule](t, p, data)
		}
	}
	return out
}

// checkRules: each PrometheusRule fits the operator's size, its groups
// pass rulefmt and promtool, group names are unique across objects, every
// alert carries the namespace label, and the groups are exactly those of
// out/prometheus/rules.
func checkRules(t *testing.T, st *model.Stack, files map[string][]byte) {
	t.Helper()
	objs := ruleObjects(t, files)
	if len(objs) < len(st.Services) {
		t.Errorf("%d PrometheusRules for %d services", len(objs), len(st.Services))
	}
	dir := t.TempDir()
	var ruleFiles []string
	seen := map[string]string{}
	for p, o := range objs {
		if err := checkRuleObject(files[p], o); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		for _, g := range o.Spec.Groups {
			if other, dup := seen[g.Name]; dup {
				t.Errorf("rule group %s is in %s and %s", g.Name, other, p)
			}
			seen[g.Name] = p
			for _, r := range g.Rules {
				if r.Alert != "" && r.Labels[kubernetes.LabelNamespace] != st.Kubernetes.Namespace {
					t.Errorf("%s: alert %s has namespace label %q, want %q (the AlertmanagerConfig only sees its namespace)",
						p, r.Alert, r.Labels[kubernetes.LabelNamespace], st.Kubernetes.Namespace)
				}
			}
		}
		f := filepath.Join(dir, strings.ReplaceAll(p, "/", "_"))
		if err := os.WriteFile(f, ruleGroupsYAML(t, o), 0o644); err != nil {
			t.Fatal(err)
		}
		ruleFiles = append(ruleFiles, f)
	}
	promtool(t, append([]string{"check", "rules", "--lint=all", "--lint-fatal"}, ruleFiles...)...)
}

// checkRuleObject is what the operator would refuse: an object over the
// size limit, or groups that rulefmt rejects.
func checkRuleObject(data []byte, o *monitoringv1.PrometheusRule) error {
	if len(data) > kubernetes.MaxRuleObjectBytes {
		return fmt.Errorf("PrometheusRule %s takes %d bytes, more than %d", o.Name, len(data), kubernetes.MaxRuleObjectBytes)
	}
	groups, err := json.Marshal(map[string]any{"groups": o.Spec.Groups})
	if err != nil {
		return err
	}
	y, err := yaml.JSONToYAML(groups)
	if err != nil {
		return err
	}
	logger := slog.New(slog.DiscardHandler)
	if _, errs := rulefmt.Parse(y, false, prommodel.UTF8Validation, parser.NewParser(parser.Options{}), logger); len(errs) > 0 {
		return fmt.Errorf("rulefmt: %v", errs)
	}
	return nil
}

func ruleGroupsYAML(t *testing.T, o *monitoringv1.PrometheusRule) []byte {
	t.Helper()
	data, err := json.Marshal(map[string]any{"groups": o.Spec.Groups})
	if err != nil {
		t.Fatal(err)
	}
	y, err := yaml.JSONToYAML(data)
	if err != nil {
		t.Fatal(err)
	}
	return y
}

func promtool(t *testing.T, args ...string) {
	t.Helper()
	bin, err := tools.Path("promtool")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Errorf("promtool %s: %v\n%s", strings.Join(args[:2], " "), err, out)
	}
}

// checkDashboards: every dashboard of the grafana target is a ConfigMap
// the sidecar picks up, byte for byte.
func checkDashboards(t *testing.T, files map[string][]byte, out artifact.Set) {
	t.Helper()
	n := 0
	for _, p := range out.Paths() {
		dir, file := path.Split(p)
		if dir != kubernetes.DashboardsDir+"/" || !strings.HasSuffix(file, ".json") {
			continue
		}
		n++
		name := "dashboards/" + strings.TrimSuffix(file, ".json") + ".yaml"
		data, ok := files[name]
		if !ok {
			t.Errorf("no ConfigMap %s for dashboard %s", name, p)
			continue
		}
		cm := decode[corev1.ConfigMap](t, name, data)
		if cm.Labels[kubernetes.LabelDashboard] != "1" {
			t.Errorf("%s: label %s=%q, want \"1\" for the Grafana sidecar", name, kubernetes.LabelDashboard, cm.Labels[kubernetes.LabelDashboard])
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, out[p]); err != nil {
			t.Fatal(err)
		}
		if cm.Data[file] != compact.String() {
			t.Errorf("%s: data[%s] is not the dashboard %s", name, file, p)
		}
	}
	if n == 0 {
		t.Error("no dashboards")
	}
}

// checkServices: the demo apps run as non-root with probes and resources,
// and the ServiceMonitor scrapes them under the job name the rules select.
func checkServices(t *testing.T, st *model.Stack, files map[string][]byte) {
	t.Helper()
	for _, svc := range st.Services {
		d := decode[appsv1.Deployment](t, svc.Name+"/deployment.yaml", files[svc.Name+"/deployment.yaml"])
		if *d.Spec.Replicas != int32(st.Kubernetes.Replicas) {
			t.Errorf("%s: %d replicas, want %d", svc.Name, *d.Spec.Replicas, st.Kubernetes.Replicas)
		}
		pod := d.Spec.Template.Spec
		if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
			t.Errorf("%s: pod may run as root", svc.Name)
		}
		for _, c := range pod.Containers {
			if c.LivenessProbe == nil || c.ReadinessProbe == nil {
				t.Errorf("%s: container %s lacks a probe", svc.Name, c.Name)
			}
			if c.Resources.Requests.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
				t.Errorf("%s: container %s lacks requests or limits", svc.Name, c.Name)
			}
			if c.SecurityContext == nil || c.SecurityContext.AllowPrivilegeEscalation == nil || *c.SecurityContext.AllowPrivilegeEscalation ||
				c.SecurityContext.ReadOnlyRootFilesystem == nil || !*c.SecurityContext.ReadOnlyRootFilesystem {
				t.Errorf("%s: container %s may escalate privileges or write its root file system", svc.Name, c.Name)
			}
			// A Python service runs the Flask demo service with its own
			// registry, as in Compose; the others the Go demo app.
			image, first := st.Kubernetes.Image, "serve"
			if svc.Language == model.Python {
				image, first = st.Kubernetes.PythonImage, "--registry"
				if !slices.Contains(c.Args, slo.FlaskRegistryPath(svc.Name)) {
					t.Errorf("%s: args %q lack the service's registry %s", svc.Name, c.Args, slo.FlaskRegistryPath(svc.Name))
				}
			}
			if c.Image != image || len(c.Args) == 0 || c.Args[0] != first {
				t.Errorf("%s: image %s with args %q, want %s running %s", svc.Name, c.Image, c.Args, image, first)
			}
		}
		s := decode[corev1.Service](t, svc.Name+"/service.yaml", files[svc.Name+"/service.yaml"])
		// The operator names the job after the Service; the rules select job="<service>".
		if s.Name != svc.Name {
			t.Errorf("Service %s, want %s: the rules select job=%q", s.Name, svc.Name, svc.Name)
		}
		sm := decode[monitoringv1.ServiceMonitor](t, svc.Name+"/servicemonitor.yaml", files[svc.Name+"/servicemonitor.yaml"])
		for k, want := range sm.Spec.Selector.MatchLabels {
			if s.Labels[k] != want || d.Spec.Template.Labels[k] != want {
				t.Errorf("%s: ServiceMonitor selects %s=%s, which the Service or pods lack", svc.Name, k, want)
			}
		}
		drops := false
		for _, r := range sm.Spec.Endpoints[0].RelabelConfigs {
			drops = drops || (r.Action == "labeldrop" && r.Regex == "endpoint")
		}
		if !drops {
			t.Errorf("%s: the ServiceMonitor keeps the operator's endpoint label, which renames the app's endpoint label", svc.Name)
		}
	}
}

// checkAlertmanagerConfig: the receivers are those of alertmanager.yml,
// every secret is a reference to a key of the spec's Secret (none inline),
// and the templates the receivers use ship in the templates ConfigMap.
func checkAlertmanagerConfig(t *testing.T, st *model.Stack, files map[string][]byte, out artifact.Set) {
	t.Helper()
	amc := decode[monitoringv1alpha1.AlertmanagerConfig](t, "alertmanagerconfig", files["alertmanager/alertmanagerconfig.yaml"])
	if len(amc.Spec.Receivers) != len(st.Alerting.Receivers) {
		t.Errorf("%d receivers, want %d", len(amc.Spec.Receivers), len(st.Alerting.Receivers))
	}
	keys := map[string]bool{}
	for _, r := range st.Alerting.Receivers {
		for _, f := range r.SecretFiles() {
			keys[model.SecretKey(f)] = true
		}
	}
	refs := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if name, ok := v["name"].(string); ok {
				if key, ok := v["key"].(string); ok {
					if name != st.Kubernetes.SecretName {
						t.Errorf("secret reference to %s, want %s", name, st.Kubernetes.SecretName)
					}
					refs[key] = true
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	var raw any
	if err := yaml.Unmarshal(files["alertmanager/alertmanagerconfig.yaml"], &raw); err != nil {
		t.Fatal(err)
	}
	walk(raw)
	for k := range keys {
		if !refs[k] {
			t.Errorf("secret key %s is not referenced", k)
		}
	}
	for k := range refs {
		if !keys[k] {
			t.Errorf("reference to secret key %s, which no receiver names", k)
		}
	}
	text := string(files["alertmanager/alertmanagerconfig.yaml"])
	for _, r := range st.Alerting.Receivers {
		for _, f := range r.SecretFiles() {
			if strings.Contains(text, f) {
				t.Errorf("the AlertmanagerConfig names the secret file %s; it must reference the Secret", f)
			}
		}
	}
	cm := decode[corev1.ConfigMap](t, "templates", files["alertmanager/templates.yaml"])
	for p, data := range out {
		if dir, file := path.Split(p); dir == slo.AlertmanagerTemplatesDir+"/" && cm.Data[file] != string(data) {
			t.Errorf("templates ConfigMap lacks %s", file)
		}
	}
}

// TestMutations: the checks catch a broken object. Each case edits one
// object of the repository spec's output; the edited object must fail.
func TestMutations(t *testing.T) {
	v := schemaValidator(t)
	files, _ := compile(t, spectest.Repo(t, ""))
	edit := func(file string, fn func(m map[string]any)) []byte {
		var m map[string]any
		if err := yaml.Unmarshal(files[file], &m); err != nil {
			t.Fatal(err)
		}
		fn(m)
		data, err := yaml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	at := func(m map[string]any, keys ...any) map[string]any {
		var cur any = m
		for _, k := range keys {
			switch k := k.(type) {
			case string:
				cur = cur.(map[string]any)[k]
			case int:
				cur = cur.([]any)[k]
			}
		}
		return cur.(map[string]any)
	}
	cases := []struct {
		name, file string
		fn         func(m map[string]any)
		want       string
	}{
		{"misspelt ServiceMonitor field", "shop/servicemonitor.yaml",
			func(m map[string]any) { at(m, "spec", "endpoints", 0)["intervall"] = "30s" }, "intervall"},
		{"misspelt Deployment field", "shop/deployment.yaml",
			func(m map[string]any) { at(m, "spec", "template", "spec")["securityContxt"] = map[string]any{} }, "securityContxt"},
		{"replicas as a string", "shop/deployment.yaml",
			func(m map[string]any) { at(m, "spec")["replicas"] = "two" }, "replicas"},
		{"wrong matchType", "alertmanager/alertmanagerconfig.yaml",
			func(m map[string]any) { at(m, "spec", "inhibitRules", 0, "sourceMatch", 0)["matchType"] = "==" }, "matchType"},
		{"PrometheusRule rule without expr", "shop/prometheusrule.yaml",
			func(m map[string]any) { delete(at(m, "spec", "groups", 0, "rules", 0), "expr") }, "expr"},
		{"Service named with an underscore", "shop/service.yaml",
			func(m map[string]any) { at(m, "metadata")["name"] = "shop_api" }, "metadata.name"},
		{"ConfigMap named in upper case", "dashboards/stackc-shop-slos.yaml",
			func(m map[string]any) { at(m, "metadata")["name"] = "Stackc-Shop" }, "metadata.name"},
		{"namespace too long", "shop/servicemonitor.yaml",
			func(m map[string]any) { at(m, "metadata")["namespace"] = strings.Repeat("n", 64) }, "metadata.namespace"},
		{"label value with a space", "shop/prometheusrule.yaml",
			func(m map[string]any) { at(m, "metadata", "labels")["release"] = "kube prometheus" }, "metadata.labels"},
		{"ConfigMap key with a slash", "dashboards/stackc-shop-slos.yaml",
			func(m map[string]any) { at(m)["data"] = map[string]any{"a/b.json": "{}"} }, "data[a/b.json]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := v.Validate(files[tc.file]); err != nil {
				t.Fatalf("the unedited %s fails already: %v", tc.file, err)
			}
			err := v.Validate(edit(tc.file, tc.fn))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("validation error %v, want one about %s", err, tc.want)
			}
		})
	}

	t.Run("oversized PrometheusRule", func(t *testing.T) {
		o := decode[monitoringv1.PrometheusRule](t, "rules", files["shop/prometheusrule.yaml"])
		groups := o.Spec.Groups
		for i := 0; ; i++ {
			data, err := kubernetes.Encode(o)
			if err != nil {
				t.Fatal(err)
			}
			if len(data) > kubernetes.MaxRuleObjectBytes {
				err := checkRuleObject(data, o)
				if err == nil || !strings.Contains(err.Error(), "more than") {
					t.Errorf("a %d-byte PrometheusRule passes: %v", len(data), err)
				}
				if v.Validate(data) != nil {
					t.Errorf("the schema refuses the big object; the size check is what must catch it")
				}
				return
			}
			for _, g := range groups {
				g.Name = fmt.Sprintf("%s-%d", g.Name, i)
				o.Spec.Groups = append(o.Spec.Groups, g)
			}
		}
	})
	t.Run("broken PromQL", func(t *testing.T) {
		o := decode[monitoringv1.PrometheusRule](t, "rules", files["shop/prometheusrule.yaml"])
		o.Spec.Groups[0].Rules[0].Expr.StrVal = "sum(rate(http_requests_total[5m]"
		data, err := kubernetes.Encode(o)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkRuleObject(data, o); err == nil || !strings.Contains(err.Error(), "rulefmt") {
			t.Errorf("broken PromQL passes: %v", err)
		}
	})
}

// TestSplitRules: a service whose rules exceed one PrometheusRule is split
// into several, each within the limit, keeping every group whole and in
// order.
func TestSplitRules(t *testing.T) {
	st := load(t, "many.jsonnet", `
local s = import 'stackc.libsonnet';
s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('POST', '/checkout', name='checkout')],
      slos: [s.availability('checkout-%d' % i, endpoint='checkout', objective=99.9) for i in std.range(1, 60)],
    },
  ],
  kubernetes: { namespace: 'shop' },
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}`)
	files, out := compile(t, st)
	groups, err := kubernetes.ServiceRuleGroups(out, "shop")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	objs := 0
	for i := 0; ; i++ {
		name := "shop/prometheusrule.yaml"
		if i > 0 {
			name = fmt.Sprintf("shop/prometheusrule-%d.yaml", i+1)
		}
		data, ok := files[name]
		if !ok {
			break
		}
		objs++
		o := decode[monitoringv1.PrometheusRule](t, name, data)
		if o.Name != kubernetes.RuleObjectName("shop", i) {
			t.Errorf("%s is named %s, want %s", name, o.Name, kubernetes.RuleObjectName("shop", i))
		}
		if err := checkRuleObject(data, o); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for _, g := range o.Spec.Groups {
			got = append(got, g.Name)
		}
	}
	if objs < 2 {
		t.Fatalf("%d PrometheusRule objects for 60 SLOs; the test needs a split", objs)
	}
	var want []string
	for _, g := range groups {
		want = append(want, g.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("the split PrometheusRules hold groups %v..., want %v...", got[:3], want[:3])
	}
	checkAll(t, schemaValidator(t), st, files, out)
}
