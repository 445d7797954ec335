//go:build !unix

package build

// noFollow is not available; Stale still skips links it walks past.
const noFollow = 0

// lockDir cannot lock here; concurrent builds of one directory are not
// serialised.
func lockDir(string) (func(), error) { return func() {}, nil }
