package replicaset

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Build compiles the panel binary of the module that contains the working directory into
// dir, with its fault-injection switches (-tags faultinject), and returns its path.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "kaas")
	if out, err := exec.Command("go", "build", "-tags", "faultinject", "-o", bin, "kaas").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the panel: %w\n%s", err, out)
	}
	return bin, nil
}

// Options describes a set of replicas.
type Options struct {
	// Bin is the panel binary (Build).
	Bin string
	// Dir holds each replica's data directory and log.
	Dir string
	// DSN is the PostgreSQL database the replicas share.
	DSN string
	// Names of the replicas, e.g. "a", "b", "c"; each is also the application_name
	// suffix of its database connections ("kaas-a", "kaas-a/token-revocations", …).
	Names []string
	// Args are extra flags for every replica.
	Args []string
}

// Replica is one panel process.
type Replica struct {
	Name string
	URL  string
	Log  string
	bin  string
	args []string
	cmd  *exec.Cmd
	done chan struct{}
}

// New prepares the replicas (one shared session key and credential key, a free port
// and a data directory each) without starting them.
func New(o Options) ([]*Replica, error) {
	sessionKey, credentialKey := newKey(), newKey()
	var rs []*Replica
	for _, name := range o.Names {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		dataDir := filepath.Join(o.Dir, "replica-"+name)
		args := append([]string{
			"--addr", addr, "--public-url", "http://" + addr, "--data-dir", dataDir,
			"--database-dsn", o.DSN + " application_name=kaas-" + name,
			"--session-key", sessionKey, "--credential-key", credentialKey,
			"--role-scope", "project:demo@Default", "--log-level", "debug",
		}, o.Args...)
		rs = append(rs, &Replica{Name: name, URL: "http://" + addr, Log: filepath.Join(o.Dir, "replica-"+name+".log"), bin: o.Bin, args: args})
	}
	return rs, nil
}

func newKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// Start starts the process (its log appended to r.Log) and waits until /readyz answers
// 200.
func (r *Replica) Start() error {
	if err := r.Launch(); err != nil {
		return err
	}
	return r.WaitReady(90 * time.Second)
}

// Launch starts the process without waiting for it to be ready.
func (r *Replica) Launch() error {
	log, err := os.OpenFile(r.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(r.bin, r.args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start replica %s: %w", r.Name, err)
	}
	r.cmd, r.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); log.Close(); close(r.done) }()
	return nil
}

// WaitReady polls /readyz until it answers 200.
func (r *Replica) WaitReady(timeout time.Duration) error {
	return waitUntil(timeout, func() error {
		select {
		case <-r.done:
			return fmt.Errorf("replica %s exited: see %s", r.Name, r.Log)
		default:
		}
		if ready, err := r.Ready(); !ready {
			return fmt.Errorf("replica %s not ready: %v", r.Name, err)
		}
		return nil
	})
}

// Ready reports whether /readyz answers 200.
func (r *Replica) Ready() (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.URL+"/readyz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, errors.New(resp.Status)
	}
	return true, nil
}

// PID is the process ID, 0 when it does not run.
func (r *Replica) PID() int {
	if !r.Running() {
		return 0
	}
	return r.cmd.Process.Pid
}

// Running reports whether the process runs.
func (r *Replica) Running() bool {
	if r.cmd == nil {
		return false
	}
	select {
	case <-r.done:
		return false
	default:
		return true
	}
}

// Kill ends the process with SIGKILL, as a crash or an OOM kill would, and waits for it.
func (r *Replica) Kill() { r.signal(syscall.SIGKILL) }

// Stop ends the process with SIGTERM (a graceful shutdown) and waits for it.
func (r *Replica) Stop() { r.signal(syscall.SIGTERM) }

func (r *Replica) signal(sig syscall.Signal) {
	if !r.Running() {
		return
	}
	_ = r.cmd.Process.Signal(sig)
	select {
	case <-r.done:
	case <-time.After(30 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
}

// Logs returns the replica's log so far.
func (r *Replica) Logs() string {
	b, _ := os.ReadFile(r.Log)
	return string(b)
}

// CountLog returns how many log lines contain every one of the strings.
func (r *Replica) CountLog(parts ...string) int {
	n := 0
	for _, line := range strings.Split(r.Logs(), "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			n++
		}
	}
	return n
}
