// Package kubernetes is the Kubernetes target: the stack as objects for a
// cluster that runs the Prometheus Operator and Grafana with its dashboard
// sidecar, under out/kubernetes/, applied with `kubectl apply -k`.
//
// Per service it writes a ServiceMonitor, one or more PrometheusRules (the
// rule groups of out/prometheus/rules/<service>/, split so no object exceeds
// MaxRuleObjectBytes), a Deployment and a Service for the demo app; for the
// stack an AlertmanagerConfig (from out/alertmanager/alertmanager.yml, its
// secrets as references to keys of one Secret), a ConfigMap of the
// notification templates, a ConfigMap per Grafana dashboard labelled for the
// sidecar, the demo inbox when a receiver uses it, the Namespace and a
// kustomization.yaml listing them all.
//
// The target is a function of the model and of what the prometheus,
// alertmanager and grafana targets wrote before it: it reads their files
// from the artifact set instead of computing rules or dashboards again.
//
// Two things the operator does are taken care of here. It gives every
// ServiceMonitor target an "endpoint" label (the port name), which would
// rename the app's own endpoint label to exported_endpoint; the ServiceMonitor
// drops it again. And it adds a namespace="<namespace>" matcher to the
// AlertmanagerConfig's routes and inhibitions, which the rules' aggregated
// alerts would not match; every alerting rule therefore carries the label
// namespace: <namespace>.
package kubernetes

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/stackc/stackc/compiler/artifact"
	"github.com/stackc/stackc/compiler/internal/setemit"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Dir is the output directory of the target, relative to out/.
const Dir = "kubernetes"

// MaxRuleObjectBytes is the largest PrometheusRule the target writes. The
// operator copies every PrometheusRule into ConfigMaps mounted into
// Prometheus and refuses objects much beyond this size; rule groups are
// split across PrometheusRules <service>-rules, <service>-rules-2, ...
const MaxRuleObjectBytes = 512 << 10

// MaxConfigMapBytes is the most data a ConfigMap holds (Kubernetes refuses
// larger ones); each dashboard gets its own.
const MaxConfigMapBytes = 1 << 20

// Labels every object carries, besides the spec's kubernetes.labels.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelPartOf    = "app.kubernetes.io/part-of"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelComponent = "app.kubernetes.io/component"
	// LabelDashboard is the label the Grafana sidecar loads dashboards from.
	LabelDashboard = "grafana_dashboard"
	// LabelNamespace is the alert label the operator's AlertmanagerConfig
	// matcher requires.
	LabelNamespace = "namespace"
)

const (
	httpPort = "http"
	// nonRootUID is the distroless "nonroot" user the Go demo app image
	// runs as; flaskUID the user of the Flask image (its Dockerfile's USER).
	nonRootUID = 65532
	flaskUID   = 10001
	// InboxName names the demo inbox's Deployment and Service.
	InboxName = "inbox"
	// ConfigName names the AlertmanagerConfig and the templates ConfigMap's prefix.
	ConfigName    = "stackc"
	TemplatesName = "stackc-alertmanager-templates"
)

// EmitFrom builds the Kubernetes objects from st and the files the targets
// before it wrote. It writes nothing when the spec has no kubernetes section.
func EmitFrom(st *model.Stack, prior artifact.Set) ([]artifact.File, error) {
	k := st.Kubernetes
	if k == nil {
		return nil, nil
	}
	e := &emitter{st: st, k: k, prior: prior}
	e.add("namespace.yaml", &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: k.Namespace, Labels: e.labels("", "")},
	})
	for _, svc := range st.Services {
		e.service(svc)
	}
	if err := e.rules(); err != nil {
		return nil, err
	}
	if err := e.dashboards(); err != nil {
		return nil, err
	}
	if err := e.alertmanager(); err != nil {
		return nil, err
	}
	if e.err != nil {
		return nil, e.err
	}
	return e.finish()
}

type emitter struct {
	st    *model.Stack
	k     *model.Kubernetes
	prior artifact.Set
	files []artifact.File
	err   error
}

