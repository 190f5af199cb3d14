package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"runtime/pprof"
	"syscall"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kaas/internal/gqlws"
	"kaas/models"
)

func TestScratchFanout(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SCRATCH_N"))
	if n == 0 {
		t.Skip()
	}
	interval, _ := time.ParseDuration(os.Getenv("SCRATCH_INTERVAL"))
	jobs := newFakeJobs()
	srv, _ := newServer(Options{
		Resolvers: fakeRoot{jobs: jobs}, Jobs: jobs, Log: slog.New(slog.DiscardHandler),
		WebsocketInit: func(ctx context.Context, authz string) (context.Context, error) { return asUser(ctx, "oscar"), nil },
		WebsocketLimits: WebsocketLimits{MaxConnections: 100000, MaxSubscriptions: 100000},
	})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	p := &feedPanel{jobs: jobs, url: "ws" + strings.TrimPrefix(hs.URL, "http")}
	p.jobs.emit(3, "x", models.JobRunning)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	g0, h0 := runtime.NumGoroutine(), ms.HeapInuse+ms.StackInuse
	conns := make([]*gqlws.Conn, n)
	for i := range conns {
		c, err := gqlws.Dial(context.Background(), p.url, http.Header{})
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}
	_ = json.Marshal
	var mu sync.Mutex
	var lags []time.Duration
	var wg sync.WaitGroup
	ready := make(chan struct{}, n)
	for _, c := range conns {
		wg.Go(func() {
			// init as oscar: gqlws sends {} so authorize via header? use raw subscribe after init
			_ = c.Subscribe(context.Background(), "1", `subscription{jobProgress(jobId:"job-1",after:0){seq at status}}`, nil)
			first := true
			var local []time.Duration
			for {
				m, rec, err := c.Next(context.Background())
				if err != nil || m.Type != "next" {
					if m.Type != "complete" {
						t.Errorf("%s %s %v", m.Type, m.Payload, err)
					}
					break
				}
				var pl struct{ Data struct{ JobProgress struct{ Seq int; At time.Time } } }
				json.Unmarshal(m.Payload, &pl)
				if first {
					first = false
					ready <- struct{}{}
				}
				if pl.Data.JobProgress.Seq > 3 {
					local = append(local, rec.Sub(pl.Data.JobProgress.At))
				}
			}
			mu.Lock()
			lags = append(lags, local...)
			mu.Unlock()
		})
	}
	for range n {
		<-ready
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	t.Logf("per subscriber: %.1f KiB heap+stack, %.2f goroutines", float64(ms.HeapInuse+ms.StackInuse-h0)/float64(n)/1024, float64(runtime.NumGoroutine()-g0)/float64(n))
	if f, err := os.Create("/tmp/scratch.heap"); err == nil {
		pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
	}
	if f, err := os.Create("/tmp/scratch.gor"); err == nil {
		pprof.Lookup("goroutine").WriteTo(f, 1)
		f.Close()
	}
	ru0 := cpu()
	for i := 0; i < 200; i++ {
		st := models.JobRunning
		if i == 199 {
			st = models.JobSucceeded
		}
		p.jobs.emit(1, "e", st)
		time.Sleep(interval)
	}
	wg.Wait()
	used := cpu() - ru0
	slices.Sort(lags)
	t.Logf("deliveries %d p50 %v p90 %v p99 %v max %v; cpu %.1f µs/delivery", len(lags), lags[len(lags)/2], lags[len(lags)*9/10], lags[len(lags)*99/100], lags[len(lags)-1], float64(used.Microseconds())/float64(len(lags)))
}

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
