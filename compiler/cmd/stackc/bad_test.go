package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/internal/golden"
)

const badDir = "../../spec/testdata/bad"

// expectation is what a bad spec's header comments promise:
//
//	// exit: 1                          the exit code of `stackc build` (0 for
//	                                    a spec with warnings only)
//	// errors: 2                        how many errors are reported (optional)
//	// want: PREFIX ~ word ~ word       a problem whose first line starts with
//	                                    PREFIX ("file:line:col: path:" or
//	                                    "warning: ...") and whose text, fix
//	                                    hint included, holds every word
//
// The errors a spec wants must appear in the order written, which is the
// order of their positions, so the corpus also checks the sorting.
type expectation struct {
	exit   int
	errors int
	wants  []want
}

type want struct {
	prefix string
	words  []string
}

func parseExpectation(t *testing.T, src string) expectation {
	t.Helper()
	exp := expectation{exit: -1, errors: -1}
	for _, line := range strings.Split(src, "\n") {
		rest, ok := strings.CutPrefix(line, "// ")
		if !ok {
			continue
		}
		key, value, ok := strings.Cut(rest, ": ")
		if !ok {
			continue
		}
		switch key {
		case "exit", "errors":
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil {
				t.Fatalf("bad header %q: %v", line, err)
			}
			if key == "exit" {
				exp.exit = n
			} else {
				exp.errors = n
			}
		case "want":
			parts := strings.Split(value, " ~ ")
			w := want{prefix: strings.TrimSpace(parts[0])}
			for _, p := range parts[1:] {
				w.words = append(w.words, strings.TrimSpace(p))
			}
			exp.wants = append(exp.wants, w)
		}
	}
	if exp.exit < 0 || len(exp.wants) == 0 {
		t.Fatalf("the spec's header needs `// exit: N` and at least one `// want: ...`")
	}
	return exp
}

// problems splits stderr into reported problems: a first line and its
// indented fix line.
func problems(stderr string) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimRight(stderr, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "\t") && len(out) > 0:
			out[len(out)-1] += "\n" + line
		case strings.HasPrefix(line, "stackc: "):
			// the summary line
		default:
			out = append(out, line)
		}
	}
	return out
}

// TestBadSpecs runs every spec of the bad corpus through the CLI and checks
// the exit code, each promised problem's location and words, that nothing
// was written, and the complete stderr against its golden file.
func TestBadSpecs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(badDir, "*.jsonnet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 25 {
		t.Fatalf("the bad spec corpus has %d specs, want at least 25", len(files))
	}
	abs, err := filepath.Abs(badDir)
	if err != nil {
		t.Fatal(err)
	}
	// Run from the corpus directory so that messages name the file as a
	// user would see it: bad.jsonnet:12:7.
	t.Chdir(abs)
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".jsonnet"), func(t *testing.T) {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			exp := parseExpectation(t, string(src))
			outDir := filepath.Join(t.TempDir(), "out")
			var stdout, stderr bytes.Buffer
			code := run([]string{"build", "-o", outDir, name}, &stdout, &stderr)
			if code != exp.exit {
				t.Errorf("exit code %d, want %d\nstderr:\n%s", code, exp.exit, stderr.String())
			}
			// A spec with warnings only builds; every other one writes nothing.
			if _, err := os.Stat(outDir); exp.exit != exitOK && !os.IsNotExist(err) {
				t.Errorf("a failed build created %s", outDir)
			}
			if stdout.Len() != 0 && exp.exit != exitOK {
				t.Errorf("stdout is not empty: %s", stdout.String())
			}
			if exp.errors >= 0 {
				summary := "stackc: " + strconv.Itoa(exp.errors) + " error(s) in " + name
				if !strings.Contains(stderr.String(), summary) {
					t.Errorf("stderr lacks %q:\n%s", summary, stderr.String())
				}
			}
			checkWants(t, exp.wants, problems(stderr.String()), stderr.String())
			golden.Compare(t, strings.TrimSuffix(name, ".jsonnet")+".stderr", stderr.Bytes())
		})
	}
}

func checkWants(t *testing.T, wants []want, got []string, stderr string) {
	t.Helper()
	next := 0 // errors must be found in order; warnings anywhere
	for _, w := range wants {
		warning := strings.HasPrefix(w.prefix, "warning:")
		start := next
		if warning {
			start = 0
		}
		found := -1
		for i := start; i < len(got); i++ {
			if strings.HasPrefix(got[i], w.prefix) && containsAll(got[i], w.words) {
				found = i
				break
			}
		}
		if found < 0 {
			t.Errorf("no problem (after the ones already matched) starts with %q and contains %q\nstderr:\n%s", w.prefix, w.words, stderr)
			continue
		}
		if !warning {
			next = found + 1
		}
	}
}

func containsAll(text string, words []string) bool {
	lower := strings.ToLower(text)
	for _, w := range words {
		if !strings.Contains(lower, strings.ToLower(w)) {
			return false
		}
	}
	return true
}
