package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/stackc/stackc/compiler/diff"
	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/spec"
)

// mainBranches are tried in order for the default base of `stackc diff`.
var mainBranches = []string{"main", "origin/main", "master", "origin/master"}

func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base", "", "git `ref` to compare with (default: the merge base of HEAD and main)")
	profile := fs.String("profile", "default", "build profile: "+strings.Join(spec.Profiles, " or "))
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: stackc diff [--base REF] [--profile P] [SPEC]\n\n"+
			"Print, as Markdown for a pull request comment, what changes between the stack\n"+
			"built from SPEC at REF and the one built from the working tree: dashboards,\n"+
			"panels and queries, SLOs and alert thresholds, receivers and routes.\n"+
			"SPEC defaults to stack.jsonnet. Exit 0 also when there are changes.\n\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	specPath := "stack.jsonnet"
	switch fs.NArg() {
	case 0:
	case 1:
		specPath = fs.Arg(0)
	default:
		fmt.Fprintf(stderr, "stackc diff: one spec at most, got %d\n", fs.NArg())
		return exitUsage
	}
	opts := spec.Options{Profile: *profile}

	repo, rel, err := locate(specPath)
	if err != nil {
		fmt.Fprintf(stderr, "stackc diff: %v\n", err)
		return exitUsage
	}
	ref, what, err := baseRef(repo, *base)
	if err != nil {
		fmt.Fprintf(stderr, "stackc diff: %v\n", err)
		return exitUsage
	}
	sha, err := resolveCommit(repo, ref)
	if err != nil {
		fmt.Fprintf(stderr, "stackc diff: %v\n", err)
		return exitUsage
	}
	baseStack, code := loadAt(repo, sha, ref, rel, opts, stderr)
	if baseStack == nil {
		return code
	}
	headStack, code := loadSpec(specPath, specPath, "", opts, stderr)
	if headStack == nil {
		return code
	}
	report, err := diff.Stacks(baseStack, headStack)
	if err != nil {
		fmt.Fprintf(stderr, "stackc diff: %v\n", err)
		return exitUsage
	}
	baseName := fmt.Sprintf("`%s` at %s (%s)", rel, what, abbrev(sha))
	fmt.Fprint(stdout, report.Markdown(baseName, "the working tree"))
	return exitOK
}

// locate returns the repository holding the spec and the spec's path in it.
func locate(specPath string) (repo, rel string, err error) {
	abs, err := filepath.Abs(specPath)
	if err != nil {
		return "", "", err
	}
	if _, err := os.Stat(abs); err != nil {
		return "", "", err
	}
	top, err := git(filepath.Dir(abs), "rev-parse", "--show-toplevel")
	if err != nil {
		return "", "", fmt.Errorf("%s is not in a git repository: %w", specPath, err)
	}
	// Compare resolved paths: the temp dir or the checkout may sit behind a symlink.
	realTop, err := filepath.EvalSymlinks(top)
	if err != nil {
		return "", "", err
	}
	realSpec, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", "", err
	}
	rel, err = filepath.Rel(realTop, realSpec)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", "", fmt.Errorf("%s is outside its repository %s", specPath, top)
	}
	return realTop, filepath.ToSlash(rel), nil
}

// resolveCommit returns the commit ref names. The ref comes from the
// command line and goes to git as an argument: --end-of-options keeps one
// that starts with a dash from being read as an option, and refs cannot
// start with one anyway, so such a ref is refused with a clear message.
func resolveCommit(repo, ref string) (string, error) {
	if strings.HasPrefix(ref, "-") {
		return "", fmt.Errorf("%q is not a commit: a git ref cannot start with '-'", ref)
	}
	sha, err := git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("%q is not a commit: %w", ref, err)
	}
	return sha, nil
}

