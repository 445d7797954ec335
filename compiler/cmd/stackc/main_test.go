package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stackc/stackc/compiler/build"
	"github.com/stackc/stackc/compiler/internal/testtree"
	"github.com/stackc/stackc/compiler/spec"
)

// TestMain lets the test binary serve as the spec evaluator the CLI
// starts (the CLI evaluates every spec in a limited child process).
func TestMain(m *testing.M) {
	spec.ServeEvaluator()
	os.Exit(m.Run())
}

// repoSpec is the repository's stack.jsonnet: every registered target must
// compile it, so the CLI tests use it rather than a toy spec.
const repoSpec = "../../../stack.jsonnet"

// stackc runs the CLI in-process and returns its exit code and output.
func stackc(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// specCopy copies stack.jsonnet into a temporary directory, optionally
// rewritten, and returns its path.
func specCopy(t *testing.T, dir string, edit func(string) string) string {
	t.Helper()
	src, err := os.ReadFile(repoSpec)
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	if edit != nil {
		text = edit(text)
	}
	path := filepath.Join(dir, "stack.jsonnet")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func sameTree(t *testing.T, got, want map[string]string) {
	t.Helper()
	for p, w := range want {
		g, ok := got[p]
		if !ok {
			t.Errorf("%s is missing", p)
		} else if g != w {
			t.Errorf("%s differs", p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s is new", p)
		}
	}
}

func mustBuild(t *testing.T, args ...string) {
	t.Helper()
	code, _, stderr := stackc(t, append([]string{"build"}, args...)...)
	if code != exitOK {
		t.Fatalf("stackc build %v: exit %d\n%s", args, code, stderr)
	}
}

// TestFailedBuildLeavesOutputUntouched builds once, breaks the spec, builds
// again and compares the output tree byte for byte.
func TestFailedBuildLeavesOutputUntouched(t *testing.T) {
	dir := t.TempDir()
	spec := specCopy(t, dir, nil)
	out := filepath.Join(dir, "out")
	mustBuild(t, "-o", out, spec)
	before := testtree.Read(t, out)
	if len(before) == 0 {
		t.Fatal("the first build wrote nothing")
	}
	for name, edit := range map[string]func(string) string{
		"syntax":     func(s string) string { return s + "\n}}" },
		"validation": func(s string) string { return strings.Replace(s, "objective=99.9", "objective=150", 1) },
	} {
		t.Run(name, func(t *testing.T) {
			specCopy(t, dir, edit)
			code, stdout, stderr := stackc(t, "build", "-o", out, spec)
			if code != exitSpecError {
				t.Fatalf("exit %d, want %d\n%s", code, exitSpecError, stderr)
			}
			if !strings.Contains(stderr, "nothing was written") || stdout != "" {
				t.Errorf("stdout %q, stderr %q", stdout, stderr)
			}
			sameTree(t, testtree.Read(t, out), before)
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".out") {
					t.Errorf("left a temporary directory behind: %s", e.Name())
				}
			}
		})
	}
}

// TestBuildIsDeterministic builds the same spec twice into two directories.
func TestBuildIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	mustBuild(t, "-o", a, repoSpec)
	mustBuild(t, "-o", b, repoSpec)
	sameTree(t, testtree.Read(t, b), testtree.Read(t, a))
}