// add encodes obj as YAML into Dir/name.
func (e *emitter) add(name string, obj any) {
	data, err := Encode(obj)
	if err != nil && e.err == nil {
		e.err = fmt.Errorf("%s: %w", name, err)
	}
	e.files = append(e.files, artifact.File{Path: path.Join(Dir, name), Data: data})
}

// Encode writes a Kubernetes object as YAML with sorted keys, like every
// generated YAML file, without the empty status and null creationTimestamp
// fields typed structs carry.
func Encode(obj any) ([]byte, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	if m, ok := v.(map[string]any); ok {
		delete(m, "status")
	}
	dropNullTimestamps(v)
	return artifact.YAML(setemit.DraftHeader, v)
}

func dropNullTimestamps(v any) {
	switch v := v.(type) {
	case map[string]any:
		if ts, ok := v["creationTimestamp"]; ok && ts == nil {
			delete(v, "creationTimestamp")
		}
		for _, c := range v {
			dropNullTimestamps(c)
		}
	case []any:
		for _, c := range v {
			dropNullTimestamps(c)
		}
	}
}

// labels are an object's labels: the spec's, then the target's own.
func (e *emitter) labels(name, component string) map[string]string {
	l := map[string]string{LabelPartOf: "stackc", LabelManagedBy: "stackc"}
	for k, v := range e.k.Labels {
		l[k] = v
	}
	if name != "" {
		l[LabelName] = name
	}
	if component != "" {
		l[LabelComponent] = component
	}
	return l
}

func (e *emitter) meta(name, app, component string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: e.k.Namespace, Labels: e.labels(app, component)}
}

// selector selects the pods of one app.
func selector(app string) map[string]string {
	return map[string]string{LabelName: app, LabelPartOf: "stackc"}
}

// service writes the demo app's Deployment and Service and its ServiceMonitor.
func (e *emitter) service(svc model.Service) {
	// The fault API stays on the pod's loopback: kubectl exec into the pod to use it.
	admin := "127.0.0.1:" + strconv.Itoa(svc.AdminPort)
	app := container{image: e.k.Image, uid: nonRootUID,
		args: []string{"serve", "--service", svc.Name, "--listen", ":" + strconv.Itoa(svc.Port), "--admin-listen", admin}}
	if svc.Language == model.Python {
		// A Python service runs the Flask demo service, as in Compose.
		app = container{image: e.k.PythonImage, uid: flaskUID,
			args: []string{"--registry", slo.FlaskRegistryPath(svc.Name), "--listen", "0.0.0.0:" + strconv.Itoa(svc.Port), "--admin-listen", admin}}
	}
	e.add(path.Join(svc.Name, "deployment.yaml"), e.deployment(svc.Name, "app", int32(e.k.Replicas), app, int32(svc.Port), "/healthz", "/readyz", ""))
	e.add(path.Join(svc.Name, "service.yaml"), e.svcObject(svc.Name, "app", int32(svc.Port)))

	scrape := time.Duration(e.st.ScrapeInterval)
	team := svc.Team
	e.add(path.Join(svc.Name, "servicemonitor.yaml"), &monitoringv1.ServiceMonitor{
		TypeMeta:   metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: "ServiceMonitor"},
		ObjectMeta: e.meta(svc.Name, svc.Name, "metrics"),
		Spec: monitoringv1.ServiceMonitorSpec{
			Selector: metav1.LabelSelector{MatchLabels: selector(svc.Name)},
			Endpoints: []monitoringv1.Endpoint{{
				Port:          httpPort,
				Path:          "/metrics",
				Interval:      monitoringv1.Duration(model.Duration(scrape).String()),
				ScrapeTimeout: monitoringv1.Duration(model.Duration(min(10*time.Second, scrape)).String()),
				RelabelConfigs: []monitoringv1.RelabelConfig{
					// The operator labels targets endpoint=<port name>; the
					// app's requests carry their own endpoint label.
					{Action: "labeldrop", Regex: "endpoint"},
					{Action: "replace", TargetLabel: "team", Replacement: &team},
				},
			}},
		},
	})
}

