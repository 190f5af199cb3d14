package localcluster

import "syscall"

// sysProcAttr puts the child in its own process group, so that Stop can signal
// everything it started, and asks the kernel to send it SIGTERM when the parent dies, so
// that a crashed test or panel does not leave clusters behind. Pdeathsig fires when the
// OS thread that started the child exits, which the Go runtime only does for a goroutine
// that exits while locked to its thread; no code in this module does that.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
