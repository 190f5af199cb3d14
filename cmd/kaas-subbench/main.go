// Command kaas-subbench measures the fan-out of provisioning progress to GraphQL
// subscribers: N websocket clients (graphql-transport-ws) follow one job of the real
// panel (SQLite, the test Keystone) on loopback while the job records events at a fixed
// interval. It checks that every subscriber receives every event in order, once, and
// reports the delivery lag (receive time − the event's at) against the floor of the
// same path with one subscriber. It fails when a subscriber misses an event, never on a
// missed latency target.
//
//	. .state/test-env.sh && go run ./cmd/kaas-subbench
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"kaas/config"
	"kaas/internal/benchpanel"
	"kaas/jobs"
	"kaas/models"
)

// targetP99 is the delivery lag the fan-out should stay under on loopback.
const targetP99 = 50 * time.Millisecond

// engineEvents are the events the engine records around the step's own: queued,
// started, step started, step done and succeeded.
const engineEvents = 5

// options are the benchmark's flags and the Keystone it runs against.
type options struct {
	Subscribers     int
	Events          int
	Interval        time.Duration
	DialConcurrency int
	CPUProfile      string
	MemProfile      string
	Keystone        config.Keystone
}

func main() {
	var o options
	flag.IntVar(&o.Subscribers, "subscribers", 1000, "websocket subscribers following one job")
	flag.IntVar(&o.Events, "events", 200, "log events the job records")
	flag.DurationVar(&o.Interval, "interval", 10*time.Millisecond, "time between the job's events")
	flag.IntVar(&o.DialConcurrency, "dial-concurrency", 32, "websocket dials in flight at once")
	flag.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the fan-out's streaming phase to this file")
	flag.StringVar(&o.MemProfile, "memprofile", "", "write a heap profile to this file once every subscriber of the fan-out is subscribed")
	flag.Parse()
	o.Keystone = benchpanel.KeystoneFromEnv(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	bad, err := run(ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kaas-subbench:", err)
		os.Exit(1)
	}
	if bad > 0 {
		fmt.Fprintf(os.Stderr, "kaas-subbench: %d subscribers did not receive every event in order exactly once\n", bad)
		os.Exit(1)
	}
}

func (o options) validate() error {
	switch {
	case o.Keystone.AuthURL == "" || o.Keystone.Username == "" || o.Keystone.Password == "":
		return fmt.Errorf("OS_AUTH_URL, OS_USERNAME and OS_PASSWORD are required (. .state/test-env.sh)")
	case o.Subscribers < 1 || o.Events < 1 || o.DialConcurrency < 1:
		return fmt.Errorf("-subscribers, -events and -dial-concurrency must be positive")
	case o.Interval < 0 || time.Duration(o.Events)*o.Interval > 2*time.Minute:
		return fmt.Errorf("-events × -interval must be between 0 and 2 minutes")
	}
	return nil
}

// run builds the panel, follows a baseline job with one subscriber and the measured job
// with o.Subscribers, and prints the report. It returns how many subscribers missed,
// repeated or reordered an event.
func run(ctx context.Context, o options, out io.Writer) (int, error) {
	if err := o.validate(); err != nil {
		return 0, err
	}
	limit, err := raiseFileLimit(uint64(2*o.Subscribers + 512))
	if err != nil {
		return 0, err
	}
	dataDir, err := os.MkdirTemp("", "kaas-subbench-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dataDir)
	g := &gates{}
	cfg := benchpanel.Config(o.Keystone, dataDir, 5*time.Minute)
	// Every subscriber is oscar: lift the per-user caps on websockets and subscriptions
	// (the measured one and the baseline's).
	cfg.MaxWebsocketsPerUser = o.Subscribers + 1
	cfg.MaxSubscriptionsPerUser = o.Subscribers + 1
	p, err := benchpanel.Start(ctx, cfg, func(e *jobs.Engine) {
		e.Register(eventSteps(g, o.Events, o.Interval))
	})
	if err != nil {
		return 0, err
	}
	defer p.Stop()
	token, err := operatorToken(ctx, p.App)
	if err != nil {
		return 0, err
	}
	b := &bench{o: o, p: p, g: g, url: "ws://" + p.Addr + "/graphql", token: token}

	base, err := b.follow(ctx, "baseline", 1)
	if err != nil {
		return 0, fmt.Errorf("baseline: %w", err)
	}
	runtime.GC()
	before, err := sampleMemory()
	if err != nil {
		return 0, err
	}
	fan, err := b.follow(ctx, "fan-out", o.Subscribers)
	if err != nil {
		return 0, fmt.Errorf("fan-out: %w", err)
	}
	r := report{o: o, openFiles: limit, before: before, base: base, fan: fan}
	r.print(out)
	return base.bad + fan.bad, nil
}

// bench follows jobs of the panel with websocket subscribers.
type bench struct {
	o          options
	p          *benchpanel.Panel
	g          *gates
	url, token string
}

// followed is what the subscribers of one job received, and the process around it.
type followed struct {
	subscribers int
	connect     time.Duration // dialling every subscriber, through connection_ack
	subscribe   time.Duration // from the job's creation until every subscriber had an event
	emitting    time.Duration // from the first log event's at to the last's
	drained     time.Duration // from the first log event's at to the last delivery
	last        int           // the job's last seq: the events each subscriber must get
	firstLive   int           // the seq of the first event recorded after the gate opened
	replayed    int           // deliveries of events recorded before the gate opened
	live        []time.Duration
	bad         int
	dropped     int            // completed early: the engine dropped them as too slow
	problems    map[string]int // what was wrong, by message, for the first few
	subscribed  memory         // every subscriber connected and registered
	during      memory         // highest RSS and goroutines sampled while events flowed
}

// follow connects n subscribers, creates a bench.events job, subscribes all of them
// from seq 0, lets the job emit once every subscriber has had its first event, and
// collects what they received.
func (b *bench) follow(ctx context.Context, gate string, n int) (*followed, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute+time.Duration(b.o.Events)*b.o.Interval)
	defer cancel()
	expect := b.o.Events + engineEvents
	f := &followed{subscribers: n, problems: map[string]int{}}

	start := time.Now()
	subs, err := b.dial(ctx, n, expect)
	defer func() {
		var wg sync.WaitGroup
		for _, s := range subs {
			if s != nil {
				wg.Go(func() { s.conn.Close() })
			}
		}
		wg.Wait()
	}()
	if err != nil {
		return nil, err
	}
	f.connect = time.Since(start)

	job, err := b.p.App.Jobs.Enqueue(ctx, benchArgs{Gate: gate}, "oscar")
	if err != nil {
		return nil, fmt.Errorf("enqueue: %w", err)
	}
	start = time.Now()
	var registered atomic.Int64
	allIn := make(chan struct{})
	var wg sync.WaitGroup
	for _, s := range subs {
		wg.Go(func() {
			s.follow(ctx, job.ID, func() {
				if registered.Add(1) == int64(n) {
					close(allIn)
				}
			})
		})
	}
	select {
	case <-allIn:
	case <-ctx.Done():
		return nil, fmt.Errorf("%d of %d subscribers had their first event before the timeout", registered.Load(), n)
	}
	f.subscribe = time.Since(start)
	if f.subscribed, err = sampleMemory(); err != nil {
		return nil, err
	}
	if b.o.MemProfile != "" && n > 1 {
		if err := writeHeapProfile(b.o.MemProfile); err != nil {
			return nil, err
		}
	}

	if b.o.CPUProfile != "" && n > 1 {
		stop, err := startCPUProfile(b.o.CPUProfile)
		if err != nil {
			return nil, err
		}
		defer stop()
	}
	b.g.open(gate)
	stopSampling := make(chan struct{})
	sampled := make(chan memory)
	go func() { sampled <- sampleWhile(stopSampling, f.subscribed) }()
	wg.Wait()
	close(stopSampling)
	f.during = <-sampled

	evs, err := allEvents(context.WithoutCancel(ctx), b.p.App.Jobs, job.ID)
	if err != nil {
		return nil, err
	}
	if err := f.measure(evs, expect, subs); err != nil {
		return nil, err
	}
	return f, nil
}

// startCPUProfile profiles the whole process into path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	out, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		out.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); out.Close() }, nil
}

