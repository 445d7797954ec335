//go:build !linux

package build

// exchange has no atomic form here; Write falls back to two renames.
func exchange(a, b string) error { return errNoExchange }