// deployment is a demo app's Deployment; probeHost, when set, is the Host
// header of the probes (the inbox answers only its allowed host names).
// container is what a demo app's pod runs.
type container struct {
	image string
	uid   int64
	args  []string
}

func (e *emitter) deployment(name, component string, replicas int32, app container, port int32, liveness, readiness, probeHost string) *appsv1.Deployment {
	probe := func(p string, period int32) *corev1.Probe {
		get := &corev1.HTTPGetAction{Path: p, Port: intstr.FromString(httpPort)}
		if probeHost != "" {
			get.HTTPHeaders = []corev1.HTTPHeader{{Name: "Host", Value: probeHost}}
		}
		return &corev1.Probe{
			ProbeHandler:     corev1.ProbeHandler{HTTPGet: get},
			PeriodSeconds:    period,
			TimeoutSeconds:   2,
			FailureThreshold: 3,
		}
	}
	r := e.k.Resources
	no, yes := false, true
	uid := app.uid
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: e.meta(name, name, component),
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: selector(name)},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: e.labels(name, component)},
				Spec: corev1.PodSpec{
					AutomountServiceAccountToken: &no,
					SecurityContext: &corev1.PodSecurityContext{
						RunAsNonRoot:   &yes,
						RunAsUser:      &uid,
						RunAsGroup:     &uid,
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
					},
					Containers: []corev1.Container{{
						Name:            name,
						Image:           app.image,
						ImagePullPolicy: corev1.PullIfNotPresent,
						Args:            app.args,
						Ports:           []corev1.ContainerPort{{Name: httpPort, ContainerPort: port, Protocol: corev1.ProtocolTCP}},
						LivenessProbe:   probe(liveness, 10),
						ReadinessProbe:  probe(readiness, 5),
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(r.CPURequest), corev1.ResourceMemory: resource.MustParse(r.MemoryRequest)},
							Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(r.CPULimit), corev1.ResourceMemory: resource.MustParse(r.MemoryLimit)},
						},
						SecurityContext: &corev1.SecurityContext{
							AllowPrivilegeEscalation: &no,
							ReadOnlyRootFilesystem:   &yes,
							Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
						},
					}},
				},
			},
		},
	}
}

func (e *emitter) svcObject(name, component string, port int32) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: e.meta(name, name, component),
		Spec: corev1.ServiceSpec{
			Selector: selector(name),
			Ports: []corev1.ServicePort{{
				Name: httpPort, Port: port, TargetPort: intstr.FromString(httpPort), Protocol: corev1.ProtocolTCP,
			}},
		},
	}
}

// finish adds the kustomization listing every object file.
func (e *emitter) finish() ([]artifact.File, error) {
	sort.Slice(e.files, func(i, j int) bool { return e.files[i].Path < e.files[j].Path })
	var resources []string
	for _, f := range e.files {
		resources = append(resources, strings.TrimPrefix(f.Path, Dir+"/"))
	}
	data, err := artifact.YAML(setemit.DraftHeader+"# Apply with: kubectl apply --server-side -k out/kubernetes\n", struct {
		APIVersion string   `yaml:"apiVersion"`
		Kind       string   `yaml:"kind"`
		Resources  []string `yaml:"resources"`
	}{"kustomize.config.k8s.io/v1beta1", "Kustomization", resources})
	if err != nil {
		return nil, err
	}
	return append(e.files, artifact.File{Path: path.Join(Dir, "kustomization.yaml"), Data: data}), nil
}

// Emit is the target (artifact.Emitter): EmitFrom over the artifacts of the
// targets it needs, when the spec asks for this output.
func Emit(st *model.Stack, prior artifact.Reader, out artifact.Writer) error {
	if st.Kubernetes == nil {
		return nil
	}
	return setemit.Emit(st, prior, out, EmitFrom)
}
