// Command kaas-loadtest measures the TokenReview hot path of a real panel (SQLite, the
// test Keystone) on loopback against the floor of plain HTTP + JSON on the same machine,
// and compares the figures with the targets of DESIGN.md section 7. It starts everything
// in-process, sends traffic only to 127.0.0.1 and fails only when a response is wrong,
// never on a missed target.
//
//	. .state/test-env.sh && go run ./cmd/kaas-loadtest
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"kaas/config"
	"kaas/internal/benchpanel"
	"kaas/internal/loadgen"
	"kaas/tokens"
)

// options are the load test's flags and the Keystone it runs against.
type options struct {
	Tokens      int
	Users       int
	Concurrency int
	Duration    time.Duration
	Warmup      time.Duration
	IdentityTTL time.Duration
	CPUProfile  string
	// Rounds is how many interleaved slices each measured phase is cut into.
	Rounds   int
	Keystone config.Keystone
}

const (
	// keepSecrets bounds the secrets held in memory to send; the other tokens only make
	// the table realistic.
	keepSecrets = 20_000
	// unknownSecrets is the set of well-formed unknown tokens sent repeatedly (the
	// index refuses them from memory, as every unknown token).
	unknownSecrets = 2_000
	// maxPhase bounds any phase, warm-ups included.
	maxPhase = 10 * time.Second
)

func main() {
	var o options
	flag.IntVar(&o.Tokens, "tokens", 100_000, "tokens stored in the panel's database")
	flag.IntVar(&o.Users, "users", 3, "demo users owning them (alice, oscar, ursula)")
	flag.IntVar(&o.Concurrency, "concurrency", 64, "closed-loop clients, one keep-alive connection each")
	flag.DurationVar(&o.Duration, "duration", 8*time.Second, "length of each measured phase, run in -rounds interleaved slices (at most 10s)")
	flag.DurationVar(&o.Warmup, "warmup", 2*time.Second, "minimum warm-up before the known-token phase")
	flag.DurationVar(&o.IdentityTTL, "identity-ttl", 5*time.Minute, "the panel's Keystone identity TTL")
	flag.IntVar(&o.Rounds, "rounds", 4, "interleaved slices of each measured phase (more: steadier ratios on a busy machine)")
	flag.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the measured phases to this file")
	flag.Parse()
	o.Keystone = benchpanel.KeystoneFromEnv(os.Getenv)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errs, err := run(ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kaas-loadtest:", err)
		os.Exit(1)
	}
	if errs > 0 {
		fmt.Fprintf(os.Stderr, "kaas-loadtest: %d wrong or failed responses\n", errs)
		os.Exit(1)
	}
}

func (o options) validate() error {
	switch {
	case o.Keystone.AuthURL == "" || o.Keystone.Username == "" || o.Keystone.Password == "":
		return fmt.Errorf("OS_AUTH_URL, OS_USERNAME and OS_PASSWORD are required (. .state/test-env.sh)")
	case o.Tokens < 1 || o.Concurrency < 1 || o.Rounds < 1:
		return fmt.Errorf("-tokens, -concurrency and -rounds must be positive")
	case o.Duration <= 0 || o.Duration > maxPhase || o.Warmup < 0 || o.Warmup > maxPhase:
		return fmt.Errorf("-duration and -warmup must be at most %s", maxPhase)
	case o.IdentityTTL <= 0:
		return fmt.Errorf("-identity-ttl must be positive")
	}
	return nil
}

// fetchCount is the Keystone identity fetches seen over a span of a panel's life.
type fetchCount struct {
	what    string
	fetches float64
	span    time.Duration
}

// perUserPerTTL spreads the fetches over the users and the TTL windows of the span.
func (f fetchCount) perUserPerTTL(users int, ttl time.Duration) float64 {
	windows := math.Max(1, math.Ceil(float64(f.span)/float64(ttl)))
	return f.fetches / float64(users) / windows
}

// report is everything the load test measured.
type report struct {
	opts      options
	setup     string
	results   []result
	fetches   []fetchCount
	rss, peak int64
	// loadBefore and loadAfter are the machine's load averages (/proc/loadavg) around
	// the measured phases.
	loadBefore, loadAfter string
}

