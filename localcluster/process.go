package localcluster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// errPortTaken marks a start that failed because another process bound one of the ports
// between our probe and the child's listen; Start then retries with fresh ports.
var errPortTaken = errors.New("port taken")

// process is one child (etcd or kube-apiserver) running in its own process group, with
// its output appended to a log file in the state directory.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	// logStart is the size of the log before this run, so that tails and failure
	// diagnostics only show this run's output.
	logStart int64
	done     chan struct{}
	waitErr  error // set before done is closed
}

// startProcess starts bin with args, output appended to logPath. The process outlives
// any request context: only stop ends it.
func startProcess(log *slog.Logger, name, bin string, args []string, logPath string) (*process, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s log: %w", name, err)
	}
	defer f.Close() // the child holds its own descriptor
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s log: %w", name, err)
	}
	fmt.Fprintf(f, "=== localcluster: starting %s at %s\n", name, time.Now().Format(time.RFC3339))

	cmd := exec.Command(bin, args...)
	cmd.Stdout = f
	cmd.Stderr = f
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, logStart: st.Size(), done: make(chan struct{})}
	log.Debug("started", "process", name, "pid", cmd.Process.Pid, "log", logPath)
	go func() {
		p.waitErr = cmd.Wait()
		log.Debug("exited", "process", name, "pid", cmd.Process.Pid, "err", p.waitErr)
		close(p.done)
	}()
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signalGroup sends sig to the child's whole process group. It does nothing once the
// child has been reaped, because its PID (and so the group ID) may then be reused.
func (p *process) signalGroup(sig syscall.Signal) {
	if p.exited() {
		return
	}
	_ = syscall.Kill(-p.pid(), sig)
}

// stop sends SIGTERM, waits until deadline, then SIGKILLs the group. It reports an error
// only if the child could not be reaped at all.
func (p *process) stop(log *slog.Logger, deadline time.Time) error {
	p.signalGroup(syscall.SIGTERM)
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-p.done:
		return nil
	case <-t.C:
	}
	log.Warn("did not stop after SIGTERM, killing", "process", p.name, "pid", p.pid())
	p.signalGroup(syscall.SIGKILL)
	select {
	case <-p.done:
		return nil
	case <-time.After(5 * time.Second):
		return fmt.Errorf("%s (pid %d) still running after SIGKILL", p.name, p.pid())
	}
}

// exitError describes how the child ended, with the tail of its log, and wraps
// errPortTaken when the log says a port was in use.
func (p *process) exitError() error {
	tail := p.tail(20)
	err := fmt.Errorf("%s exited: %v\n--- last lines of %s ---\n%s", p.name, p.waitErr, p.logPath, tail)
	if strings.Contains(tail, "address already in use") {
		return fmt.Errorf("%w: %w", errPortTaken, err)
	}
	return err
}

// tail returns the last n lines this run wrote to the log.
func (p *process) tail(n int) string {
	f, err := os.Open(p.logPath)
	if err != nil {
		return fmt.Sprintf("(read log: %v)", err)
	}
	defer f.Close()
	// The last 64 KiB hold far more than 20 lines of either component's log.
	const window = 64 << 10
	start := p.logStart
	if st, err := f.Stat(); err == nil && st.Size()-window > start {
		start = st.Size() - window
	}
	b, err := io.ReadAll(io.NewSectionReader(f, start, 1<<62))
	if err != nil {
		return fmt.Sprintf("(read log: %v)", err)
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// freeLoopbackPorts returns n distinct ports that were free on 127.0.0.1 a moment ago.
// All listeners are open at once so the ports differ; another process may still take one
// before the child binds it, which Start handles by retrying.
func freeLoopbackPorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
