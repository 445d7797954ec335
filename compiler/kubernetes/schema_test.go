package kubernetes_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
)

// The schemas every object is validated against come from Go modules, so
// `go mod download` fetches them from the module proxy on a fresh machine:
// the Prometheus Operator's CRDs from its main module, and the Kubernetes
// API's OpenAPI v3 documents from k8s.io/kubernetes (the release matching
// the k8s.io/api module the target builds its objects with).
const (
	operatorModule    = "github.com/prometheus-operator/prometheus-operator"
	operatorVersion   = "v0.93.0"
	crdDir            = "example/prometheus-operator-crd-full"
	kubernetesModule  = "k8s.io/kubernetes"
	kubernetesVersion = "v1.37.2"
	openAPIDir        = "api/openapi-spec/v3"
)

// moduleDir downloads module@version into the module cache (a no-op when it
// is there) and returns its directory.
func moduleDir(t testing.TB, module, version string) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", module+"@"+version)
	cmd.Dir = t.TempDir() // outside this module: go.mod stays untouched
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download %s@%s: %v\n%s%s", module, version, err, out, stderr.String())
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil || info.Error != "" || info.Dir == "" {
		t.Fatalf("go mod download %s@%s: %v %s", module, version, err, info.Error)
	}
	return info.Dir
}

// Validator checks Kubernetes objects offline: the fields against the
// real schemas (the CRDs' openAPIV3Schema, the API's OpenAPI documents),
// strictly like `kubectl apply` (an unknown field is an error), and the
// object's metadata with the API server's own name and label validation.
type Validator struct {
	schemas map[string]*jsonschema.Schema // by "apiVersion/kind"
}

var (
	validatorOnce sync.Once
	validator     *Validator
	validatorErr  error
)

// schemaValidator builds the validator once per test binary.
func schemaValidator(t testing.TB) *Validator {
	t.Helper()
	validatorOnce.Do(func() {
		validator, validatorErr = newValidator(moduleDir(t, operatorModule, operatorVersion), moduleDir(t, kubernetesModule, kubernetesVersion))
	})
	if validatorErr != nil {
		t.Fatal(validatorErr)
	}
	return validator
}

// coreKinds are the built-in kinds the target writes: the OpenAPI document
// and schema name of each.
var coreKinds = map[string][2]string{
	"v1/Namespace":       {"api__v1_openapi.json", "io.k8s.api.core.v1.Namespace"},
	"v1/Service":         {"api__v1_openapi.json", "io.k8s.api.core.v1.Service"},
	"v1/ConfigMap":       {"api__v1_openapi.json", "io.k8s.api.core.v1.ConfigMap"},
	"v1/Secret":          {"api__v1_openapi.json", "io.k8s.api.core.v1.Secret"},
	"apps/v1/Deployment": {"apis__apps__v1_openapi.json", "io.k8s.api.apps.v1.Deployment"},
}

func newValidator(operatorDir, kubernetesDir string) (*Validator, error) {
	c := jsonschema.NewCompiler()
	// OpenAPI 3.0 schemas are close to draft 4 (boolean exclusiveMaximum).
	c.DefaultDraft(jsonschema.Draft4)
	v := &Validator{schemas: map[string]*jsonschema.Schema{}}
	urls := map[string]string{}

	crds, err := filepath.Glob(filepath.Join(operatorDir, crdDir, "*.yaml"))
	if err != nil || len(crds) == 0 {
		return nil, fmt.Errorf("no CRDs under %s: %v", filepath.Join(operatorDir, crdDir), err)
	}
	for _, file := range crds {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var crd struct {
			Spec struct {
				Group    string
				Names    struct{ Kind string }
				Versions []struct {
					Name   string
					Schema struct {
						OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
					}
				}
			}
		}
		if err := yaml.Unmarshal(data, &crd); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for _, ver := range crd.Spec.Versions {
			key := crd.Spec.Group + "/" + ver.Name + "/" + crd.Spec.Names.Kind
			url := "mem://crd/" + strings.ReplaceAll(key, "/", "_") + ".json"
			if err := c.AddResource(url, strict(toSchemaDoc(ver.Schema.OpenAPIV3Schema))); err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			urls[key] = url
		}
	}
	docs := map[string]bool{}
	for key, ref := range coreKinds {
		url := "mem://openapi/" + ref[0]
		if !docs[ref[0]] {
			data, err := os.ReadFile(filepath.Join(kubernetesDir, openAPIDir, ref[0]))
			if err != nil {
				return nil, err
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", ref[0], err)
			}
			if err := c.AddResource(url, strict(doc)); err != nil {
				return nil, fmt.Errorf("%s: %w", ref[0], err)
			}
			docs[ref[0]] = true
		}
		urls[key] = url + "#/components/schemas/" + ref[1]
	}
	for key, url := range urls {
		s, err := c.Compile(url)
		if err != nil {
			return nil, fmt.Errorf("compiling the schema of %s: %w", key, err)
		}
		v.schemas[key] = s
	}
	return v, nil
}

// toSchemaDoc converts a decoded YAML value into the number representation
// the schema library expects.
func toSchemaDoc(v map[string]any) any {
	data, _ := json.Marshal(v)
	doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	return doc
}

// strict rewrites OpenAPI schemas the way kubectl's strict field validation
// reads them: an object schema with properties admits no other field
// (unless it preserves unknown fields), nullable admits null, and
// int-or-string admits both.
func strict(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			v[k] = strict(c)
		}
		_, props := v["properties"].(map[string]any)
		_, addl := v["additionalProperties"]
		if props && !addl && v["x-kubernetes-preserve-unknown-fields"] != true {
			v["additionalProperties"] = false
		}
		if v["nullable"] == true {
			if t, ok := v["type"].(string); ok {
				v["type"] = []any{t, "null"}
			}
		}
		if v["x-kubernetes-int-or-string"] == true || v["format"] == "int-or-string" {
			delete(v, "type")
			delete(v, "format")
		}
		return v
	case []any:
		for i, c := range v {
			v[i] = strict(c)
		}
	}
	return v
}

// Validate checks one object given as YAML; the error lists every problem.
func (v *Validator) Validate(data []byte) error {
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return err
	}
	var head struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Metadata   metav1.ObjectMeta `json:"metadata"`
		Data       map[string]string `json:"data"`
	}
	if err := json.Unmarshal(js, &head); err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	key := head.APIVersion + "/" + head.Kind
	s, ok := v.schemas[key]
	if !ok {
		return fmt.Errorf("no schema for %s", key)
	}
	var problems []string
	if err := s.Validate(inst); err != nil {
		problems = append(problems, err.Error())
	}
	// The API server's checks of names, namespaces and labels.
	nameFn := apivalidation.NameIsDNSSubdomain
	switch key {
	case "v1/Namespace":
		nameFn = apivalidation.NameIsDNSLabel
	case "v1/Service":
		nameFn = apivalidation.NameIsDNS1035Label
	}
	for _, e := range apivalidation.ValidateObjectMeta(&head.Metadata, key != "v1/Namespace", nameFn, field.NewPath("metadata")) {
		problems = append(problems, e.Error())
	}
	if key == "v1/ConfigMap" {
		for k := range head.Data {
			for _, msg := range validation.IsConfigMapKey(k) {
				problems = append(problems, fmt.Sprintf("data[%s]: %s", k, msg))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s %s: %s", key, head.Metadata.Name, strings.Join(problems, "\n"))
	}
	return nil
}
