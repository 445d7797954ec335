package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/stackc/stackc/compiler/model"
)

var durationType = reflect.TypeFor[model.Duration]()

// decoder fills Go values from evaluated JSON strictly: an unknown field or
// a value of the wrong type is a problem at its JSON path, and decoding goes
// on so that every problem is reported at once.
type decoder struct {
	ps *problems
	// set records the path, with list elements by index
	// (services[0].port), of every value the spec wrote, so that defaults
	// apply to what the spec left out and never to an explicit zero.
	set explicit
}

// explicit holds the index paths of the values a spec wrote.
type explicit map[string]bool

// has reports whether the spec wrote the value at the index path.
func (e explicit) has(path string) bool { return e[path] }

// decode stores v (from json.Decoder with UseNumber) into dst; path names
// the value in messages, ipath by list indexes (see decoder.set).
func (d *decoder) decode(path, ipath string, v any, dst reflect.Value) {
	if v == nil {
		return // null keeps the default
	}
	if d.set != nil {
		d.set[ipath] = true
	}
	t := dst.Type()
	if t == durationType {
		s, ok := v.(string)
		if !ok {
			d.ps.errorf(path, `write it as a string such as "300ms", "5m" or "30d"`, "want a duration, got %s", describe(v))
			return
		}
		dur, err := model.ParseDuration(s)
		if err != nil {
			hint := `use a whole number and a unit: ms, s, m, h, d, w or y`
			if whole, ok := wholeDuration(s); ok {
				hint = fmt.Sprintf("durations take whole numbers: write '%s'", whole)
			}
			d.ps.errorf(path, hint, "%v", err)
			return
		}
		dst.SetInt(int64(dur))
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		elem := reflect.New(t.Elem())
		d.decode(path, ipath, v, elem.Elem())
		dst.Set(elem)
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			d.ps.errorf(path, `put the value in quotes, e.g. "shop"`, "want a string, got %s", describe(v))
			return
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			d.ps.errorf(path, "write true or false, without quotes", "want true or false, got %s", describe(v))
			return
		}
		dst.SetBool(b)
	case reflect.Int:
		n, ok := v.(json.Number)
		if !ok {
			d.ps.errorf(path, numberHint(v, "8080"), "want a whole number, got %s", describe(v))
			return
		}
		f, err := n.Float64()
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			d.ps.errorf(path, "use a whole number such as 8080", "want a whole number, got %s", numberText(n))
			return
		}
		dst.SetInt(int64(f))
	case reflect.Float64:
		n, ok := v.(json.Number)
		if !ok {
			d.ps.errorf(path, numberHint(v, "99.9"), "want a number, got %s", describe(v))
			return
		}
		f, err := n.Float64()
		if err != nil || math.IsInf(f, 0) {
			d.ps.errorf(path, "use a number such as 99.9", "want a number, got %s", numberText(n))
			return
		}
		dst.SetFloat(f)
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			d.ps.errorf(path, "write a list in brackets, e.g. [ ... ]; one value is a list of one", "want a list, got %s", describe(v))
			return
		}
		out := reflect.MakeSlice(t, len(arr), len(arr))
		for i, e := range arr {
			d.decode(path+elemKey(e, i), fmt.Sprintf("%s[%d]", ipath, i), e, out.Index(i))
		}
		dst.Set(out)
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			d.ps.errorf(path, "write an object in braces, e.g. { severity: 'page' }", "want an object, got %s", describe(v))
			return
		}
		out := reflect.MakeMapWithSize(t, len(obj))
		for _, k := range sortedKeys(obj) {
			e := reflect.New(t.Elem()).Elem()
			d.decode(joinPath(path, k), joinPath(ipath, k), obj[k], e)
			out.SetMapIndex(reflect.ValueOf(k), e)
		}
		dst.Set(out)
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			d.ps.errorf(path, "write an object in braces, or use the stackc.libsonnet constructor for it", "want an object, got %s", describe(v))
			return
		}
		fields := jsonFields(t)
		for _, k := range sortedKeys(obj) {
			i, ok := fields[k]
			if !ok {
				if file, secret := inlineSecrets[k]; secret {
					d.ps.errorf(joinPath(path, k), "put the value in a file readable by Alertmanager and set "+file+" to its path",
						"inline secret %q: secrets are only accepted as file references", k)
					continue
				}
				d.ps.errorf(joinPath(path, k), "remove it, or use one of: "+strings.Join(fieldNames(fields), ", "), "unknown field %q", k)
				continue
			}
			d.decode(joinPath(path, k), joinPath(ipath, k), obj[k], dst.Field(i))
		}
	default:
		d.ps.errorf(path, "", "internal: cannot decode into %s", t)
	}
}

// inlineSecrets are the fields people write a secret into, with the file
// reference that replaces each.
var inlineSecrets = map[string]string{
	"authPassword": "authPasswordFile", "password": "authPasswordFile",
	"apiURL": "apiURLFile", "apiUrl": "apiURLFile", "webhookURL": "apiURLFile",
	"routingKey": "routingKeyFile", "serviceKey": "routingKeyFile", "token": "urlFile",
}

// jsonFields maps a struct's JSON field names to field indexes.
func jsonFields(t reflect.Type) map[string]int {
	fields := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fields[name] = i
	}
	return fields
}

func fieldNames(fields map[string]int) []string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// elemKey names a list element by its "name" field when it has one
// (services[shop]), and by its index otherwise (endpoints[2]).
func elemKey(e any, i int) string {
	if obj, ok := e.(map[string]any); ok {
		if name, ok := obj["name"].(string); ok && name != "" && len(name) <= maxName && !strings.ContainsAny(name, "[]") {
			return "[" + name + "]"
		}
	}
	return fmt.Sprintf("[%d]", i)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// numberHint suggests how to write a number the spec wrote as something else.
func numberHint(v any, example string) string {
	if s, ok := v.(string); ok {
		if _, err := json.Number(s).Float64(); err == nil && s != "" {
			return "write it without quotes: " + s
		}
	}
	return "use a number such as " + example
}

var fractionalDurationRE = regexp.MustCompile(`^([0-9]*\.[0-9]+)(ms|s|m|h|d|w)$`)

// wholeDuration rewrites a fractional duration such as 1.5s, which
// Prometheus durations do not accept, in the largest unit that makes it
// whole: 1500ms.
func wholeDuration(s string) (string, bool) {
	m := fractionalDurationRE.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return "", false
	}
	units := []struct {
		name string
		ms   int64
	}{{"w", 7 * 86400000}, {"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}}
	var per int64
	for _, u := range units {
		if u.name == m[2] {
			per = u.ms
		}
	}
	total := n * float64(per)
	ms := int64(math.Round(total))
	if ms <= 0 || math.Abs(total-float64(ms)) > 1e-6 {
		return "", false
	}
	for _, u := range units {
		if ms%u.ms == 0 {
			return fmt.Sprintf("%d%s", ms/u.ms, u.name), true
		}
	}
	return "", false
}

// numberText writes a number as the spec author wrote it: Jsonnet
// manifests 0.3 as 0.29999999999999999 (17 digits), which reads back as
// the same float64, printed here in its shortest form.
func numberText(n json.Number) string {
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) {
		return n.String()
	}
	return formatFloat(f)
}

// describe names a JSON value's type for an error message.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case json.Number:
		return "the number " + numberText(v)
	case bool:
		return fmt.Sprintf("%v", v)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
