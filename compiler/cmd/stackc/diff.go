package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
	var ef evalFlags
	ef.register(fs)
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
	opts := ef.options()

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

// loadAt evaluates the spec as it was at commit sha. Its imports resolve
// to their versions at that commit too: the spec and every file it
// imports are read from git's object store (git cat-file) and never
// written anywhere, so no path in the commit's tree — not even one that
// git accepted from a fetched branch, such as "../x" — can touch the disk.
func loadAt(repo, sha, ref, rel string, opts spec.Options, stderr io.Writer) (*model.Stack, int) {
	files := &gitFiles{repo: repo, commit: sha}
	path := filepath.Join(repo, filepath.FromSlash(rel))
	if _, err := files.ReadFile(path); err != nil {
		fmt.Fprintf(stderr, "stackc diff: %s does not exist at %s; nothing to compare with\n", rel, ref)
		return nil, exitUsage
	}
	opts.Files = files
	return loadSpec(path, rel, repo, opts, stderr)
}

// gitFiles reads a commit's files from git's object store (spec.Files).
type gitFiles struct {
	repo, commit string
}

// ReadFile returns the blob at path (absolute, inside the repository) in
// the commit; a path outside the repository or not in the commit does not
// exist.
func (g *gitFiles) ReadFile(path string) ([]byte, error) {
	rel, err := filepath.Rel(g.repo, path)
	if err != nil || !filepath.IsLocal(rel) {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fs.ErrNotExist}
	}
	object := g.commit + ":" + filepath.ToSlash(rel)
	kind, err := git(g.repo, "cat-file", "-t", "--end-of-options", object)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fs.ErrNotExist}
	}
	if kind != "blob" {
		return nil, fmt.Errorf("%s is a %s at %s, not a file", filepath.ToSlash(rel), kind, abbrev(g.commit))
	}
	size, err := git(g.repo, "cat-file", "-s", "--end-of-options", object)
	if err != nil {
		return nil, err
	}
	if n, err := strconv.ParseInt(size, 10, 64); err != nil || n > spec.MaxImportBytes {
		return nil, fmt.Errorf("%s is larger than %d MiB", filepath.ToSlash(rel), spec.MaxImportBytes>>20)
	}
	return gitBytes(g.repo, "cat-file", "blob", "--end-of-options", object)
}

// loadSpec loads and validates a spec, printing its problems with the
// base spec's path (if any) replaced by its name in the repository.
func loadSpec(path, name, repo string, opts spec.Options, stderr io.Writer) (*model.Stack, int) {
	res, err := spec.LoadFile(path, opts)
	clean := func(s string) string {
		if repo == "" {
			return s
		}
		return strings.ReplaceAll(s, filepath.Join(repo, filepath.FromSlash(name)), name+" (base)")
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
