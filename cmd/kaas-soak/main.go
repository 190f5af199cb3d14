// Command kaas-soak keeps a real panel process under mixed load on loopback for a long
// time (10 minutes by default) and checks that it does not wear: every TokenReview,
// GraphQL operation and subscription must succeed, and the panel's resident memory at the
// end must be within 10% of what it was after the warm-up. It reports the panel's memory,
// goroutines and open files over the run. Not part of `make test`: `make soak` runs it.
//
//	. .state/test-env.sh && go build -o bin/kaas . && go run ./cmd/kaas-soak
//	go run ./cmd/kaas-soak -url http://127.0.0.1:8080 -pid $(pgrep -n kaas)   # a running panel
//
// The load, each kind at its own pace: TokenReviews (live tokens, deleted tokens, unknown
// tokens repeated and new), GraphQL (token lists, createToken and deleteToken, a query
// with an API token, the operator's jobs, login and logout) and graphql-transport-ws
// subscriptions to the progress of a job that waits for a cluster that never answers
// (created at the start, cancelled and deleted with its Keystone role at the end).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"kaas/internal/loadgen"
	"kaas/internal/secretscan"
	"kaas/tokens"
)

// options are the soak's flags.
type options struct {
	Bin              string
	URL              string
	PID              int
	LogDir           string
	Duration         time.Duration
	Warmup           time.Duration
	SampleEvery      time.Duration
	ReviewRate       int
	GraphQLRate      int
	SubscribeEvery   time.Duration
	Hold             time.Duration
	MaxSubscriptions int
	Tokens           int
	MaxRSSGrowth     float64
	FreshUnknown     bool
}

func main() {
	var o options
	flag.StringVar(&o.Bin, "bin", "bin/kaas", "the panel binary to start (with the OS_* variables of this environment)")
	flag.StringVar(&o.URL, "url", "", "soak a running panel at this URL instead of starting one (it must know the demo users)")
	flag.IntVar(&o.PID, "pid", 0, "with -url: the panel's process ID, for its memory and open files (else from its /metrics)")
	flag.StringVar(&o.LogDir, "log-dir", "", "directory for the started panel's log (default: a new temporary directory)")
	flag.DurationVar(&o.Duration, "duration", 10*time.Minute, "length of the measured run, after the warm-up (at most 1h)")
	flag.DurationVar(&o.Warmup, "warmup", 3*time.Minute, "load before the start sample (caches and pools fill: SQLite page caches grow for about three minutes)")
	flag.DurationVar(&o.SampleEvery, "sample-every", time.Minute, "time between samples of the panel during the run")
	flag.IntVar(&o.ReviewRate, "review-rate", 100, "TokenReviews per second")
	flag.IntVar(&o.GraphQLRate, "graphql-rate", 10, "GraphQL turns per second (logins are one turn in 25)")
	flag.DurationVar(&o.SubscribeEvery, "subscribe-every", time.Second, "time between new subscriptions")
	flag.DurationVar(&o.Hold, "hold", 5*time.Second, "how long each subscription is held")
	flag.IntVar(&o.MaxSubscriptions, "max-subscriptions", 10, "subscriptions open at once at most (the panel allows 20 websockets per user)")
	flag.IntVar(&o.Tokens, "tokens", 50, "live API tokens the soak keeps; each new one past this deletes the oldest")
	flag.BoolVar(&o.FreshUnknown, "fresh-unknown", true, "one TokenReview in 10 carries a never-seen token (answered from the panel's token index, never the database)")
	flag.Float64Var(&o.MaxRSSGrowth, "max-rss-growth", 0.10, "the largest accepted growth of the panel's RSS from the start sample to the end one")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	r, err := run(ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kaas-soak:", err)
		os.Exit(1)
	}
	if problems := r.verdict(); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "kaas-soak: FAIL:", p)
		}
		os.Exit(1)
	}
}

