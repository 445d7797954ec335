package spec

import (
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/slo"
)

// Defaults of the kubernetes and ruler sections (README: docs/kubernetes.md).
const (
	DefaultKubernetesImage       = slo.DemoAppImage
	DefaultKubernetesPythonImage = slo.FlaskAppImage
	DefaultKubernetesSecretName  = "stackc-alertmanager-secrets"
	// Mimir's defaults: ruler_max_rules_per_rule_group and
	// ruler_max_rule_groups_per_tenant.
	DefaultRulerMaxRulesPerGroup   = 20
	DefaultRulerMaxGroupsPerTenant = 70
)

// DefaultKubernetesResources are the demo app container's requests and limits.
var DefaultKubernetesResources = model.Resources{CPURequest: "50m", MemoryRequest: "32Mi", CPULimit: "500m", MemoryLimit: "128Mi"}

// KubernetesOwnedLabels are the object labels the Kubernetes target sets
// itself; kubernetes.labels may not override them.
var KubernetesOwnedLabels = []string{"app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by", "app.kubernetes.io/component", "grafana_dashboard"}

// operatorTargetLabels are the labels the Prometheus Operator puts on every
// target of a ServiceMonitor. A metric label of the same name would be
// renamed to exported_<name> on scrape. (endpoint is dropped again by the
// generated ServiceMonitor, and service is the stack's own label.)
var operatorTargetLabels = []string{"namespace", "pod", "container"}

// applyScaleDefaults fills in the kubernetes and ruler sections; a value
// the spec wrote, even a zero or empty one, is kept (and validated).
func applyScaleDefaults(st *model.Stack, set explicit) {
	unset := func(path string) bool { return !set.has(path) }
	if k := st.Kubernetes; k != nil {
		for _, f := range []struct {
			path string
			s    *string
			def  string
		}{
			{"kubernetes.image", &k.Image, DefaultKubernetesImage},
			{"kubernetes.pythonImage", &k.PythonImage, DefaultKubernetesPythonImage},
			{"kubernetes.secretName", &k.SecretName, DefaultKubernetesSecretName},
			{"kubernetes.resources.cpuRequest", &k.Resources.CPURequest, DefaultKubernetesResources.CPURequest},
			{"kubernetes.resources.memoryRequest", &k.Resources.MemoryRequest, DefaultKubernetesResources.MemoryRequest},
			{"kubernetes.resources.cpuLimit", &k.Resources.CPULimit, DefaultKubernetesResources.CPULimit},
			{"kubernetes.resources.memoryLimit", &k.Resources.MemoryLimit, DefaultKubernetesResources.MemoryLimit},
		} {
			if unset(f.path) {
				setString(f.s, f.def)
			}
		}
		if unset("kubernetes.replicas") {
			setInt(&k.Replicas, 1)
		}
		if k.Labels == nil {
			k.Labels = map[string]string{}
		}
	}
	if r := st.Ruler; r != nil {
		if unset("ruler.maxRulesPerGroup") {
			setInt(&r.MaxRulesPerGroup, DefaultRulerMaxRulesPerGroup)
		}
		if unset("ruler.maxGroupsPerTenant") {
			setInt(&r.MaxGroupsPerTenant, DefaultRulerMaxGroupsPerTenant)
		}
	}
}

