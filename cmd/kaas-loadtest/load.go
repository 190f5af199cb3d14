package main

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"kaas/internal/loadgen"
)

// phase is one closed-loop run: each worker sends a request, waits for its answer and
// sends the next, until done says so.
type phase struct {
	name string
	url  string
	// body returns the n-th request's TokenReview; it runs outside the timed section.
	body func(n int) []byte
	// authenticated is the answer every request must get.
	authenticated bool
	// done reports whether to stop before the n-th request, elapsed into the phase.
	done func(n int, elapsed time.Duration) bool
	// measured phases are compared with the targets; the others only warm caches.
	measured bool
}

// forDuration stops a phase after d.
func forDuration(d time.Duration) func(int, time.Duration) bool {
	return func(_ int, elapsed time.Duration) bool { return elapsed >= d }
}

// onePass stops a phase after n requests, or at limit if that comes first.
func onePass(n int, limit time.Duration) func(int, time.Duration) bool {
	return func(i int, elapsed time.Duration) bool { return i >= n || elapsed >= limit }
}

// atLeast stops a phase once d has passed and n requests were sent, or at limit.
func atLeast(d time.Duration, n int, limit time.Duration) func(int, time.Duration) bool {
	return func(i int, elapsed time.Duration) bool { return (elapsed >= d && i >= n) || elapsed >= limit }
}

// result is what a phase measured.
type result struct {
	name     string
	measured bool
	requests int
	elapsed  time.Duration
	// cpu is the process's CPU time (user and system) over the phase: the panel's and the
	// load generator's, which is the same for every phase.
	cpu       time.Duration
	latencies []time.Duration // sorted
	errors    int
	firstErr  string
}

// merge adds another slice of the same phase.
func (r *result) merge(o result) {
	if r.errors == 0 {
		r.firstErr = o.firstErr
	}
	r.errors += o.errors
	r.requests += o.requests
	r.elapsed += o.elapsed
	r.cpu += o.cpu
	r.latencies = append(r.latencies, o.latencies...)
	slices.Sort(r.latencies)
}

func (r result) throughput() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// percentile returns the latency below which a fraction p of the requests finished.
func (r result) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(r.latencies)))) - 1 // nearest rank
	return r.latencies[max(0, min(i, len(r.latencies)-1))]
}

// worker is one closed-loop client's tally.
type worker struct {
	latencies []time.Duration
	errors    int
	firstErr  string
	buf       bytes.Buffer
}

func (w *worker) fail(format string, args ...any) {
	if w.errors == 0 {
		w.firstErr = fmt.Sprintf(format, args...)
	}
	w.errors++
}

// runPhase runs p with concurrency workers sharing client.
func runPhase(client *http.Client, p phase, concurrency int) result {
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		workers = make([]*worker, concurrency)
		start   = time.Now()
		cpu0    = loadgen.SelfCPU()
	)
	for i := range workers {
		w := &worker{latencies: make([]time.Duration, 0, 4096)}
		workers[i] = w
		wg.Go(func() {
			for {
				n := int(next.Add(1) - 1)
				if p.done(n, time.Since(start)) {
					return
				}
				body := p.body(n)
				t0 := time.Now()
				w.review(client, p.url, body, p.authenticated)
				w.latencies = append(w.latencies, time.Since(t0))
			}
		})
	}
	wg.Wait()
	r := result{name: p.name, measured: p.measured, elapsed: time.Since(start), cpu: loadgen.SelfCPU() - cpu0}
	for _, w := range workers {
		r.latencies = append(r.latencies, w.latencies...)
		if w.errors > 0 && r.errors == 0 {
			r.firstErr = w.firstErr
		}
		r.errors += w.errors
	}
	r.requests = len(r.latencies)
	slices.Sort(r.latencies)
	return r
}

// review sends one TokenReview and checks the answer.
func (w *worker) review(client *http.Client, url string, body []byte, authenticated bool) {
	if err := loadgen.Review(client, url, body, authenticated, &w.buf); err != nil {
		w.fail("%v", err)
	}
}

// cpuPerRequest is the process's CPU time per request over the phase.
func (r result) cpuPerRequest() time.Duration {
	if r.requests == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.requests)
}