func (o options) validate() error {
	switch {
	case o.URL == "" && o.Bin == "":
		return errors.New("give -bin (a panel to start) or -url (a running one)")
	case o.PID != 0 && o.URL == "":
		return errors.New("-pid goes with -url")
	case o.Duration <= 0 || o.Duration > time.Hour:
		return errors.New("-duration must be between 0 and 1h")
	case o.Warmup < 0 || o.Warmup > o.Duration:
		return errors.New("-warmup must be between 0 and -duration")
	case o.SampleEvery <= 0:
		return errors.New("-sample-every must be positive")
	case o.ReviewRate < 4 || o.ReviewRate > 5000 || o.GraphQLRate < 1 || o.GraphQLRate > 1000:
		return errors.New("-review-rate must be between 4 and 5000, -graphql-rate between 1 and 1000")
	case o.SubscribeEvery <= 0 || o.Hold <= 0 || o.MaxSubscriptions < 1 || o.MaxSubscriptions > 19:
		return errors.New("-subscribe-every and -hold must be positive, -max-subscriptions between 1 and 19")
	case o.Tokens < 1 || o.Tokens > 10_000:
		return errors.New("-tokens must be between 1 and 10000")
	case o.MaxRSSGrowth <= 0:
		return errors.New("-max-rss-growth must be positive")
	}
	return nil
}

// report is what the soak measured.
type report struct {
	o                 options
	panel             *panel
	boot, start, end  sample
	during            []sample
	t                 *tally
	events            int64
	elapsed           time.Duration
	cleanup, stopping error
	secrets           int                  // distinct secrets looked for in the panel's log
	leaks             []secretscan.Finding // found there
	logBytes          int
	retried           string // why the delete job failed before it was resumed
}

// run starts (or finds) the panel, sets up the users, tokens and job, runs the warm-up
// and the measured load, cleans up and prints the report.
func run(ctx context.Context, o options, out io.Writer) (*report, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	began := time.Now()
	var p *panel
	if o.URL != "" {
		p = &panel{URL: o.URL, PID: o.PID}
	} else {
		var err error
		if p, err = startPanel(ctx, o.Bin, o.LogDir); err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "kaas-soak: panel %s pid %d at %s (log: %s)\n", o.Bin, p.PID, p.URL, p.Log)
	}
	defer p.Stop()
	client := loadgen.NewClient(16)
	defer client.CloseIdleConnections()

	l, j, err := setUp(ctx, o, p.URL, client)
	if err != nil {
		return nil, err
	}
	r := &report{o: o, panel: p, t: &l.t}
	if r.boot, err = p.sample(client); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "kaas-soak: warm-up %s, then %s of load; job %s\n", o.Warmup, o.Duration, j.ID)
	wctx, cancel := context.WithTimeout(ctx, o.Warmup)
	l.run(wctx)
	cancel()
	if r.start, err = settle(p, client); err != nil {
		return nil, err
	}
	r.start.At = time.Since(began)
	warmReqs, _ := l.t.totals()

	mctx, cancel := context.WithTimeout(ctx, o.Duration)
	sampled := make(chan []sample)
	go func() { sampled <- sampleEvery(mctx, p, client, o.SampleEvery, began, &l.t) }()
	measured := time.Now()
	l.run(mctx)
	cancel()
	r.during = <-sampled
	r.elapsed = time.Since(measured)
	interrupted := ctx.Err()
	if r.end, err = settle(p, client); err != nil {
		return nil, err
	}
	r.end.At = time.Since(began)
	r.end.Requests, _ = l.t.totals()
	r.start.Requests = warmReqs
	r.events = l.events.Load()

	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	r.retried, r.cleanup = cleanUp(cctx, l, j)
	r.stopping = p.Stop()
	if p.Log != "" {
		text, err := os.ReadFile(p.Log)
		if err != nil {
			return nil, err
		}
		entries := l.secrets.all()
		r.secrets, r.logBytes = len(entries), len(text)
		r.leaks = secretscan.FindIn(p.Log, text, entries)
	}
	r.print(out)
	if interrupted != nil {
		return r, fmt.Errorf("interrupted after %s of load", r.elapsed.Round(time.Second))
	}
	return r, nil
}