// validateScale checks the kubernetes and ruler sections and what they need
// of the rest of the spec: names Kubernetes accepts, secret file names that
// can be Secret keys.
func validateScale(st *model.Stack, ps *problems) {
	if r := st.Ruler; r != nil {
		if r.MaxRulesPerGroup < 1 {
			ps.errorf("ruler.maxRulesPerGroup", "use the tenant's ruler_max_rules_per_rule_group, e.g. 20", "maxRulesPerGroup %d is not positive", r.MaxRulesPerGroup)
		}
		if r.MaxGroupsPerTenant < 1 {
			ps.errorf("ruler.maxGroupsPerTenant", "use the tenant's ruler_max_rule_groups_per_tenant, e.g. 70", "maxGroupsPerTenant %d is not positive", r.MaxGroupsPerTenant)
		}
	}
	if st.Ruler != nil || st.Kubernetes != nil {
		validateSecretKeys(st, ps)
	}
	k := st.Kubernetes
	if k == nil {
		return
	}
	if k.Namespace == "" {
		ps.errorf("kubernetes.namespace", "name the namespace the objects go to, e.g. namespace: 'shop'", "the kubernetes section has no namespace")
	} else if errs := validation.IsDNS1123Label(k.Namespace); len(errs) > 0 {
		ps.errorf("kubernetes.namespace", "use at most 63 lower case letters, digits and dashes, starting and ending with a letter or digit",
			"namespace %q is not a valid Kubernetes namespace: %s", k.Namespace, strings.Join(errs, "; "))
	}
	if errs := validation.IsDNS1123Subdomain(k.SecretName); len(errs) > 0 {
		ps.errorf("kubernetes.secretName", "use lower case letters, digits, '-' and '.', e.g. 'stackc-alertmanager-secrets'",
			"secret name %q is not a valid Kubernetes name: %s", k.SecretName, strings.Join(errs, "; "))
	}
	for _, img := range []struct{ path, image, example string }{
		{"kubernetes.image", k.Image, "registry.example.com/stackc-demoapp:1.0"},
		{"kubernetes.pythonImage", k.PythonImage, "registry.example.com/stackc-flaskapp:1.0"},
	} {
		if img.image == "" || strings.ContainsAny(img.image, " \t\r\n") {
			ps.errorf(img.path, "name a container image, e.g. '"+img.example+"'", "image %q is not a container image reference", img.image)
		}
	}
	if k.Replicas < 1 {
		ps.errorf("kubernetes.replicas", "run at least one pod per demo app", "replicas %d is not positive", k.Replicas)
	}
	for _, key := range sortedStringKeys(k.Labels) {
		path := "kubernetes.labels." + key
		if contains(KubernetesOwnedLabels, key) {
			ps.errorf(path, "drop it; the target sets "+strings.Join(KubernetesOwnedLabels, ", ")+" itself", "label %q is set by the Kubernetes target", key)
			continue
		}
		if errs := validation.IsQualifiedName(key); len(errs) > 0 {
			ps.errorf(path, "use a Kubernetes label key such as release or example.com/team", "label key %q is not valid: %s", key, strings.Join(errs, "; "))
		}
		if errs := validation.IsValidLabelValue(k.Labels[key]); len(errs) > 0 {
			ps.errorf(path, "use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
				"label value %q is not valid: %s", k.Labels[key], strings.Join(errs, "; "))
		}
	}
	validateResources(k.Resources, ps)
	for i, svc := range st.Services {
		path := "services" + keyOrIndex(svc.Name, i)
		// The Service object is named after the service; so is the job
		// label the operator gives its targets, which the rules select.
		if svc.Name != "" && nameRE.MatchString(svc.Name) {
			if errs := validation.IsDNS1035Label(svc.Name); len(errs) > 0 {
				ps.errorf(path+".name", "use at most 63 characters and end the name with a letter or digit, e.g. shop",
					"service name %q cannot name a Kubernetes Service: %s", svc.Name, strings.Join(errs, "; "))
			}
		}
		for j, m := range svc.Metrics {
			for _, l := range m.Labels {
				if contains(operatorTargetLabels, l.Name) {
					ps.errorf(fmt.Sprintf("%s.metrics%s.labels", path, keyOrIndex(m.Name, j)), "rename the label, e.g. to app_"+l.Name,
						"label %q collides with the %q label the Prometheus Operator puts on every target; it would be scraped as exported_%s", l.Name, l.Name, l.Name)
				}
			}
		}
	}
	for _, r := range st.Alerting.Receivers {
		if r.Type != model.Webhook || r.URL == "" {
			continue
		}
		if u, err := url.Parse(r.URL); err == nil && !InboxURL(st, u) && localHost(u.Hostname()) {
			ps.warnf("alerting.receivers."+r.Name+".url", "use urlFile with a URL the cluster can reach, or the demo inbox on port "+strconv.Itoa(st.Network.InboxPort),
				"webhook URL %s of %q stays on the Alertmanager's own host; from inside the cluster it reaches nothing", r.URL, r.Name)
		}
	}
}

