package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"kaas/internal/loadgen"
)

// panel is the panel under load: a process this command started, or one given by URL
// (and, for its memory and open files, by pid).
type panel struct {
	URL  string
	PID  int    // 0: unknown, memory and open files come from /metrics
	Log  string // the started panel's log file
	dir  string
	stop func() error // nil for a panel given by URL
}

// startPanel runs the panel binary on a free loopback port with a fresh data directory
// (SQLite) and the environment of this command (the OS_* variables naming the test
// Keystone), its output in a log file; it returns once /readyz answers.
func startPanel(ctx context.Context, bin, logDir string) (*panel, error) {
	dir, err := os.MkdirTemp("", "kaas-soak-")
	if err != nil {
		return nil, err
	}
	if logDir == "" {
		logDir = dir
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("find a free port: %w", err)
	}
	addr := l.Addr().String()
	l.Close()
	logPath := filepath.Join(logDir, "kaas-soak-panel.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("panel log: %w", err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "--addr", addr, "--data-dir", filepath.Join(dir, "data"), "--public-url", "http://"+addr,
		"--role-scope", "project:demo@Default")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	p := &panel{URL: "http://" + addr, PID: cmd.Process.Pid, Log: logPath, dir: dir}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if err := waitReady(ctx, p.URL, exited, time.Minute); err != nil {
		cmd.Process.Kill()
		<-exited
		return nil, fmt.Errorf("%w (log: %s)", err, logPath)
	}
	p.stop = func() error { return stopProcess(cmd.Process, exited, 20*time.Second) }
	return p, nil
}

// waitReady polls /readyz until it answers 200, the process exits or the deadline passes.
func waitReady(ctx context.Context, url string, exited <-chan error, deadline time.Duration) error {
	client := loadgen.NewClient(1)
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	last := "no answer"
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("the panel exited before it was ready: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("the panel was not ready within %s (last /readyz: %s)", deadline, last)
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := client.Get(url + "/readyz")
		if err != nil {
			last = err.Error()
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
		last = resp.Status
	}
}

// stopProcess sends SIGTERM and waits for the exit; SIGKILL after the deadline.
func stopProcess(p *os.Process, exited <-chan error, deadline time.Duration) error {
	if err := p.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop the panel: %w", err)
	}
	select {
	case err := <-exited:
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.Exited() {
			return fmt.Errorf("the panel exited with status %d", exit.ExitCode())
		}
		return nil
	case <-time.After(deadline):
		p.Kill()
		<-exited
		return fmt.Errorf("the panel did not stop within %s of SIGTERM: killed", deadline)
	}
}

// Stop ends a panel this command started and removes its data directory; the log stays.
func (p *panel) Stop() error {
	if p.stop == nil {
		return nil
	}
	err := p.stop()
	p.stop = nil
	if filepath.Dir(p.Log) == p.dir {
		os.RemoveAll(filepath.Join(p.dir, "data"))
	} else {
		os.RemoveAll(p.dir)
	}
	return err
}

// sample is the panel process at one moment.
type sample struct {
	At         time.Duration // since the soak began
	RSS        int64
	Goroutines int
	OpenFiles  int
	Requests   int64   // sent by the soak so far
	CPU        float64 // the panel's CPU seconds so far (process_cpu_seconds_total)
	Heap       int64   // go_memstats_heap_inuse_bytes
}

// sample reads the panel's memory and open files from /proc/<pid> (from its
// process_* metrics when the pid is unknown) and its goroutines from go_goroutines.
func (p *panel) sample(client *http.Client) (sample, error) {
	var s sample
	g, err := loadgen.Metric(client, p.URL, "go_goroutines")
	if err != nil {
		return s, err
	}
	s.Goroutines = int(g)
	if s.CPU, err = loadgen.Metric(client, p.URL, "process_cpu_seconds_total"); err != nil {
		return s, err
	}
	heap, err := loadgen.Metric(client, p.URL, "go_memstats_heap_inuse_bytes")
	if err != nil {
		return s, err
	}
	s.Heap = int64(heap)
	if p.PID == 0 {
		rss, err := loadgen.Metric(client, p.URL, "process_resident_memory_bytes")
		if err != nil {
			return s, err
		}
		fds, err := loadgen.Metric(client, p.URL, "process_open_fds")
		if err != nil {
			return s, err
		}
		s.RSS, s.OpenFiles = int64(rss), int(fds)
		return s, nil
	}
	m, err := loadgen.ProcMemory(p.PID)
	if err != nil {
		return s, err
	}
	s.RSS = m.RSS
	if s.OpenFiles, err = loadgen.OpenFiles(p.PID); err != nil {
		return s, err
	}
	return s, nil
}
