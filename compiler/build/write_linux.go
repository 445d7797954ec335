package build

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange swaps the directories a and b in one step.
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		// Old kernels and some file systems cannot exchange.
		return errNoExchange
	}
	return err
}
