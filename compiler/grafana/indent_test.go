package grafana

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stackc/stackc/compiler/spec/spectest"
)

// referenceIndent is what Marshal wrote before indent: encoding/json's own
// indentation, then the SDK's HTML escapes undone outside escaped
// backslashes.
func referenceIndent(t testing.TB, compact []byte) []byte {
	var buf bytes.Buffer
	if err := json.Indent(&buf, compact, "", "  "); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	repl := map[string]byte{`\u003c`: '<', `\u003e`: '>', `\u0026`: '&'}
	out := make([]byte, 0, len(data))
	backslashes := 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '\\' && backslashes%2 == 0 && i+6 <= len(data) {
			if r, ok := repl[string(data[i:i+6])]; ok {
				out = append(out, r)
				i += 5
				continue
			}
		}
		if c == '\\' {
			backslashes++
		} else {
			backslashes = 0
		}
		out = append(out, c)
	}
	return out
}

func compactJSON(t testing.TB, v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestIndentMatchesEncodingJSON checks indent against json.Indent on every
// dashboard of the demo stack and on values with the edge cases.
func TestIndentMatchesEncodingJSON(t *testing.T) {
	var inputs [][]byte
	ds, err := Dashboards(spectest.Load(t, "../../stack.jsonnet", ""))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		inputs = append(inputs, compactJSON(t, d))
	}
	for _, v := range []any{
		map[string]any{},
		[]any{},
		map[string]any{"a": []any{}, "b": map[string]any{}, "c": []any{map[string]any{}, []any{1, "x"}}},
		map[string]any{"q": `a < b && c > "d" \u003c`, "k:{,}": "[,]:", "e": "\\", "n": nil, "t": true, "f": 1.5e-7},
		"top", 12,
	} {
		inputs = append(inputs, compactJSON(t, v))
	}
	// The SDK writes <, > and & escaped; a literal backslash before u003c
	// is text.
	inputs = append(inputs, []byte(`{"a":"x \u003c y \u0026\u0026 z \u003e w","b":"\\u003c","c":"\\\u003c","d":["\u0026"]}`+"\n"))
	for _, in := range inputs {
		got, want := indent(in), referenceIndent(t, in)
		if !bytes.Equal(got, want) {
			t.Errorf("indent(%.200s):\n%.400s\nwant\n%.400s", in, got, want)
		}
	}
}

func FuzzIndent(f *testing.F) {
	f.Add(`{"a":[1,{"b":"\u003c\\u003e"}],"c":{}}`)
	f.Fuzz(func(t *testing.T, s string) {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return
		}
		// Compact as the Encoder writes it, keeping the input's escapes.
		var buf bytes.Buffer
		if json.Compact(&buf, []byte(s)) != nil {
			return
		}
		buf.WriteByte('\n')
		in := buf.Bytes()
		if got, want := indent(in), referenceIndent(t, in); !bytes.Equal(got, want) {
			t.Fatalf("indent(%q) = %q, want %q", in, got, want)
		}
	})
}
