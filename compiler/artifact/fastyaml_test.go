package artifact

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
)

// trickyStrings are scalars at the edges of yaml.v3's style choices.
var trickyStrings = []string{
	"", "a", "svc0", "true", "True", "false", "yes", "Yes", "y", "N", "on", "off", "null", "~", "<<",
	"1", "-1", "+1", "1.5", ".5", "1e3", "1_000", "0x1F", "0o17", "-0o17", "0b101", "-0b101", "08", "1.2.3",
	".inf", "-.inf", ".nan", ".x", "2006-01-02", "2006-1-2 15:4:5", "2006-01-02T15:04:05Z", "1234-x",
	"12:30", "-12:30:01.5", "1:2x",
	"-", "- a", "-a", "?", "? a", "?a", ":", ": a", ":a", "a:", "a: b", "a:b", "a #b", "a#b", "#a", "a #",
	"{}", "[]", "{a}", ",", "a,b", "a, b", "&a", "*a", "!a", "|", ">", "'q'", "it's", `"q"`, `a"b`, `a\b`,
	"%a", "@a", "`a`", "---", "---x", "...", "...x", "a---", " lead", "trail ", " ", "  ",
	"multi\nline", "trailing\n", "\nleading", "a\n\nb", "a \nb", "a\n b", "a\n\n", "\n", "a\nb: c\n#d",
	"sum(rate(x{a=\"b\"}[5m]))\n/\nsum(rate(y[5m]))", "(\n    a\n  -\n    b\n)\nor\nvector(0)",
	"tab\there", "ünïcode", "ctl\x01", "del\x7f", "bad\xffutf8", "{{ $labels.service }}: {{ $value }}",
	"http://127.0.0.1:3000/d/x", "0+10x100 600+60x5", "1x29", "{}", "'{}'",
}

type inner struct {
	Name   string            `yaml:"name"`
	Opt    string            `yaml:"opt,omitempty"`
	Labels map[string]string `yaml:"labels,omitempty"`
	Values []string          `yaml:"values"`
}

type outer struct {
	Title    string             `yaml:"title"`
	Count    int                `yaml:"count"`
	Ratio    float64            `yaml:"ratio"`
	Small    float32            `yaml:"small,omitempty"`
	On       bool               `yaml:"on_"`
	Wait     time.Duration      `yaml:"wait,omitempty"`
	Interval prommodel.Duration `yaml:"interval,omitempty"`
	Ptr      *inner             `yaml:"ptr"`
	Items    []inner            `yaml:"items"`
	Empty    []inner            `yaml:"empty"`
	NoMap    map[string]int     `yaml:"no_map"`
	Any      any                `yaml:"any"`
	Anys     []any              `yaml:"anys,omitempty"`
	Nested   struct {
		Deep []map[string]string `yaml:"deep"`
	} `yaml:"nested"`
	Flow      []string `yaml:"flow,flow"`
	FlowEmpty []string `yaml:"flow_empty,omitempty,flow"`
	FlowNums  []any    `yaml:"flow_nums,flow"`
	Untagged  string
	skipped   string
}

// sample builds a value that puts s in every position the targets use.
func sample(s string) outer {
	o := outer{
		Title: s, Count: -3, Ratio: 0.999, On: true, Wait: 90 * time.Second,
		Interval: prommodel.Duration(time.Minute),
		Ptr:      &inner{Name: s, Values: []string{s, "x"}},
		Items: []inner{
			{Name: "a", Opt: s, Labels: map[string]string{"svc10": s, "svc9": "x", "a_b": s, "A": "1"}, Values: []string{}},
			{Name: s, Values: []string{s}},
		},
		NoMap:    map[string]int{},
		Any:      map[string]any{"k": s, "list": []any{s, 1, 2.5, nil, map[string]any{}}},
		Anys:     []any{s, []string{}, map[string]any{"x": s, "y": []string{s}}},
		Flow:     []string{s, "CMD", s + "x", "", "a,b", "-q"},
		FlowNums: []any{1, 2.5, "x", true},
		Untagged: s,
		skipped:  s,
	}
	o.Nested.Deep = []map[string]string{{"k": s}, {}}
	return o
}

func encodeBoth(t testing.TB, v any) (fast, slow []byte, fastErr error) {
	t.Helper()
	var fb, sb bytes.Buffer
	fastErr = fastYAML(&fb, v)
	if _, err := slowYAML(&sb, v); err != nil {
		t.Fatalf("yaml.v3: %v", err)
	}
	return fb.Bytes(), sb.Bytes(), fastErr
}

