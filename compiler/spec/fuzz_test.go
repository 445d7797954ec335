package spec

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// seedSpecs are the repository's spec and the bad corpus.
func seedSpecs(f *testing.F) [][]byte {
	f.Helper()
	files, err := filepath.Glob("testdata/bad/*.jsonnet")
	if err != nil {
		f.Fatal(err)
	}
	files = append(files, repoSpec)
	var out [][]byte
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, src)
	}
	return append(out, []byte(minimal))
}

// expensive matches inputs that can legitimately take unbounded time or
// memory in any Jsonnet evaluator (huge ranges, deep string repetition);
// they say nothing about stackc's own robustness.
var expensive = regexp.MustCompile(`[0-9]{4,}|[0-9][eE][0-9]|std\.(range|repeat|makeArray|makeArr)|%[0-9*]`)

// checkResult fails on what must never happen for any input: a panic
// (which fails the fuzz run by itself), go-jsonnet reporting an internal
// crash, or a result that is neither a stack nor a located spec error.
func checkResult(t *testing.T, res *Result, err error) {
	t.Helper()
	if err == nil {
		if res == nil || res.Stack == nil {
			t.Fatal("no error and no stack")
		}
		return
	}
	if strings.Contains(err.Error(), "(CRASH)") {
		t.Fatalf("go-jsonnet crashed: %v", err)
	}
	var specErr *Error
	if errors.As(err, &specErr) {
		if len(specErr.Problems) == 0 {
			t.Fatal("a spec error without problems")
		}
		for _, p := range specErr.Problems {
			if p.Message == "" {
				t.Fatalf("a problem without a message: %+v", p)
			}
		}
	}
}

// FuzzLoad evaluates arbitrary Jsonnet text as a spec.
func FuzzLoad(f *testing.F) {
	for _, src := range seedSpecs(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 8192 || expensive.Match(src) {
			t.Skip()
		}
		res, err := Load("fuzz.jsonnet", src, Options{Profile: "demo"})
		checkResult(t, res, err)
	})
}

// FuzzDecode validates arbitrary JSON values as evaluated specs, with the
// text itself as the source to locate problems in (JSON is Jsonnet).
func FuzzDecode(f *testing.F) {
	for _, src := range seedSpecs(f) {
		if out, err := evaluate("seed.jsonnet", src, Options{Profile: "default"}); err == nil {
			f.Add(out)
		}
	}
	for _, s := range []string{`{}`, `[]`, `null`, `{"services":[null]}`, `{"services":[{"slos":[{"objective":1e999}]}]}`,
		`{"alerting":{"receivers":{"a":{"type":"email"}},"routes":[{"match":{"severity":"page"},"receiver":"a"}]}}`,
		`{"services":[{"name":"a[b]","endpoints":[{"name":"x.y"}],"metrics":[{"labels":[{"name":"a","values":[""]}]}]}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			t.Skip()
		}
		res, err := Decode("fuzz.json", data, data, Options{})
		checkResult(t, res, err)
		if err == nil {
			// A valid stack must marshal: out/stack.json is written from it.
			if _, err := json.Marshal(res.Stack); err != nil {
				t.Fatalf("a valid stack does not marshal: %v", err)
			}
		}
	})
}