// InboxURL reports whether u is the demo inbox: a loopback address (or the
// bind address, or the host inbox) on the inbox port. The Kubernetes target
// sends such webhooks to its inbox Service instead.
func InboxURL(st *model.Stack, u *url.URL) bool {
	host, port := u.Hostname(), u.Port()
	if port != strconv.Itoa(st.Network.InboxPort) {
		return false
	}
	if host == "inbox" || host == st.Network.BindAddress || strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func validateResources(r model.Resources, ps *problems) {
	parse := func(field, value, example string) *resource.Quantity {
		q, err := resource.ParseQuantity(value)
		if err != nil {
			ps.errorf("kubernetes.resources."+field, "write a Kubernetes quantity, e.g. '"+example+"'", "%q is not a quantity: %v", value, err)
			return nil
		}
		return &q
	}
	pairs := []struct{ req, lim, reqField, limField, example string }{
		{r.CPURequest, r.CPULimit, "cpuRequest", "cpuLimit", "100m"},
		{r.MemoryRequest, r.MemoryLimit, "memoryRequest", "memoryLimit", "64Mi"},
	}
	for _, p := range pairs {
		req, lim := parse(p.reqField, p.req, p.example), parse(p.limField, p.lim, p.example)
		if req != nil && lim != nil && req.Cmp(*lim) > 0 {
			ps.errorf("kubernetes.resources."+p.reqField, "request at most the limit "+p.lim, "%s %s is above %s %s", p.reqField, p.req, p.limField, p.lim)
		}
	}
}

// validateSecretKeys checks that every secret file can be a key of the
// Kubernetes Secret and of the tenant Alertmanager's placeholders: its base
// name must be a valid key, and two different files may not share one.
func validateSecretKeys(st *model.Stack, ps *problems) {
	seen, vars := map[string]string{}, map[string]string{}
	for _, r := range st.Alerting.Receivers {
		files := r.SecretFiles()
		fields := make([]string, 0, len(files))
		for f := range files {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, field := range fields {
			file := files[field]
			path := "alerting.receivers." + r.Name + "." + field
			key := model.SecretKey(file)
			if errs := validation.IsConfigMapKey(key); len(errs) > 0 {
				ps.errorf(path, "name the file with letters, digits, '-', '_' and '.', e.g. '/etc/alertmanager/secrets/"+r.Name+"'",
					"file name %q cannot be a key of the Kubernetes Secret: %s", key, strings.Join(errs, "; "))
				continue
			}
			if other, ok := seen[key]; ok && other != file {
				ps.errorf(path, "give every secret file its own base name",
					"secret files %s and %s share the base name %q, the key of both in the Kubernetes Secret", other, file, key)
				continue
			}
			seen[key] = file
			if v := model.SecretVariable(file); st.Ruler != nil {
				if other, ok := vars[v]; ok && other != file {
					ps.errorf(path, "give the secret files base names that differ in more than case and punctuation",
						"secret files %s and %s would both be filled in from $%s in the tenant Alertmanager configuration", other, file, v)
				}
				vars[v] = file
			}
		}
	}
}

// PathError is a spec problem found by a target: the value at path (a JSON
// path such as "ruler.maxGroupsPerTenant") cannot be built. The build
// locates it in the spec like a validation error.
func PathError(path, hint, format string, args ...any) *Error {
	return &Error{Problems: []Problem{{Path: path, Message: fmt.Sprintf(format, args...), Hint: hint}}}
}

// Locate finds the position of every problem that has none in the spec
// file whose text is src, and sorts the problems.
func (e *Error) Locate(file string, src []byte) {
	loc := newLocator(file, src)
	for i := range e.Problems {
		if e.Problems[i].Pos == "" {
			e.Problems[i].Pos = loc.find(e.Problems[i].Path)
		}
	}
	sortProblems(e.Problems)
}