// loadAverage returns the 1, 5 and 15 minute load averages, "?" when unknown.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// run builds the panel and the baseline, runs the phases and prints the report. It
// returns the number of wrong or failed responses.
func run(ctx context.Context, o options, out io.Writer) (int, error) {
	if err := o.validate(); err != nil {
		return 0, err
	}
	dataDir, err := os.MkdirTemp("", "kaas-loadtest-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dataDir)
	cfg := benchpanel.Config(o.Keystone, dataDir, o.IdentityTTL)

	t0 := time.Now()
	p, err := benchpanel.Start(ctx, cfg, nil)
	if err != nil {
		return 0, err
	}
	stopped := false
	defer func() {
		if !stopped {
			p.Stop()
		}
	}()
	users, err := lookUpUsers(ctx, p.App, o.Users)
	if err != nil {
		return 0, err
	}
	t1 := time.Now()
	secrets, err := insertTokens(ctx, p.App.DB(), users, o.Tokens, keepSecrets)
	if err != nil {
		return 0, err
	}
	insert := time.Since(t1)
	// The tokens went straight into the database: the panel's index learns of them from
	// the change log, as it would from another replica's.
	if err := p.App.Tokens.Index().CatchUp(ctx); err != nil {
		return 0, fmt.Errorf("token index: %w", err)
	}
	baseURL, stopBaseline, err := startBaseline()
	if err != nil {
		return 0, err
	}
	defer stopBaseline()
	rep := report{opts: o, setup: fmt.Sprintf("panel up and users looked up in %s; %d tokens inserted in %s (%.0f/s)",
		t1.Sub(t0).Round(time.Millisecond), o.Tokens, insert.Round(time.Millisecond), float64(o.Tokens)/insert.Seconds())}

	known := bodies(secrets)
	unknown := make([]string, unknownSecrets)
	for i := range unknown {
		if unknown[i], err = tokens.Generate(nil); err != nil {
			return 0, err
		}
	}
	unknownBodies := bodies(unknown)
	fresh := func(int) []byte {
		s, _ := tokens.Generate(nil) // crypto/rand does not fail on Linux
		return loadgen.ReviewBody(s)
	}
	client := loadgen.NewClient(o.Concurrency)
	defer client.CloseIdleConnections()
	webhook := p.URL + "/authenticate"
	do := func(ph phase) { rep.add(runPhase(client, ph, o.Concurrency)) }

	do(phase{name: "known, warm-up", url: webhook, body: cycle(known), authenticated: true, done: atLeast(o.Warmup, len(known), maxPhase)})
	do(phase{name: "unknown, warm-up", url: webhook, body: cycle(unknownBodies), done: onePass(len(unknownBodies), maxPhase)})
	fetches0, err := loadgen.Metric(client, p.URL, "kaas_keystone_identity_fetches_total")
	if err != nil {
		return 0, err
	}
	measureStart := time.Now()
	rep.loadBefore = loadAverage()
	stopProfile, err := startCPUProfile(o.CPUProfile)
	if err != nil {
		return 0, err
	}
	// The measured phases take turns in short slices, so that the machine's other work,
	// the background flush of token uses and the garbage collector weigh on each alike.
	slice := o.Duration / time.Duration(o.Rounds)
	for range o.Rounds {
		do(phase{name: "baseline (HTTP + JSON)", url: baseURL, body: cycle(known), authenticated: true, done: forDuration(slice), measured: true})
		do(phase{name: "known tokens", url: webhook, body: cycle(known), authenticated: true, done: forDuration(slice), measured: true})
		do(phase{name: "unknown, the same again", url: webhook, body: cycle(unknownBodies), done: forDuration(slice), measured: true})
		do(phase{name: "unknown, new each request", url: webhook, body: fresh, done: forDuration(slice), measured: true})
	}
	stopProfile()
	rep.loadAfter = loadAverage()
	fetches1, err := loadgen.Metric(client, p.URL, "kaas_keystone_identity_fetches_total")
	if err != nil {
		return 0, err
	}
	rep.fetches = append(rep.fetches,
		fetchCount{"warm panel, measured phases", fetches1 - fetches0, time.Since(measureStart)},
		fetchCount{"warm panel, whole life", fetches1, time.Since(p.Started)})
	stopped = true
	if err := p.Stop(); err != nil {
		return 0, fmt.Errorf("stop panel: %w", err)
	}
	client.CloseIdleConnections()

	// A new App on the same data directory: the same tokens and keys, empty caches.
	p2, err := benchpanel.Start(ctx, cfg, nil)
	if err != nil {
		return 0, err
	}
	do(phase{name: "cold: new panel, first pass", url: p2.URL + "/authenticate", body: cycle(known), authenticated: true,
		done: onePass(len(known), o.Duration), measured: true})
	fetches2, err := loadgen.Metric(client, p2.URL, "kaas_keystone_identity_fetches_total")
	if err != nil {
		p2.Stop()
		return 0, err
	}
	rep.fetches = append(rep.fetches, fetchCount{"cold panel, whole life", fetches2, time.Since(p2.Started)})
	if err := p2.Stop(); err != nil {
		return 0, fmt.Errorf("stop cold panel: %w", err)
	}
	mem, err := loadgen.ProcMemory(0)
	if err != nil {
		return 0, err
	}
	rep.rss, rep.peak = mem.RSS, mem.Peak
	rep.print(out)
	errs := 0
	for _, r := range rep.results {
		errs += r.errors
	}
	return errs, nil
}

func bodies(secrets []string) [][]byte {
	out := make([][]byte, len(secrets))
	for i, s := range secrets {
		out[i] = loadgen.ReviewBody(s)
	}
	return out
}

func cycle(bodies [][]byte) func(int) []byte {
	return func(n int) []byte { return bodies[n%len(bodies)] }
}

func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// add records a phase's result, merging it with earlier slices of the same phase.
func (r *report) add(res result) {
	for i := range r.results {
		if prev := &r.results[i]; prev.name == res.name {
			prev.merge(res)
			return
		}
	}
	r.results = append(r.results, res)
}

func (r report) find(name string) result {
	for _, res := range r.results {
		if res.name == name {
			return res
		}
	}
	return result{}
}

func (r report) print(out io.Writer) {
	o := r.opts
	fmt.Fprintf(out, "kaas-loadtest: %d tokens of %d users, %d sent, concurrency %d, GOMAXPROCS %d, NumCPU %d, %s\n",
		o.Tokens, o.Users, min(o.Tokens, keepSecrets), o.Concurrency, runtime.GOMAXPROCS(0), runtime.NumCPU(), runtime.Version())
	fmt.Fprintln(out, r.setup)
	fmt.Fprintf(out, "load average (1m 5m 15m) before the measured phases: %s; after: %s\n", r.loadBefore, r.loadAfter)
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-44s\trequests\treq/s\tCPU/req\tp50\tp90\tp99\tmax\terrors\t\n", "phase")
	for _, res := range r.results {
		name := res.name
		if !res.measured {
			name += " (not measured)"
		}
		fmt.Fprintf(tw, "%-44s\t%d\t%.0f\t%.1fµs\t%s\t%s\t%s\t%s\t%d\t\n", name, res.requests, res.throughput(),
			float64(res.cpuPerRequest())/float64(time.Microsecond), ms(res.percentile(0.50)), ms(res.percentile(0.90)), ms(res.percentile(0.99)), ms(res.percentile(1)), res.errors)
	}
	tw.Flush()
	for _, res := range r.results {
		if res.errors > 0 {
			fmt.Fprintf(out, "  %s: first error: %s\n", res.name, res.firstErr)
		}
	}

	base, known := r.find("baseline (HTTP + JSON)"), r.find("known tokens")
	neg, fresh := r.find("unknown, the same again"), r.find("unknown, new each request")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "targets (informative, never fatal):")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	ratio := known.throughput() / base.throughput()
	fmt.Fprintf(tw, "  known / baseline throughput\t%.2f\t>= 1.00\t%s\n", ratio, verdict(ratio >= 1))
	fmt.Fprintf(tw, "  known / baseline CPU per request (client included, informative)\t%.2f\t\t\n",
		float64(known.cpuPerRequest())/float64(base.cpuPerRequest()))
	p99, baseP99 := known.percentile(0.99), base.percentile(0.99)
	fmt.Fprintf(tw, "  known p99 at %d connections (baseline %s)\t%s\t<= baseline\t%s\n", o.Concurrency, ms(baseP99), ms(p99), verdict(p99 <= baseP99))
	for _, u := range []result{neg, fresh} {
		ratio := u.throughput() / known.throughput()
		fmt.Fprintf(tw, "  %s / known throughput\t%.2f\t>= 0.90\t%s\n", u.name, ratio, verdict(ratio >= 0.9))
	}
	for _, f := range r.fetches {
		v := f.perUserPerTTL(o.Users, o.IdentityTTL)
		fmt.Fprintf(tw, "  Keystone fetches per user per TTL (%s), %s: %.0f in %s\t%.2f\t<= 1\t%s\n",
			o.IdentityTTL, f.what, f.fetches, f.span.Round(100*time.Millisecond), v, verdict(v <= 1))
	}
	tw.Flush()
	fmt.Fprintf(out, "RSS %d MiB (peak %d MiB): panel, load generator and %d request bodies in one process\n",
		r.rss>>20, r.peak>>20, min(o.Tokens, keepSecrets)+unknownSecrets)
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }
