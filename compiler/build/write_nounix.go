//go:build !unix

package build

import "os"

// noFollow is not available; Stale still skips links it walks past.
const noFollow = 0

// lockDir cannot lock here; concurrent builds of one directory are not
// serialised.
func lockDir(string) (func(), error) { return func() {}, nil }

// writeFile creates (or truncates) path with data.
func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }
