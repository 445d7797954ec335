// Package spectest loads specs in tests, where a spec that does not load
// is a failed test rather than an error to handle.
package spectest

import (
	"path/filepath"
	"testing"

	"github.com/stackc/stackc/compiler/model"
	"github.com/stackc/stackc/compiler/spec"
	"github.com/stackc/stackc/tools"
)

// Load loads the spec at path with the given build profile ("" is the
// default profile) and fails t when it does not load.
func Load(t testing.TB, path, profile string) *model.Stack {
	t.Helper()
	res, err := spec.LoadFile(path, spec.Options{Profile: profile})
	if err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	return res.Stack
}

// Repo loads the repository's stack.jsonnet with the given build profile,
// from whichever package directory the test runs in.
func Repo(t testing.TB, profile string) *model.Stack {
	t.Helper()
	root, err := tools.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return Load(t, filepath.Join(root, "stack.jsonnet"), profile)
}

// HA loads the repository's ha.jsonnet: stack.jsonnet as an HA stack with
// Thanos.
func HA(t testing.TB, profile string) *model.Stack {
	t.Helper()
	return Load(t, HAPath(t), profile)
}

// HAPath is the path of the HA spec.
func HAPath(t testing.TB) string {
	t.Helper()
	root, err := tools.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "ha.jsonnet")
}