// writeHeapProfile writes the heap profile (live and allocated since the start) to path.
func writeHeapProfile(path string) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	return pprof.Lookup("heap").WriteTo(out, 0)
}

// allEvents reads every stored event of a job, a page at a time.
func allEvents(ctx context.Context, e *jobs.Engine, jobID string) ([]models.JobEvent, error) {
	const page = 1000 // Events' maximum
	var all []models.JobEvent
	for {
		evs, err := e.Events(ctx, jobID, len(all), page)
		if err != nil {
			return nil, fmt.Errorf("read the job's events: %w", err)
		}
		all = append(all, evs...)
		if len(evs) < page {
			return all, nil
		}
	}
}

// dial connects n subscribers, o.DialConcurrency at a time. On error the subscribers
// connected so far are returned for closing.
func (b *bench) dial(ctx context.Context, n, expect int) ([]*subscriber, error) {
	subs := make([]*subscriber, n)
	sem := make(chan struct{}, b.o.DialConcurrency)
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for i := range subs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			s, err := dialSubscriber(ctx, b.url, b.token, expect)
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				return
			}
			subs[i] = s
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return subs, fmt.Errorf("%d of %d dials failed, first: %w", len(errs), n, errs[0])
	}
	return subs, nil
}

// measure checks every subscriber against the job's stored events and collects the lags
// of the live deliveries (those recorded after the gate opened).
func (f *followed) measure(evs []models.JobEvent, expect int, subs []*subscriber) error {
	if len(evs) == 0 {
		return errors.New("the job has no events")
	}
	f.last = evs[len(evs)-1].Seq
	if final := evs[len(evs)-1]; final.Status != models.JobSucceeded || f.last != expect {
		return fmt.Errorf("the job ended %s after %d events (want succeeded after %d)", final.Status, f.last, expect)
	}
	var firstLog, lastLog time.Time
	for _, ev := range evs {
		if ev.Step == "emit" && ev.Message != "step started" && ev.Message != "step done" {
			if f.firstLive == 0 {
				f.firstLive, firstLog = ev.Seq, ev.At
			}
			lastLog = ev.At
		}
	}
	f.emitting = lastLog.Sub(firstLog)
	for _, s := range subs {
		f.drained = max(f.drained, s.lastAt.Sub(firstLog))
	}
	f.live = make([]time.Duration, 0, len(subs)*(f.last-f.firstLive+1))
	for _, s := range subs {
		if s.err == nil && s.completed && len(s.got) < f.last {
			f.dropped++
		}
		if err := s.check(f.last); err != nil {
			f.bad++
			if len(f.problems) < 5 {
				f.problems[err.Error()]++
			}
		}
		for _, d := range s.got {
			if d.Seq >= f.firstLive {
				f.live = append(f.live, d.Lag)
			} else {
				f.replayed++
			}
		}
	}
	slices.Sort(f.live)
	return nil
}

// sampleWhile samples the process every 20ms until stop closes and returns the highest
// RSS and goroutine count seen, starting from first.
func sampleWhile(stop <-chan struct{}, first memory) memory {
	high := first
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return high
		case <-t.C:
		}
		m, err := sampleMemory()
		if err != nil {
			continue
		}
		high.RSS = max(high.RSS, m.RSS)
		high.Peak = max(high.Peak, m.Peak)
		high.Goroutines = max(high.Goroutines, m.Goroutines)
	}
}

// percentile returns the q-quantile (0 < q ≤ 1) of sorted durations, nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*q+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// report is everything the benchmark measured.
type report struct {
	o         options
	openFiles uint64
	before    memory
	base, fan *followed
}

func (r report) print(w io.Writer) {
	o, fan := r.o, r.fan
	host, _ := os.Hostname()
	fmt.Fprintf(w, "kaas-subbench: %d subscribers, %d events every %s; panel (SQLite) and clients in one process on 127.0.0.1, %s, GOMAXPROCS %d, open-file limit %d\n",
		o.Subscribers, o.Events, o.Interval, host, runtime.GOMAXPROCS(0), r.openFiles)
	fmt.Fprintf(w, "  connected and subscribed: %d of %d (dialled in %s, %d at a time; all had their first event %s after the job was created)\n",
		fan.subscribers, o.Subscribers, fan.connect.Round(time.Millisecond), o.DialConcurrency, fan.subscribe.Round(time.Millisecond))
	fmt.Fprintf(w, "  events expected per subscriber: %d (%d log + %d of the engine's own); seq 1–%d recorded before the gate opened (replayed), %d–%d live; emitted over %s\n",
		fan.last, o.Events, engineEvents, fan.firstLive-1, fan.firstLive, fan.last, fan.emitting.Round(time.Millisecond))
	fmt.Fprintf(w, "  complete, in order, no gaps or duplicates: %d of %d subscribers (baseline %d of 1)\n",
		fan.subscribers-fan.bad, fan.subscribers, r.base.subscribers-r.base.bad)
	fmt.Fprintf(w, "  dropped by the engine (complete before the final event): %d (baseline %d)\n", fan.dropped, r.base.dropped)
	for msg, n := range fan.problems {
		fmt.Fprintf(w, "    %d× %s\n", n, msg)
	}
	for msg, n := range r.base.problems {
		fmt.Fprintf(w, "    baseline: %d× %s\n", n, msg)
	}
	fmt.Fprintf(w, "\n  %-28s %11s %9s %9s %9s %9s\n", "delivery lag (live events)", "deliveries", "p50", "p90", "p99", "max")
	for _, row := range []struct {
		name string
		f    *followed
	}{{"baseline: 1 subscriber", r.base}, {fmt.Sprintf("fan-out: %d subscribers", fan.subscribers), fan}} {
		l := row.f.live
		fmt.Fprintf(w, "  %-28s %11d %9s %9s %9s %9s\n", row.name, len(l),
			ms(percentile(l, 0.50)), ms(percentile(l, 0.90)), ms(percentile(l, 0.99)), ms(percentile(l, 1)))
	}
	fmt.Fprintf(w, "  total deliveries: %d (%d live + %d replayed)\n", len(fan.live)+fan.replayed, len(fan.live), fan.replayed)
	fmt.Fprintf(w, "  offered %.0f live deliveries/s (%d subscribers × %d events over %s); the last arrived %s after the first event: %.0f/s delivered\n",
		float64(len(fan.live))/fan.emitting.Seconds(), fan.subscribers, fan.last-fan.firstLive+1, fan.emitting.Round(time.Millisecond),
		fan.drained.Round(time.Millisecond), float64(len(fan.live))/fan.drained.Seconds())
	fmt.Fprintf(w, "\n  process (panel + subscribers): before %s, %d goroutines; subscribed %s, %d goroutines; while streaming up to %s, %d goroutines (VmHWM %s)\n",
		mib(r.before.RSS), r.before.Goroutines, mib(fan.subscribed.RSS), fan.subscribed.Goroutines,
		mib(fan.during.RSS), fan.during.Goroutines, mib(fan.during.Peak))
	per := float64(fan.subscribed.RSS-r.before.RSS) / float64(fan.subscribers) / 1024
	fmt.Fprintf(w, "  per subscriber (both ends): %.1f KiB, %.1f goroutines\n", per,
		float64(fan.subscribed.Goroutines-r.before.Goroutines)/float64(fan.subscribers))
	verdict := "PASS"
	if percentile(fan.live, 0.99) > targetP99 {
		verdict = "MISS"
	}
	fmt.Fprintf(w, "\n  target p99 ≤ %s on loopback: %s (p99 %s, baseline %s)\n", ms(targetP99), verdict,
		ms(percentile(fan.live, 0.99)), ms(percentile(r.base.live, 0.99)))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
