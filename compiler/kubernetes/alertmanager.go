package kubernetes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strconv"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	monitoringv1alpha1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1alpha1"
	"github.com/prometheus/alertmanager/pkg/labels"
	yamlv3 "go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stackc/stackc/compiler/internal/amconfig"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
	"github.com/stackc/stackc/compiler/spec"
)

// alertmanager writes the AlertmanagerConfig, the templates ConfigMap and,
// when a receiver is the demo inbox, the inbox's Deployment and Service.
func (e *emitter) alertmanager() error {
	data, ok := e.prior[slo.AlertmanagerConfigPath]
	if !ok {
		return fmt.Errorf("internal: no %s", slo.AlertmanagerConfigPath)
	}
	var cfg amconfig.Config
	dec := yamlv3.NewDecoder(bytes.NewReader(data))
	// Strict: a field the alertmanager target writes that amconfig lacks
	// would otherwise be dropped from the AlertmanagerConfig unseen.
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return fmt.Errorf("reading %s: %w", slo.AlertmanagerConfigPath, err)
	}
	top, err := e.route(cfg.Route, true)
	if err != nil {
		return err
	}
	amc := &monitoringv1alpha1.AlertmanagerConfig{
		TypeMeta:   metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1alpha1", Kind: "AlertmanagerConfig"},
		ObjectMeta: e.meta(ConfigName, "", "alerting"),
		Spec:       monitoringv1alpha1.AlertmanagerConfigSpec{Route: top},
	}
	for _, in := range cfg.InhibitRules {
		src, err := matchers(in.SourceMatchers)
		if err != nil {
			return fmt.Errorf("inhibition %s: %w", in.Name, err)
		}
		tgt, err := matchers(in.TargetMatchers)
		if err != nil {
			return fmt.Errorf("inhibition %s: %w", in.Name, err)
		}
		amc.Spec.InhibitRules = append(amc.Spec.InhibitRules, monitoringv1alpha1.InhibitRule{SourceMatch: src, TargetMatch: tgt, Equal: in.Equal})
	}
	inbox := false
	for _, r := range cfg.Receivers {
		rec, usesInbox, err := e.receiver(r)
		if err != nil {
			return err
		}
		inbox = inbox || usesInbox
		amc.Spec.Receivers = append(amc.Spec.Receivers, rec)
	}
	e.add(path.Join("alertmanager", "alertmanagerconfig.yaml"), amc)

	templates := map[string]string{}
	for _, p := range e.prior.Paths() {
		if dir, file := path.Split(p); dir == slo.AlertmanagerTemplatesDir+"/" {
			templates[file] = string(e.prior[p])
		}
	}
	e.add(path.Join("alertmanager", "templates.yaml"), &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: e.meta(TemplatesName, "", "alerting"),
		Data:       templates,
	})
	if inbox {
		port := int32(e.st.Network.InboxPort)
		// The inbox answers only requests naming an allowed host: the
		// Service name the AlertmanagerConfig posts to, and loopback.
		e.add(path.Join(InboxName, "deployment.yaml"), e.deployment(InboxName, "inbox", 1,
			container{image: e.k.Image, uid: nonRootUID, args: []string{"inbox", "--listen", ":" + strconv.Itoa(int(port)), "--allow-host", e.inboxHost()}},
			port, "/healthz", "/healthz", "localhost"))
		e.add(path.Join(InboxName, "service.yaml"), e.svcObject(InboxName, "inbox", port))
	}
	return nil
}

// route converts a route and its children. Children of an
// AlertmanagerConfig route are free-form JSON in the CRD.
func (e *emitter) route(r amconfig.Route, top bool) (*monitoringv1alpha1.Route, error) {
	ms, err := matchers(r.Matchers)
	if err != nil {
		return nil, err
	}
	out := &monitoringv1alpha1.Route{
		Receiver: r.Receiver, GroupBy: r.GroupBy, Matchers: ms, Continue: r.Continue,
		GroupWait: duration(r.GroupWait), GroupInterval: duration(r.GroupInterval), RepeatInterval: duration(r.RepeatInterval),
	}
	for _, c := range r.Routes {
		child, err := e.route(c, false)
		if err != nil {
			return nil, err
		}
		raw, err := json.Marshal(child)
		if err != nil {
			return nil, err
		}
		out.Routes = append(out.Routes, apiextensionsv1.JSON{Raw: raw})
	}
	return out, nil
}