// TestFastYAMLMatchesYAMLv3 checks that the fast encoder writes what
// yaml.v3 writes, or declines.
func TestFastYAMLMatchesYAMLv3(t *testing.T) {
	fastCount := 0
	for _, s := range trickyStrings {
		values := []any{
			sample(s),
			map[string]string{"key": s},
			map[string][]string{"list": {s, s}},
			struct {
				Seq []string `yaml:"seq"`
			}{[]string{s}},
			map[string]any{"k": map[string]any{s + "k": s}},
			map[string]float64{"inf": math.Inf(1), "ninf": math.Inf(-1), "nan": math.NaN(), "big": 1e21, "tiny": 1e-7},
		}
		for _, v := range values {
			fast, slow, err := encodeBoth(t, v)
			if errors.Is(err, errSlowPath) {
				continue
			}
			if err != nil {
				t.Fatalf("%q: %v", s, err)
			}
			fastCount++
			if !bytes.Equal(fast, slow) {
				t.Errorf("string %q, value %T:\nfast:\n%s\nyaml.v3:\n%s", s, v, fast, slow)
			}
		}
	}
	if fastCount < len(trickyStrings) {
		t.Errorf("the fast encoder took only %d of the values", fastCount)
	}
}

// TestFastYAMLTakesRuleFiles checks that the files a build is made of —
// rule groups with multi-line expressions — take the fast path, which is
// the point of it.
func TestFastYAMLTakesRuleFiles(t *testing.T) {
	dur := prommodel.Duration(time.Minute)
	groups := rulefmt.RuleGroups{Groups: []rulefmt.RuleGroup{{
		Name:     "svc-slo",
		Interval: dur,
		Rules: []rulefmt.Rule{
			{Record: "slo:x:rate5m", Expr: "(\n    sum(rate(a{job=\"svc\"}[5m]))\n  -\n    sum(rate(b[5m]))\n)\nor\nvector(0)", Labels: map[string]string{"service": "svc", "slo": "svc-a"}},
			{Alert: "SvcBudgetBurn", Expr: "slo:x > 14.4", For: prommodel.Duration(2 * time.Minute), KeepFiringFor: dur,
				Labels:      map[string]string{"severity": "page"},
				Annotations: map[string]string{"summary": "svc: burning {{ $value }}", "description": "it's fast"}},
		},
	}}}
	fast, slow, err := encodeBoth(t, groups)
	if err != nil {
		t.Fatalf("rule groups took the slow path: %v", err)
	}
	if !bytes.Equal(fast, slow) {
		t.Errorf("fast:\n%s\nyaml.v3:\n%s", fast, slow)
	}
}

// TestYAMLFallsBack checks that values the fast encoder declines are
// still written, by yaml.v3.
func TestYAMLFallsBack(t *testing.T) {
	for _, v := range []any{
		map[int]string{1: "a"},
		struct {
			F [][]string `yaml:"f,flow"`
		}{[][]string{{"a"}}},
		map[string]string{"k": "ünïcode"},
		map[string]string{"k": "a\n"},
		[]string{"top-level list"},
		struct{}{},
	} {
		var fb bytes.Buffer
		if err := fastYAML(&fb, v); !errors.Is(err, errSlowPath) {
			t.Errorf("%#v: fast path took it (%v):\n%s", v, err, fb.Bytes())
		}
		got, err := YAML("# h\n", v)
		if err != nil {
			t.Fatal(err)
		}
		var sb bytes.Buffer
		sb.WriteString("# h\n")
		want, _ := slowYAML(&sb, v)
		if !bytes.Equal(got, want) {
			t.Errorf("%#v: got\n%s\nwant\n%s", v, got, want)
		}
	}
}

// FuzzFastYAML compares the encoders on arbitrary strings in every
// position.
func FuzzFastYAML(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s, "k")
	}
	f.Fuzz(func(t *testing.T, s, key string) {
		for _, v := range []any{sample(s), map[string]string{key: s}, map[string]any{key: []any{s, map[string]string{key: s}}}} {
			fast, slow, err := encodeBoth(t, v)
			if errors.Is(err, errSlowPath) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fast, slow) {
				t.Fatalf("s=%q key=%q:\nfast:\n%s\nyaml.v3:\n%s", s, key, fast, slow)
			}
		}
	})
}
