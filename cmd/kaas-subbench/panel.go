package main

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"

	"kaas/app"
	"kaas/internal/loadgen"
	"kaas/jobs"
	"kaas/models"
)

// kindBenchEvents is the job kind the benchmark registers: one step that records a
// number of log events at a fixed interval once its gate opens.
const kindBenchEvents = "bench.events"

// benchArgs are a bench.events job's arguments: the gate its step waits at.
type benchArgs struct {
	Gate string `json:"gate"`
}

// Kind is the job kind of the arguments.
func (benchArgs) Kind() string { return kindBenchEvents }

// gates hold bench.events steps until their subscribers are all in place. A job must
// exist before anyone can subscribe to it (an unknown job is NOT_FOUND), and the engine
// runs a queued job at once, so the step waits here instead of emitting into the void.
type gates struct {
	mu sync.Mutex
	ch map[string]chan struct{}
}

func (g *gates) get(name string) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ch == nil {
		g.ch = map[string]chan struct{}{}
	}
	c := g.ch[name]
	if c == nil {
		c = make(chan struct{})
		g.ch[name] = c
	}
	return c
}

// open lets the step of the job gated by name emit its events, and returns the time.
func (g *gates) open(name string) time.Time {
	now := time.Now()
	close(g.get(name))
	return now
}

// eventSteps is the worker of bench.events, a single step: wait at the gate, then record events
// Log events, one per interval. Each event's At is when the engine records it.
func eventSteps(g *gates, events int, interval time.Duration) jobs.Worker {
	return jobs.NewWorker(jobs.Step[benchArgs]{
		Name:    "emit",
		Timeout: 5 * time.Minute,
		Run: func(ctx context.Context, j *jobs.Job[benchArgs]) error {
			select {
			case <-g.get(j.Args.Gate):
			case <-ctx.Done():
				return fmt.Errorf("wait at gate %s: %w", j.Args.Gate, ctx.Err())
			}
			t := time.NewTicker(interval)
			defer t.Stop()
			for i := 1; i <= events; i++ {
				if i > 1 {
					select {
					case <-t.C:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				j.Log(models.EventInfo, "event "+strconv.Itoa(i))
			}
			return nil
		},
	})
}

// operatorToken logs oscar (an operator of the test Keystone) in and makes him an API
// token.
func operatorToken(ctx context.Context, a *app.App) (string, error) {
	id, err := a.Keystone.Authenticate(ctx, "oscar", "oscar-pass", "")
	if err != nil {
		return "", fmt.Errorf("log in oscar: %w", err)
	}
	p := models.Principal{UserID: id.UserID, Username: id.Username, Domain: id.Domain}
	secret, _, err := a.Tokens.Create(ctx, p, "subbench", 0)
	if err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	return secret, nil
}

// raiseFileLimit lifts the soft open-file limit to at least want (up to the hard limit):
// every subscriber holds two sockets in this process, the client's and the server's.
func raiseFileLimit(want uint64) (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("get open-file limit: %w", err)
	}
	if lim.Cur >= want {
		return lim.Cur, nil
	}
	lim.Cur = min(want, lim.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("raise open-file limit: %w", err)
	}
	if lim.Cur < want {
		return lim.Cur, fmt.Errorf("the open-file limit is %d (hard); %d subscribers need about %d", lim.Max, want/2, want)
	}
	return lim.Cur, nil
}

// memory is a sample of the process: panel and subscribers together.
type memory struct {
	loadgen.Memory
	Goroutines int
}

func sampleMemory() (memory, error) {
	m, err := loadgen.ProcMemory(0)
	return memory{Memory: m, Goroutines: runtime.NumGoroutine()}, err
}
