package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const diffTestdata = "../../diff/testdata"

// gitRepo makes a throwaway repository on branch main in a temp dir.
func gitRepo(t *testing.T) (dir string, run func(args ...string)) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir = t.TempDir()
	run = func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=stackc", "-c", "user.email=stackc@example.invalid",
			"-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("init", "-q")
	return dir, run
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDiffAgainstMergeBase commits the base spec on main, puts the head
// spec in the working tree and runs `stackc diff` with the default base.
func TestDiffAgainstMergeBase(t *testing.T) {
	dir, git := gitRepo(t)
	spec := filepath.Join(dir, "stack.jsonnet")
	copyFile(t, filepath.Join(diffTestdata, "base.jsonnet"), spec)
	git("add", "stack.jsonnet")
	git("commit", "-q", "-m", "base")
	git("checkout", "-q", "-b", "feature")
	copyFile(t, filepath.Join(diffTestdata, "head.jsonnet"), spec)

	code, out, errOut := stackc(t, "diff", spec)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, want := range []string{
		"## stackc diff: `stack.jsonnet` at ",
		"→ the working tree",
		"- panel added: **bakery_ovens_hot**",
		"tier page-fast: threshold 7.2% → 1.44%; receivers oncall → pager",
		"+   severity=\"page\" -> pager",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not contain %q:\n%s", want, out)
		}
	}

	// Against the working tree's own commit nothing changes.
	git("commit", "-q", "-am", "head")
	code, out, errOut = stackc(t, "diff", "--base", "HEAD", spec)
	if code != exitOK || !strings.HasSuffix(out, "no changes\n") {
		t.Errorf("diff against HEAD: exit %d, output:\n%s%s", code, out, errOut)
	}
}

// TestDiffReadsImportsAtBase changes only an imported file: the base must
// be evaluated with the import as it was committed, not as it is now.
func TestDiffReadsImportsAtBase(t *testing.T) {
	dir, git := gitRepo(t)
	base, err := os.ReadFile(filepath.Join(diffTestdata, "base.jsonnet"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(base), "objective=99.5", "objective=(import 'params.libsonnet').objective", 1)
	if text == string(base) {
		t.Fatal("base.jsonnet no longer sets objective=99.5")
	}
	if err := os.WriteFile(filepath.Join(dir, "stack.jsonnet"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	params := filepath.Join(dir, "params.libsonnet")
	if err := os.WriteFile(params, []byte("{ objective: 99.5 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", ".")
	git("commit", "-q", "-m", "base")
	if err := os.WriteFile(params, []byte("{ objective: 99 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := stackc(t, "diff", "--base", "main", filepath.Join(dir, "stack.jsonnet"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "objective 99.5% → 99%") {
		t.Errorf("the import's change is not shown:\n%s", out)
	}
}

// TestDiffReadsJSONImportsAtBase: a spec may import JSON data, which must
// be read at the base commit too.
func TestDiffReadsJSONImportsAtBase(t *testing.T) {
	dir, git := gitRepo(t)
	base, err := os.ReadFile(filepath.Join(diffTestdata, "base.jsonnet"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(base), "objective=99.5", "objective=(import 'params.json').objective", 1)
	if text == string(base) {
		t.Fatal("base.jsonnet no longer sets objective=99.5")
	}
	if err := os.WriteFile(filepath.Join(dir, "stack.jsonnet"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	params := filepath.Join(dir, "params.json")
	if err := os.WriteFile(params, []byte(`{"objective": 99.5}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", ".")
	git("commit", "-q", "-m", "base")
	if err := os.WriteFile(params, []byte(`{"objective": 99}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := stackc(t, "diff", "--base", "main", filepath.Join(dir, "stack.jsonnet"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "objective 99.5% → 99%") {
		t.Errorf("the JSON import's change is not shown:\n%s", out)
	}
}

func TestDiffErrors(t *testing.T) {
	dir, git := gitRepo(t)
	spec := filepath.Join(dir, "stack.jsonnet")
	copyFile(t, filepath.Join(diffTestdata, "base.jsonnet"), spec)
	git("add", "stack.jsonnet")
	git("commit", "-q", "-m", "base")

	tests := []struct {
		name string
		args []string
		edit string // new working-tree spec text, if any
		code int
		want string
	}{
		{"unknown ref", []string{"diff", "--base", "nosuchref", spec}, "", exitUsage, `"nosuchref" is not a commit`},
		// Would otherwise reach git as an option, not a ref.
		{"ref like an option", []string{"diff", "--base=--output=" + filepath.Join(dir, "x"), spec}, "", exitUsage, "cannot start with '-'"},
		{"ref like a short option", []string{"diff", "--base", "-q", spec}, "", exitUsage, "cannot start with '-'"},
		{"two specs", []string{"diff", spec, spec}, "", exitUsage, "one spec at most"},
		{"broken working tree", []string{"diff", spec}, "local s = import 'stackc.libsonnet'; s.stack { services: 3 }", exitSpecError, "error(s) in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.edit != "" {
				if err := os.WriteFile(spec, []byte(tt.edit), 0o644); err != nil {
					t.Fatal(err)
				}
				defer copyFile(t, filepath.Join(diffTestdata, "base.jsonnet"), spec)
			}
			code, _, errOut := stackc(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant it to contain %q", code, tt.code, errOut, tt.want)
			}
		})
	}
}