func duration(s string) *monitoringv1.NonEmptyDuration {
	if s == "" {
		return nil
	}
	d := monitoringv1.NonEmptyDuration(s)
	return &d
}

// matchers parses Alertmanager matchers (severity="page") into the CRD's form.
func matchers(ss []string) ([]monitoringv1alpha1.Matcher, error) {
	var out []monitoringv1alpha1.Matcher
	for _, s := range ss {
		m, err := labels.ParseMatcher(s)
		if err != nil {
			return nil, fmt.Errorf("matcher %s: %w", s, err)
		}
		out = append(out, monitoringv1alpha1.Matcher{Name: m.Name, Value: m.Value, MatchType: monitoringv1alpha1.MatchType(m.Type.String())})
	}
	return out, nil
}

// secretRef refers to a secret file's key in the stack's Secret.
func (e *emitter) secretRef(file string) *corev1.SecretKeySelector {
	return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: e.k.SecretName}, Key: model.SecretKey(file)}
}

// receiver converts a receiver; usesInbox tells that a webhook goes to the
// demo inbox, which then runs in the namespace too.
func (e *emitter) receiver(r amconfig.Receiver) (rec monitoringv1alpha1.Receiver, usesInbox bool, err error) {
	rec.Name = r.Name
	for _, w := range r.WebhookConfigs {
		c := monitoringv1alpha1.WebhookConfig{SendResolved: ptr(w.SendResolved)}
		if w.URLFile != "" {
			c.URLSecret = e.secretRef(w.URLFile)
		} else {
			u, err := url.Parse(w.URL)
			if err != nil {
				return rec, false, fmt.Errorf("receiver %s: %w", r.Name, err)
			}
			if spec.InboxURL(e.st, u) {
				u.Host = fmt.Sprintf("%s:%d", e.inboxHost(), e.st.Network.InboxPort)
				usesInbox = true
			}
			c.URL = ptr(u.String())
		}
		rec.WebhookConfigs = append(rec.WebhookConfigs, c)
	}
	for _, m := range r.EmailConfigs {
		c := monitoringv1alpha1.EmailConfig{
			To: ptr(m.To), From: ptr(m.From), Smarthost: ptr(m.Smarthost), SendResolved: ptr(m.SendResolved),
			Text: optional(m.Text),
		}
		if m.AuthUsername != "" {
			c.AuthUsername = ptr(m.AuthUsername)
		}
		if m.AuthPasswordFile != "" {
			c.AuthPassword = e.secretRef(m.AuthPasswordFile)
		}
		keys := make([]string, 0, len(m.Headers))
		for k := range m.Headers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c.Headers = append(c.Headers, monitoringv1alpha1.KeyValue{Key: k, Value: m.Headers[k]})
		}
		rec.EmailConfigs = append(rec.EmailConfigs, c)
	}
	for _, s := range r.SlackConfigs {
		rec.SlackConfigs = append(rec.SlackConfigs, monitoringv1alpha1.SlackConfig{
			APIURL: e.secretRef(s.APIURLFile), Channel: ptr(s.Channel), Title: optional(s.Title), Text: optional(s.Text),
			SendResolved: ptr(s.SendResolved),
		})
	}
	for _, p := range r.PagerdutyConfigs {
		rec.PagerDutyConfigs = append(rec.PagerDutyConfigs, monitoringv1alpha1.PagerDutyConfig{
			RoutingKey: e.secretRef(p.RoutingKeyFile), Description: optional(p.Description), SendResolved: ptr(p.SendResolved),
		})
	}
	return rec, usesInbox, nil
}

// inboxHost is the inbox Service's name in the cluster's DNS.
func (e *emitter) inboxHost() string { return InboxName + "." + e.k.Namespace + ".svc" }

func ptr[T any](v T) *T { return &v }

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
