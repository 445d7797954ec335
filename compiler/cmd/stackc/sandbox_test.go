//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// smallSpec is a valid spec whose SLO objective comes from expr, so a test
// can make the evaluation read a file, loop or allocate.
func smallSpec(expr string) string {
	return `local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('GET', '/a', name='get_a')],
      slos: [s.availability('a-availability', 'get_a', ` + expr + `)],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
`
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestImportsAreConfined: a spec reads imports only from its own
// directory tree and from directories allowed with --jpath; links out of
// the tree do not count as inside it.
func TestImportsAreConfined(t *testing.T) {
	cases := []struct {
		name, expr string
		jpath      bool
		want       string // "" for a successful build
	}{
		{"sibling", `(import 'params.libsonnet').objective`, false, ""},
		{"subdirectory", `(import 'lib/params.libsonnet').objective`, false, ""},
		{"parent", `(import '../shared/params.libsonnet').objective`, false, "outside the spec's directory tree"},
		{"absolute", `99 + std.length(importstr '/etc/hostname') * 0`, false, "outside the spec's directory tree"},
		{"link out of the tree", `(import 'linked.libsonnet').objective`, false, "a link to a file outside the spec's directory tree"},
		{"parent allowed by --jpath", `(import '../shared/params.libsonnet').objective`, true, ""},
		{"searched in --jpath", `(import 'params-shared.libsonnet').objective`, true, ""},
		{"fifo", `99 + std.length(importstr 'fifo') * 0`, false, "fifo is not a regular file"},
		{"link to a device", `99 + std.length(importstr '/dev/zero') * 0`, true, "outside the spec's directory tree"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			specDir := filepath.Join(dir, "spec")
			shared := filepath.Join(dir, "shared")
			writeFile(t, filepath.Join(specDir, "stack.jsonnet"), smallSpec(c.expr))
			writeFile(t, filepath.Join(specDir, "params.libsonnet"), "{ objective: 99 }\n")
			writeFile(t, filepath.Join(specDir, "lib", "params.libsonnet"), "{ objective: 99 }\n")
			writeFile(t, filepath.Join(shared, "params.libsonnet"), "{ objective: 99 }\n")
			writeFile(t, filepath.Join(shared, "params-shared.libsonnet"), "{ objective: 99 }\n")
			if err := os.Symlink(filepath.Join(shared, "params.libsonnet"), filepath.Join(specDir, "linked.libsonnet")); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(filepath.Join(specDir, "fifo"), 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"build", "-o", filepath.Join(dir, "out")}
			if c.jpath {
				args = append(args, "--jpath", shared)
			}
			code, _, stderr := stackc(t, append(args, filepath.Join(specDir, "stack.jsonnet"))...)
			if c.want == "" {
				if code != exitOK {
					t.Errorf("exit %d\n%s", code, stderr)
				}
				return
			}
			if code != exitSpecError || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, "stack.jsonnet:7:") {
				t.Errorf("exit %d, want %d and a located %q\n%s", code, exitSpecError, c.want, stderr)
			}
			if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
				t.Error("a refused spec wrote output")
			}
		})
	}
}

// TestEvaluationLimits: a spec that loops or allocates without end is
// stopped with a clear error instead of hanging or exhausting memory.
func TestEvaluationLimits(t *testing.T) {
	cases := []struct {
		name, expr string
		flags      []string
		want       string
	}{
		{"endless tail calls", `(local spin(n) = spin(n + 1) tailstrict; spin(0))`,
			[]string{"--eval-timeout", "2s"}, "did not finish within the time limit of 2s"},
		{"endless allocation", `99 + std.length(std.makeArray(100000000, function(i) [i])) * 0`,
			[]string{"--eval-memory", "64"}, "more than the memory limit of 64 MiB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			spec := filepath.Join(dir, "stack.jsonnet")
			writeFile(t, spec, smallSpec(c.expr))
			args := append(append([]string{"build", "-o", filepath.Join(dir, "out")}, c.flags...), spec)
			code, _, stderr := stackc(t, args...)
			if code != exitSpecError || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, want %d and %q\n%s", code, exitSpecError, c.want, stderr)
			}
		})
	}
}

// TestDiffNeverWritesTheBaseTree: a base commit whose tree holds a path
// with "..", which git accepts from a fetched branch, must not make
// `stackc diff` write outside anything: the base is read from git's
// object store and nothing is written.
func TestDiffNeverWritesTheBaseTree(t *testing.T) {
	dir, gitRun := gitRepo(t)
	spec := filepath.Join(dir, "stack.jsonnet")
	copyFile(t, filepath.Join(diffTestdata, "base.jsonnet"), spec)
	gitRun("add", "stack.jsonnet")
	gitRun("commit", "-q", "-m", "base")
	out := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		data, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(data))
	}
	hostile := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args[1:]...)
		cmd.Dir = dir
		cmd.Stdin = strings.NewReader(args[0])
		data, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args[1:], err)
		}
		return strings.TrimSpace(string(data))
	}
	blob := hostile("{ escaped: true }\n", "hash-object", "-w", "--stdin")
	inner := hostile("100644 blob "+blob+"\tescaped.jsonnet\n", "mktree")
	specBlob := out("rev-parse", "HEAD:stack.jsonnet")
	tree := hostile("040000 tree "+inner+"\t..\n100644 blob "+specBlob+"\tstack.jsonnet\n", "mktree")
	commit := hostile("hostile\n", "-c", "user.name=x", "-c", "user.email=x@example.invalid", "commit-tree", tree)

	tmp := filepath.Join(t.TempDir(), "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)
	code, _, stderr := stackc(t, "diff", "--base", commit, spec)
	if code != exitOK {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	for _, d := range []string{filepath.Dir(tmp), tmp, filepath.Dir(dir), dir} {
		if _, err := os.Stat(filepath.Join(d, "escaped.jsonnet")); err == nil {
			t.Errorf("diff wrote the base tree's ../escaped.jsonnet into %s", d)
		}
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("diff left files in the temp dir: %v", entries)
	}
}