// TestBuildReplacesStaleFiles: a successful build removes what it no longer writes.
func TestBuildReplacesStaleFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if err := os.MkdirAll(filepath.Join(out, "old"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{build.Marker, "old/gone.yml"} {
		if err := os.WriteFile(filepath.Join(out, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mustBuild(t, "-o", out, repoSpec)
	if _, err := os.Stat(filepath.Join(out, "old")); !os.IsNotExist(err) {
		t.Errorf("out/old survived the build: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "stack.json")); err != nil {
		t.Error(err)
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	spec := specCopy(t, dir, nil)
	out := filepath.Join(dir, "out")
	mustBuild(t, "-o", out, spec)
	if code, stdout, stderr := stackc(t, "check", "-o", out, spec); code != exitOK || !strings.Contains(stdout, "up to date") {
		t.Fatalf("fresh output: exit %d\n%s%s", code, stdout, stderr)
	}

	// Edit the spec without rebuilding, add a stray file, delete a generated one.
	specCopy(t, dir, func(s string) string { return strings.Replace(s, "objective=99.9", "objective=99.95", 1) })
	if err := os.WriteFile(filepath.Join(out, "stray.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	files := testtree.Read(t, out)
	var victim string
	for p := range files {
		if p != "stack.json" && p != "stray.txt" && (victim == "" || p < victim) {
			victim = p
		}
	}
	if victim != "" {
		if err := os.Remove(filepath.Join(out, filepath.FromSlash(victim))); err != nil {
			t.Fatal(err)
		}
	}
	before := testtree.Read(t, out)
	code, stdout, stderr := stackc(t, "check", "-o", out, spec)
	if code != exitSpecError {
		t.Fatalf("stale output: exit %d, want %d\n%s%s", code, exitSpecError, stdout, stderr)
	}
	wantLines := []string{"is stale", "\tstack.json (changed)", "\tstray.txt (no longer generated)"}
	if victim != "" {
		wantLines = append(wantLines, "\t"+victim+" (missing)")
	}
	for _, w := range wantLines {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	sameTree(t, testtree.Read(t, out), before) // check never writes

	mustBuild(t, "-o", out, spec)
	if code, _, stderr := stackc(t, "check", "-o", out, spec); code != exitOK {
		t.Fatalf("after rebuilding: exit %d\n%s", code, stderr)
	}
	// A missing output directory is stale, not an I/O error.
	if code, _, stderr := stackc(t, "check", "-o", filepath.Join(dir, "nothing"), spec); code != exitSpecError || !strings.Contains(stderr, "stack.json (missing)") {
		t.Errorf("missing output: exit %d\n%s", code, stderr)
	}
}

func TestProfiles(t *testing.T) {
	for _, tc := range []struct {
		args              []string
		profile, interval string
	}{
		{nil, "default", "15s"},
		{[]string{"--profile", "demo"}, "demo", "5s"},
		{[]string{"-profile=default"}, "default", "15s"},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			mustBuild(t, append(append([]string{"-o", out}, tc.args...), repoSpec)...)
			data, err := os.ReadFile(filepath.Join(out, "stack.json"))
			if err != nil {
				t.Fatal(err)
			}
			var st struct{ Profile, ScrapeInterval string }
			if err := json.Unmarshal(data, &st); err != nil {
				t.Fatal(err)
			}
			if st.Profile != tc.profile || st.ScrapeInterval != tc.interval {
				t.Errorf("profile %q scrape %q, want %q %q", st.Profile, st.ScrapeInterval, tc.profile, tc.interval)
			}
		})
	}
}

// TestGoProfiles: build --cpuprofile and --memprofile write Go profiles
// (gzipped protocol buffers, what go tool pprof reads; docs/performance.md).
func TestGoProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof")
	mustBuild(t, "-o", filepath.Join(dir, "out"), "--cpuprofile", cpu, "--memprofile", mem, repoSpec)
	for _, p := range []string{cpu, mem} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) < 100 || data[0] != 0x1f || data[1] != 0x8b {
			t.Errorf("%s: %d bytes, not a gzipped profile", filepath.Base(p), len(data))
		}
	}
}

// TestWarningsAreNotFatal: a burn tier that can never fire is a warning;
// the build succeeds and prints it.
func TestWarningsAreNotFatal(t *testing.T) {
	dir := t.TempDir()
	spec := specCopy(t, dir, func(s string) string { return strings.Replace(s, "objective=99.9", "objective=90", 1) })
	code, stdout, stderr := stackc(t, "build", "-o", filepath.Join(dir, "out"), spec)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "warning: ") || !strings.Contains(stderr, "page-fast can never fire") || !strings.Contains(stdout, "wrote") {
		t.Errorf("stdout %q\nstderr %q", stdout, stderr)
	}
}

func TestUsage(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"no command", nil, exitUsage, "Usage:", ""},
		{"help", []string{"--help"}, exitOK, "Usage:", ""},
		{"unknown command", []string{"bild"}, exitUsage, "", `unknown command "bild"`},
		{"build help", []string{"build", "--help"}, exitOK, "Usage: stackc build", ""},
		{"check help", []string{"check", "-h"}, exitOK, "Usage: stackc check", ""},
		{"fmt help", []string{"fmt", "--help"}, exitOK, "Usage: stackc fmt", ""},
		{"verify help", []string{"verify", "--help"}, exitOK, "Usage: stackc verify", ""},
		{"bad flag", []string{"build", "--bogus"}, exitUsage, "", "flag provided but not defined"},
		{"two specs", []string{"build", "a.jsonnet", "b.jsonnet"}, exitUsage, "", "one spec at most"},
		{"missing spec", []string{"build", "-o", filepath.Join(dir, "o"), filepath.Join(dir, "nope.jsonnet")}, exitUsage, "", "no such file"},
		{"unknown profile", []string{"build", "--profile", "prod", repoSpec}, exitUsage, "", `unknown profile "prod"`},
		{"missing fmt file", []string{"fmt", filepath.Join(dir, "nope.jsonnet")}, exitUsage, "", "no such file"},
		// Flags may follow the spec, as in `stackc build stack.jsonnet -o /tmp/x`.
		{"flags after spec", []string{"build", repoSpec, "-o", filepath.Join(dir, "late")}, exitOK, "wrote", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := stackc(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stdout %q (want %q)\nstderr %q (want %q)", stdout, tc.stdout, stderr, tc.stderr)
			}
		})
	}
}

