// Package tools pins and builds the external programs stackc is checked
// with: promtool and amtool for the tests, and real Prometheus,
// Alertmanager and Thanos servers for `make demo` and the end-to-end tests.
// They are built from their Go modules at pinned versions into .cache/bin on
// first use; nothing needs to be installed beforehand.
package tools

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

// Tool is an external program built from a Go module at a pinned version.
type Tool struct {
	Name    string
	Package string
	Version string
	Tags    string
	// Module, when set, is a wrapper module (a directory relative to the
	// repository root) whose go.mod requires Package's module at Version
	// and the tool is built there with `go build`. Modules with replace
	// directives (Thanos) cannot be built with `go install pkg@version`.
	Module string
	// OnDemand tools are built only when asked for by name (`go run
	// ./tools/install sloth`), not by `make tools`: only the side-by-side
	// speed benchmark needs them.
	OnDemand bool
}

// Pinned are the tools and their versions. Alertmanager's server stays at
// v0.31.1 because later module versions ship without their embedded UI;
// its config format is the same as that of amtool v0.35.0.
var Pinned = []Tool{
	{Name: "promtool", Package: "github.com/prometheus/prometheus/cmd/promtool", Version: "v0.316.0"},
	{Name: "prometheus", Package: "github.com/prometheus/prometheus/cmd/prometheus", Version: "v0.316.0", Tags: "remove_all_sd"},
	{Name: "amtool", Package: "github.com/prometheus/alertmanager/cmd/amtool", Version: "v0.35.0"},
	{Name: "alertmanager", Package: "github.com/prometheus/alertmanager/cmd/alertmanager", Version: "v0.31.1"},
	// Thanos's own builds use these tags (its .promu.yml): its gRPC
	// encoding casts Prometheus's labels to a slice, which is only right
	// with slicelabels; without it the sidecar panics on its first reply.
	{Name: "thanos", Package: "github.com/thanos-io/thanos/cmd/thanos", Version: "v0.42.4", Module: "tools/thanos", Tags: "netgo,slicelabels"},
	// Sloth is the baseline of the side-by-side speed benchmark (make bench-sloth).
	{Name: "sloth", Package: "github.com/slok/sloth/cmd/sloth", Version: "v0.16.0", OnDemand: true},
}

// BinDir is where tools are built: $STACKC_BIN, or .cache/bin at the repository root.
func BinDir() (string, error) {
	if dir := os.Getenv("STACKC_BIN"); dir != "" {
		return filepath.Abs(dir)
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, ".cache", "bin"), nil
}

// RepoRoot is the directory of this repository's go.mod.
func RepoRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("cannot locate the repository")
	}
	return filepath.Dir(filepath.Dir(file)), nil
}

// Built returns the path of the named tool if it has been built, and
// otherwise fails at once with an error that says to run `make tools`.
// Tests use it: building promtool or a server takes minutes, which belongs
// in `make tools` (CI runs it first), not inside a test under the default
// timeout.
func Built(name string) (string, error) {
	tool, bin, err := locate(name)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("%s %s is not built (%s is missing): run `make tools` first, which builds the pinned checkers and servers once", tool.Name, tool.Version, bin)
	}
	return bin, nil
}

// locate returns the named pinned tool and where its binary belongs.
func locate(name string) (*Tool, string, error) {
	var tool *Tool
	for i := range Pinned {
		if Pinned[i].Name == name {
			tool = &Pinned[i]
		}
	}
	if tool == nil {
		return nil, "", fmt.Errorf("unknown tool %q", name)
	}
	dir, err := BinDir()
	if err != nil {
		return nil, "", err
	}
	return tool, filepath.Join(dir, tool.file()), nil
}

// Path returns the path of the named tool, building it first if needed.
// Concurrent callers (parallel test packages) wait on a file lock instead
// of building twice.
func Path(name string) (string, error) {
	tool, bin, err := locate(name)
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(bin)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := tool.install(bin); err != nil {
		return "", err
	}
	return bin, nil
}

// install builds the tool with `go install pkg@version` into a scratch
// GOBIN (or with `go build` inside its wrapper module) and moves the binary
// to bin.
func (t Tool) install(bin string) error {
	scratch, err := os.MkdirTemp(filepath.Dir(bin), ".build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	out := filepath.Join(scratch, filepath.Base(t.Package))
	var cmd *exec.Cmd
	if t.Module != "" {
		root, err := RepoRoot()
		if err != nil {
			return err
		}
		// The wrapper's go.mod and go.sum are committed: build exactly them.
		cmd = exec.Command("go", t.buildArgs("build", "-o", out, t.Package)...)
		cmd.Dir = filepath.Join(root, filepath.FromSlash(t.Module))
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off")
	} else {
		cmd = exec.Command("go", t.buildArgs("install", t.Package+"@"+t.Version)...)
		// Run outside the repository so its go.mod plays no part.
		cmd.Dir = os.TempDir()
		cmd.Env = append(os.Environ(), "GOBIN="+scratch, "GOFLAGS=-mod=mod", "GOWORK=off")
	}
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	fmt.Fprintf(os.Stderr, "building %s %s (once; cached in %s)\n", t.Name, t.Version, filepath.Dir(bin))
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building %s@%s: %w", t.Package, t.Version, err)
	}
	return os.Rename(out, bin)
}

// file is the tool's file name. The version is part of it, so a pin change
// rebuilds; so are a wrapper-module tool's build tags, which change what
// the binary does.
func (t Tool) file() string {
	f := t.Name + "-" + t.Version
	if t.Module != "" && t.Tags != "" {
		f += "-" + strings.ReplaceAll(t.Tags, ",", "-")
	}
	return f
}

// buildArgs is the go command line: verb, the tool's build tags, then rest.
func (t Tool) buildArgs(verb string, rest ...string) []string {
	args := []string{verb}
	if t.Tags != "" {
		args = append(args, "-tags", t.Tags)
	}
	return append(args, rest...)
}
