package loadgen

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Memory is a process's resident memory, from /proc/<pid>/status.
type Memory struct {
	RSS  int64 // VmRSS, bytes
	Peak int64 // VmHWM, bytes
}

// ProcMemory reads the memory of process pid; 0 means this process.
func ProcMemory(pid int) (Memory, error) {
	var m Memory
	b, err := os.ReadFile(procPath(pid, "status"))
	if err != nil {
		return m, fmt.Errorf("read memory: %w", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return m, fmt.Errorf("%s: %w", k, err)
		}
		if k == "VmRSS" {
			m.RSS = kb << 10
		} else {
			m.Peak = kb << 10
		}
	}
	if m.RSS == 0 {
		return m, fmt.Errorf("read memory: no VmRSS in %s", procPath(pid, "status"))
	}
	return m, nil
}

// OpenFiles counts the open file descriptors of process pid; 0 means this process.
func OpenFiles(pid int) (int, error) {
	fds, err := os.ReadDir(procPath(pid, "fd"))
	if err != nil {
		return 0, fmt.Errorf("count open files: %w", err)
	}
	return len(fds), nil
}

func procPath(pid int, name string) string {
	if pid == 0 {
		return "/proc/self/" + name
	}
	return "/proc/" + strconv.Itoa(pid) + "/" + name
}

// SelfCPU returns the CPU time (user and system) this process has used so far, zero when
// the system does not say.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