// TestWriteErrorIsIOError: an output path that cannot be a directory is exit 2.
func TestWriteErrorIsIOError(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := stackc(t, "build", "-o", filepath.Join(blocker, "out"), repoSpec)
	if code != exitUsage || !strings.Contains(stderr, filepath.Join("file", "out")) {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	if data, _ := os.ReadFile(blocker); string(data) != "x" {
		t.Error("the blocking file changed")
	}
}

// TestRefusesForeignDirectory: -o never replaces a directory that is not
// stackc output, even one that happens to hold a stack.json.
func TestRefusesForeignDirectory(t *testing.T) {
	for _, files := range []map[string]string{
		{"notes.txt": "mine"},
		{"stack.json": `{"name": "my-app"}`, "index.js": "x"},
	} {
		dir := t.TempDir()
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		code, _, stderr := stackc(t, "build", "-o", dir, repoSpec)
		if code != exitUsage || !strings.Contains(stderr, "refusing to replace") {
			t.Errorf("%v: exit %d\n%s", files, code, stderr)
		}
		sameTree(t, testtree.Read(t, dir), files)
	}
}

func TestFmt(t *testing.T) {
	dir := t.TempDir()
	messy := filepath.Join(dir, "messy.jsonnet")
	broken := filepath.Join(dir, "broken.jsonnet")
	if err := os.WriteFile(messy, []byte("{a:1,\n  b:   [1,2]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(broken, []byte("{a:\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := stackc(t, "fmt", "--check", messy); code != exitSpecError || !strings.Contains(stderr, "is not formatted") {
		t.Errorf("--check on a messy file: exit %d\n%s", code, stderr)
	}
	if data, _ := os.ReadFile(messy); string(data) != "{a:1,\n  b:   [1,2]}\n" {
		t.Error("--check rewrote the file")
	}
	if code, stdout, stderr := stackc(t, "fmt", messy); code != exitOK || !strings.Contains(stdout, "formatted") {
		t.Errorf("fmt: exit %d\n%s%s", code, stdout, stderr)
	}
	if data, _ := os.ReadFile(messy); string(data) != "{\n  a: 1,\n  b: [1, 2],\n}\n" {
		t.Errorf("formatted text %q", data)
	}
	if code, stdout, stderr := stackc(t, "fmt", "--check", messy); code != exitOK || stdout+stderr != "" {
		t.Errorf("--check on a formatted file: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := stackc(t, "fmt", "--check", broken); code != exitSpecError || !strings.Contains(stderr, "broken.jsonnet:2:1: Unexpected end of file") {
		t.Errorf("--check on a broken file: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := stackc(t, "fmt", "--check", repoSpec, "../../spec/stackc.libsonnet"); code != exitOK {
		t.Errorf("stack.jsonnet or stackc.libsonnet is not formatted: %s", stderr)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := stackc(t, "version")
	if code != exitOK || !regexp.MustCompile(`^stackc \S+( \S+)* go1\.\d+`).MatchString(stdout) {
		t.Errorf("stackc version: exit %d, %q", code, stdout)
	}
	if code, _, stderr := stackc(t, "version", "extra"); code != exitUsage || !strings.Contains(stderr, "unexpected arguments") {
		t.Errorf("stackc version extra: exit %d, %q", code, stderr)
	}
}
