package model

import (
	"path"
	"strings"
)

// Kubernetes configures the Kubernetes target: Prometheus Operator
// resources (ServiceMonitor, PrometheusRule, AlertmanagerConfig), Grafana
// dashboards as ConfigMaps for the Grafana sidecar, and the demo apps as
// Deployments and Services, under out/kubernetes/.
type Kubernetes struct {
	// Namespace is where every object goes (a DNS-1123 label).
	Namespace string `json:"namespace"`
	// Labels go on every object. A Prometheus selects ServiceMonitors and
	// PrometheusRules by label (kube-prometheus-stack: release: <its release>).
	Labels map[string]string `json:"labels"`
	// Image is the Go demo app's container image (Go services, the inbox).
	Image string `json:"image"`
	// PythonImage is the Flask demo service's container image (Python services).
	PythonImage string `json:"pythonImage"`
	// Replicas is the number of pods of each demo app.
	Replicas int `json:"replicas"`
	// SecretName is the Secret that holds the receivers' secrets, one key
	// per secret file, named by the file's base name.
	SecretName string `json:"secretName"`
	// Resources are each demo app container's requests and limits.
	Resources Resources `json:"resources"`
}

// Resources are a container's requests and limits, as Kubernetes quantities.
type Resources struct {
	CPURequest    string `json:"cpuRequest"`
	MemoryRequest string `json:"memoryRequest"`
	CPULimit      string `json:"cpuLimit"`
	MemoryLimit   string `json:"memoryLimit"`
}

// Ruler configures the multi-tenant ruler target (Mimir, Cortex): the rule
// groups packed into the tenant's limits, in the layout `mimirtool rules
// sync` reads, and the tenant's Alertmanager configuration, under out/ruler/.
type Ruler struct {
	// Namespace is the ruler namespace the rule groups are stored in.
	Namespace string `json:"namespace"`
	// MaxRulesPerGroup is the tenant's limit of rules in one group
	// (Mimir's ruler_max_rules_per_rule_group).
	MaxRulesPerGroup int `json:"maxRulesPerGroup"`
	// MaxGroupsPerTenant is the tenant's limit of rule groups
	// (Mimir's ruler_max_rule_groups_per_tenant).
	MaxGroupsPerTenant int `json:"maxGroupsPerTenant"`
}

// SecretKey is the key of a secret file in the Kubernetes Secret (and the
// name of its placeholder in a tenant Alertmanager configuration): the
// file's base name, so `kubectl create secret generic NAME --from-file=DIR`
// on the directory of the files creates exactly these keys.
func SecretKey(file string) string { return path.Base(file) }

// SecretFiles returns a receiver's secret file references, keyed by the
// spec field that holds each.
func (r Receiver) SecretFiles() map[string]string {
	files := map[string]string{}
	for field, file := range map[string]string{
		"urlFile": r.URLFile, "authPasswordFile": r.AuthPasswordFile,
		"apiURLFile": r.APIURLFile, "routingKeyFile": r.RoutingKeyFile,
	} {
		if file != "" {
			files[field] = file
		}
	}
	return files
}

// SecretVariable is the environment variable that fills in a secret file's
// placeholder in a tenant Alertmanager configuration: STACKC_SECRET_ and
// the file's base name in upper case, every character other than a letter
// or digit an underscore.
func SecretVariable(file string) string {
	var b strings.Builder
	b.WriteString("STACKC_SECRET_")
	for _, r := range SecretKey(file) {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