// setUp logs alice and oscar in, gives oscar an API token for the websockets, fills the
// token pool and starts the job the subscriptions follow.
func setUp(ctx context.Context, o options, url string, client *http.Client) (*load, job, error) {
	l := &load{o: o, url: url, http: client, tokens: &pool{max: o.Tokens}}
	l.alice, l.oscar = loadgen.NewGraphQL(url, client.Transport), loadgen.NewGraphQL(url, client.Transport)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := l.secrets.login(ctx, l.alice, "alice"); err != nil {
		return nil, job{}, fmt.Errorf("log alice in: %w", err)
	}
	if err := l.secrets.login(ctx, l.oscar, "oscar"); err != nil {
		return nil, job{}, fmt.Errorf("log oscar in: %w", err)
	}
	var err error
	if l.wsToken, l.wsTokenID, err = l.secrets.createToken(ctx, l.oscar, "soak-websockets"); err != nil {
		return nil, job{}, fmt.Errorf("create oscar's token: %w", err)
	}
	for i := range min(10, o.Tokens) {
		secret, id, err := l.secrets.createToken(ctx, l.alice, fmt.Sprintf("soak-first-%d", i))
		if err != nil {
			return nil, job{}, fmt.Errorf("create alice's tokens: %w", err)
		}
		l.tokens.push(apiToken{id: id, secret: secret})
	}
	for range 100 {
		s, err := tokens.Generate(nil)
		if err != nil {
			return nil, job{}, err
		}
		l.unknown = append(l.unknown, loadgen.ReviewBody(s))
	}
	j, err := startJob(ctx, l.oscar, &l.secrets)
	if err != nil {
		return nil, job{}, err
	}
	l.jobID = j.ID
	return l, j, nil
}

// cleanUp removes what the soak made: the job's cluster and Keystone role, the tokens
// and the sessions.
func cleanUp(ctx context.Context, l *load, j job) (retried string, err error) {
	why, err := removeJob(ctx, l.oscar, j)
	errs := []error{err}
	l.tokens.mu.Lock()
	live := l.tokens.live
	l.tokens.mu.Unlock()
	for _, t := range append(live, apiToken{id: l.wsTokenID}) {
		c := l.alice
		if t.id == l.wsTokenID {
			c = l.oscar
		}
		if err := c.Do(ctx, `mutation($id:ID!){deleteToken(id:$id)}`, map[string]any{"id": t.id}, nil); err != nil {
			errs = append(errs, fmt.Errorf("delete token: %w", err))
		}
	}
	for _, c := range []*loadgen.GraphQL{l.alice, l.oscar} {
		if err := c.Do(ctx, `mutation{logout}`, nil, nil); err != nil {
			errs = append(errs, fmt.Errorf("log out: %w", err))
		}
	}
	return strings.Join(why, "; "), errors.Join(errs...)
}

// settle closes the soak's idle connections and samples the panel once its goroutine
// count holds still (two equal readings 500 ms apart, at most 10 s).
func settle(p *panel, client *http.Client) (sample, error) {
	client.CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	prev, err := p.sample(client)
	for err == nil && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		client.CloseIdleConnections()
		var cur sample
		if cur, err = p.sample(client); err == nil && cur.Goroutines == prev.Goroutines {
			return cur, nil
		}
		prev = cur
	}
	return prev, err
}

// sampleEvery samples the panel every interval until ctx ends.
func sampleEvery(ctx context.Context, p *panel, client *http.Client, interval time.Duration, began time.Time, t *tally) []sample {
	var out []sample
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return out
		case <-tick.C:
		}
		s, err := p.sample(client)
		t.add("sample of the panel", err)
		if err == nil {
			s.At = time.Since(began)
			s.Requests, _ = t.totals()
			out = append(out, s)
		}
	}
}

// rssGrowth is the end sample's RSS relative to the start sample's.
func (r *report) rssGrowth() float64 {
	return float64(r.end.RSS-r.start.RSS) / float64(r.start.RSS)
}

// verdict lists what failed: any error, an RSS grown past the limit, a failed cleanup.
func (r *report) verdict() []string {
	var out []string
	if _, errs := r.t.totals(); errs > 0 {
		out = append(out, fmt.Sprintf("%d requests failed", errs))
	}
	if g := r.rssGrowth(); g > r.o.MaxRSSGrowth {
		out = append(out, fmt.Sprintf("the panel's RSS grew %.1f%% (limit %.0f%%)", 100*g, 100*r.o.MaxRSSGrowth))
	}
	if r.cleanup != nil {
		out = append(out, "clean-up: "+r.cleanup.Error())
	}
	for _, f := range r.leaks {
		out = append(out, "secret in the panel's log: "+f.String())
	}
	if r.stopping != nil {
		out = append(out, r.stopping.Error())
	}
	return out
}