// baseRef is the requested ref, or the merge base of HEAD and the main
// branch; what names it for the report's heading.
func baseRef(repo, requested string) (ref, what string, err error) {
	if requested != "" {
		return requested, "`" + requested + "`", nil
	}
	for _, b := range mainBranches {
		if _, err := resolveCommit(repo, b); err != nil {
			continue
		}
		mb, err := git(repo, "merge-base", "--end-of-options", "HEAD", b)
		if err != nil {
			return "", "", fmt.Errorf("no merge base of HEAD and %s: %w", b, err)
		}
		return mb, "the merge base with " + b, nil
	}
	return "", "", fmt.Errorf("no branch %s to compare with; pass --base REF", strings.Join(mainBranches, ", "))
}

// importable are the suffixes of the files a spec can import: Jsonnet
// code and JSON data (import 'x.json' is plain Jsonnet).
var importable = []string{".jsonnet", ".libsonnet", ".json"}

// loadAt evaluates the spec as it was at commit sha. Relative imports must
// resolve to their versions at that commit too, so every importable file
// of the commit is written to a temporary directory with the repository's
// layout, and the spec is loaded from there.
func loadAt(repo, sha, ref, rel string, opts spec.Options, stderr io.Writer) (*model.Stack, int) {
	tmp, err := os.MkdirTemp("", "stackc-diff-")
	if err != nil {
		fmt.Fprintf(stderr, "stackc diff: %v\n", err)
		return nil, exitUsage
	}
	defer os.RemoveAll(tmp)
	list, err := git(repo, "ls-tree", "-r", "-z", "--name-only", sha)
	if err != nil {
		fmt.Fprintf(stderr, "stackc diff: listing %s: %v\n", ref, err)
		return nil, exitUsage
	}
	found := false
	for _, p := range strings.Split(list, "\x00") {
		if !slices.ContainsFunc(importable, func(suffix string) bool { return strings.HasSuffix(p, suffix) }) {
			continue
		}
		data, err := gitBytes(repo, "show", sha+":"+p)
		if err != nil {
			fmt.Fprintf(stderr, "stackc diff: reading %s at %s: %v\n", p, ref, err)
			return nil, exitUsage
		}
		dst := filepath.Join(tmp, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			fmt.Fprintf(stderr, "stackc diff: %v\n", err)
			return nil, exitUsage
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			fmt.Fprintf(stderr, "stackc diff: %v\n", err)
			return nil, exitUsage
		}
		found = found || p == rel
	}
	if !found {
		fmt.Fprintf(stderr, "stackc diff: %s does not exist at %s; nothing to compare with\n", rel, ref)
		return nil, exitUsage
	}
	return loadSpec(filepath.Join(tmp, filepath.FromSlash(rel)), rel, tmp, opts, stderr)
}

// loadSpec loads and validates a spec, printing its problems with the
// temporary directory (if any) replaced by the spec's name in the repository.
func loadSpec(path, name, tmp string, opts spec.Options, stderr io.Writer) (*model.Stack, int) {
	res, err := spec.LoadFile(path, opts)
	clean := func(s string) string {
		if tmp == "" {
			return s
		}
		return strings.ReplaceAll(s, filepath.Join(tmp, filepath.FromSlash(name)), name+" (base)")
	}
	if err != nil {
		var specErr *spec.Error
		if errors.As(err, &specErr) {
			fmt.Fprintf(stderr, "%s\n", clean(specErr.Error()))
			fmt.Fprintf(stderr, "stackc diff: %d error(s) in %s\n", len(specErr.Problems), clean(path))
			return nil, exitSpecError
		}
		fmt.Fprintf(stderr, "stackc diff: %s\n", clean(err.Error()))
		return nil, exitUsage
	}
	return res.Stack, exitOK
}

func abbrev(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func git(dir string, args ...string) (string, error) {
	out, err := gitBytes(dir, args...)
	return strings.TrimSpace(string(out)), err
}

func gitBytes(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("git %s: %s", args[0], msg)
		}
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	return out, nil
}
