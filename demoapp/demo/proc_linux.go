package demo

import "syscall"

// sysProcAttr puts a server in its own process group and has the kernel
// kill it if the runner dies without cleaning up (e.g. kill -9).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