func (r *report) print(out io.Writer) {
	o := r.o
	host, _ := os.Hostname()
	fmt.Fprintf(out, "\nkaas-soak: %s of load after a %s warm-up on %s (GOMAXPROCS %d, NumCPU %d, %s)\n", r.elapsed.Round(time.Second), o.Warmup,
		host, runtime.GOMAXPROCS(0), runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(out, "  pace: %d TokenReviews/s, %d GraphQL turns/s, a subscription every %s held %s (at most %d open), %d live tokens\n",
		o.ReviewRate, o.GraphQLRate, o.SubscribeEvery, o.Hold, o.MaxSubscriptions, o.Tokens)
	src := fmt.Sprintf("/proc/%d", r.panel.PID)
	if r.panel.PID == 0 {
		src = "its /metrics (no -pid)"
	}
	fmt.Fprintf(out, "\n  panel process (memory and open files from %s, goroutines from go_goroutines)\n", src)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  sample\tat\tRSS\tGo heap in use\tgoroutines\topen files\trequests sent\t\n")
	row := func(name string, s sample) {
		fmt.Fprintf(tw, "  %s\t%s\t%.1f MiB\t%.1f MiB\t%d\t%d\t%d\t\n", name, s.At.Round(time.Second), float64(s.RSS)/(1<<20), float64(s.Heap)/(1<<20),
			s.Goroutines, s.OpenFiles, s.Requests)
	}
	row("after set-up", r.boot)
	row("start (after warm-up, idle)", r.start)
	for _, s := range r.during {
		row("under load", s)
	}
	row("end (idle)", r.end)
	tw.Flush()
	fmt.Fprintf(out, "  RSS end / start: %+.1f%% (limit +%.0f%%); goroutines %d → %d; open files %d → %d\n",
		100*r.rssGrowth(), 100*o.MaxRSSGrowth, r.start.Goroutines, r.end.Goroutines, r.start.OpenFiles, r.end.OpenFiles)
	cpu := r.end.CPU - r.start.CPU
	fmt.Fprintf(out, "  the panel's CPU from start to end: %.1f s in %s (%.0f%% of one core)\n", cpu, (r.end.At - r.start.At).Round(time.Second),
		100*cpu/(r.end.At-r.start.At).Seconds())

	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  %s\trequests\terrors\t\n", "kind (warm-up included)")
	for _, name := range r.t.rows() {
		k := r.t.kinds[name]
		fmt.Fprintf(tw, "  %s\t%d\t%d\t\n", name, k.requests, k.errors)
	}
	reqs, errs := r.t.totals()
	fmt.Fprintf(tw, "  %s\t%d\t%d\t\n", "total", reqs, errs)
	tw.Flush()
	for _, name := range r.t.rows() {
		if k := r.t.kinds[name]; k.errors > 0 {
			fmt.Fprintf(out, "  %s: first error: %s\n", name, k.firstErr)
		}
	}
	fmt.Fprintf(out, "  subscription events received: %d\n", r.events)
	if r.retried != "" {
		fmt.Fprintf(out, "  clean-up: the delete job was resumed after: %s\n", r.retried)
	}
	if r.panel.Log != "" {
		fmt.Fprintf(out, "  secrets in the panel's log (%d bytes): %d found of %d the soak sent or received\n", r.logBytes, len(r.leaks), r.secrets)
	}
	if r.cleanup != nil {
		fmt.Fprintf(out, "  clean-up: %v\n", r.cleanup)
	}
	verdict := "PASS"
	if len(r.verdict()) > 0 {
		verdict = "FAIL"
	}
	fmt.Fprintf(out, "  verdict: %s (errors must be 0, RSS within +%.0f%%)\n", verdict, 100*o.MaxRSSGrowth)
}
