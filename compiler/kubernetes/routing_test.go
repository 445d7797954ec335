package kubernetes_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	monitoringv1alpha1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1alpha1"
	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	prommodel "github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/stackc/stackc/compiler/kubernetes"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec/spectest"
)

// amRoute is an Alertmanager route as YAML.
type amRoute struct {
	Receiver string    `yaml:"receiver"`
	Matchers []string  `yaml:"matchers,omitempty"`
	Continue bool      `yaml:"continue,omitempty"`
	Routes   []amRoute `yaml:"routes,omitempty"`
}

// operatorRoute is the AlertmanagerConfig's route as the Prometheus
// Operator places it below the Alertmanager's top route: its matchers plus
// namespace="<namespace>" (alertmanagerConfigMatcherStrategy OnNamespace,
// the default), children as written.
func operatorRoute(t *testing.T, r *monitoringv1alpha1.Route, extra ...string) amRoute {
	t.Helper()
	out := amRoute{Receiver: r.Receiver, Continue: r.Continue, Matchers: extra}
	for _, m := range r.Matchers {
		out.Matchers = append(out.Matchers, fmt.Sprintf("%s%s%q", m.Name, m.MatchType, m.Value))
	}
	for _, raw := range r.Routes {
		var child monitoringv1alpha1.Route
		if err := json.Unmarshal(raw.Raw, &child); err != nil {
			t.Fatal(err)
		}
		out.Routes = append(out.Routes, operatorRoute(t, &child))
	}
	return out
}

// TestAlertsReachReceiversThroughOperator routes every alert of the
// PrometheusRules through the AlertmanagerConfig placed as the operator
// places it, and through the native alertmanager.yml: each alert must
// reach the same receivers both ways. Without the namespace label the
// rules add, every alert would fall through to the Alertmanager's own
// default receiver; the last check shows that.
func TestAlertsReachReceiversThroughOperator(t *testing.T) {
	for name, st := range map[string]*model.Stack{"stack": spectest.Repo(t, ""), "wide": load(t, "wide.jsonnet", wideSpec)} {
		t.Run(name, func(t *testing.T) {
			files, out := compile(t, st)
			amc := decode[monitoringv1alpha1.AlertmanagerConfig](t, "amc", files["alertmanager/alertmanagerconfig.yaml"])
			const fallback = "alertmanager-default"
			tree := struct {
				Route     amRoute          `yaml:"route"`
				Receivers []map[string]any `yaml:"receivers"`
			}{Route: amRoute{Receiver: fallback, Routes: []amRoute{operatorRoute(t, amc.Spec.Route, fmt.Sprintf("namespace=%q", st.Kubernetes.Namespace))}}}
			tree.Receivers = append(tree.Receivers, map[string]any{"name": fallback})
			for _, r := range amc.Spec.Receivers {
				tree.Receivers = append(tree.Receivers, map[string]any{"name": r.Name})
			}
			data, err := yaml.Marshal(tree)
			if err != nil {
				t.Fatal(err)
			}
			opCfg, err := amconfig.Load(string(data))
			if err != nil {
				t.Fatalf("%v\n%s", err, data)
			}
			nativeCfg, err := amconfig.Load(string(out[slo.AlertmanagerConfigPath]))
			if err != nil {
				t.Fatal(err)
			}
			opTree, nativeTree := dispatch.NewRoute(opCfg.Route, nil), dispatch.NewRoute(nativeCfg.Route, nil)
			receivers := func(r *dispatch.Route, ls prommodel.LabelSet) []string {
				var names []string
				for _, m := range r.Match(ls) {
					names = append(names, m.RouteOpts.Receiver)
				}
				slices.Sort(names)
				return names
			}
			alerts := 0
			for p, o := range ruleObjects(t, files) {
				for _, g := range o.Spec.Groups {
					for _, r := range g.Rules {
						if r.Alert == "" {
							continue
						}
						alerts++
						ls := prommodel.LabelSet{"alertname": prommodel.LabelValue(r.Alert)}
						for k, v := range r.Labels {
							ls[prommodel.LabelName(k)] = prommodel.LabelValue(v)
						}
						got, want := receivers(opTree, ls), receivers(nativeTree, ls)
						if !slices.Equal(got, want) {
							t.Errorf("%s: alert %s %v reaches %v through the operator, %v natively", p, r.Alert, ls, got, want)
						}
						delete(ls, kubernetes.LabelNamespace)
						if got := receivers(opTree, ls); !slices.Equal(got, []string{fallback}) {
							t.Errorf("without its namespace label alert %s reaches %v, want only %s: the check proves nothing", r.Alert, got, fallback)
						}
					}
				}
			}
			if alerts == 0 {
				t.Fatal("no alerts")
			}
			if !strings.Contains(string(data), "namespace=") {
				t.Fatal("the operator's namespace matcher is missing from the simulated tree")
			}
		})
	}
}

// TestInboxAcceptsTheAlertmanager: the demo inbox answers only requests
// whose Host it allows, so it must allow the host the AlertmanagerConfig's
// webhooks post to, and its probes must name an allowed host.
func TestInboxAcceptsTheAlertmanager(t *testing.T) {
	st := spectest.Repo(t, "")
	files, _ := compile(t, st)
	amc := decode[monitoringv1alpha1.AlertmanagerConfig](t, "amc", files["alertmanager/alertmanagerconfig.yaml"])
	d := decode[appsv1.Deployment](t, "inbox", files["inbox/deployment.yaml"])
	c := d.Spec.Template.Spec.Containers[0]
	allowed := map[string]bool{"localhost": true, "127.0.0.1": true}
	for i, a := range c.Args {
		if a == "--allow-host" && i+1 < len(c.Args) {
			allowed[c.Args[i+1]] = true
		}
	}
	hosts := 0
	for _, r := range amc.Spec.Receivers {
		for _, w := range r.WebhookConfigs {
			if w.URL == nil || !strings.Contains(*w.URL, kubernetes.InboxName+".") {
				continue
			}
			u, err := url.Parse(*w.URL)
			if err != nil {
				t.Fatal(err)
			}
			hosts++
			if !allowed[u.Hostname()] {
				t.Errorf("receiver %s posts to %s, which the inbox (args %v) refuses", r.Name, u.Hostname(), c.Args)
			}
		}
	}
	if hosts == 0 {
		t.Fatal("no webhook goes to the inbox")
	}
	for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe} {
		host := ""
		for _, h := range p.HTTPGet.HTTPHeaders {
			if h.Name == "Host" {
				host = h.Value
			}
		}
		if !allowed[host] {
			t.Errorf("probe of %s sends Host %q, which the inbox refuses", p.HTTPGet.Path, host)
		}
	}
}
