// Command kaas-replicabench measures the panel as several real processes on one
// PostgreSQL server of its own (BENCHMARKS.md, "Several replicas"): how soon a token
// deleted through one replica is refused by the others, and TokenReview throughput with
// 1, 2, … replicas behind one load generator that spreads its connections over them. It
// needs the test Keystone (scripts/services.sh, then . .state/test-env.sh).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"kaas/internal/loadgen"
	"kaas/internal/replicaset"
	"kaas/models"
	"kaas/store"
	"kaas/tokens"
)

type options struct {
	Replicas    int
	Deletions   int
	Tokens      int
	Concurrency int
	Duration    time.Duration
	Rounds      int
	Bin         string
}

func main() {
	var o options
	flag.IntVar(&o.Replicas, "replicas", 3, "panel processes (throughput is measured with 1 … this many)")
	flag.IntVar(&o.Deletions, "deletions", 1000, "tokens deleted through the first replica while the others are watched")
	flag.IntVar(&o.Tokens, "tokens", 20000, "distinct tokens the load generator sends")
	flag.IntVar(&o.Concurrency, "concurrency", 48, "closed-loop clients, one keep-alive connection each, spread over the replicas")
	flag.DurationVar(&o.Duration, "duration", 5*time.Second, "measured time of each replica count in each round")
	flag.IntVar(&o.Rounds, "rounds", 2, "rounds over the replica counts (interleaved, so the machine's other work weighs on each alike)")
	flag.StringVar(&o.Bin, "bin", "", "panel binary (default: built from this module)")
	flag.Parse()
	if o.Replicas < 2 || o.Replicas > 8 || o.Deletions < 1 || o.Tokens < 1 || o.Concurrency < 1 || o.Rounds < 1 || o.Duration <= 0 || o.Duration > 30*time.Second {
		fmt.Fprintln(os.Stderr, "kaas-replicabench: -replicas 2..8, -duration up to 30s, the counts positive")
		os.Exit(2)
	}
	if os.Getenv("OS_AUTH_URL") == "" {
		fmt.Fprintln(os.Stderr, "kaas-replicabench: OS_AUTH_URL is not set: run scripts/services.sh and . .state/test-env.sh first")
		os.Exit(2)
	}
	if err := run(context.Background(), o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kaas-replicabench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, out io.Writer) error {
	dir, err := os.MkdirTemp("", "kaas-replicabench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if o.Bin == "" {
		if o.Bin, err = replicaset.Build(dir); err != nil {
			return err
		}
	}
	pg, err := replicaset.StartPostgres()
	if err != nil {
		return err
	}
	defer pg.Remove()
	if err := pg.CreateDatabase(ctx, "bench"); err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	names := make([]string, o.Replicas)
	for i := range names {
		names[i] = string(rune('a' + i))
	}
	rs, err := replicaset.New(replicaset.Options{Bin: o.Bin, Dir: dir, DSN: pg.DSN("bench"), Names: names, Args: []string{"--log-level", "warn"}})
	if err != nil {
		return err
	}
	defer func() {
		for _, r := range rs {
			r.Stop()
		}
	}()
	for _, r := range rs {
		if err := r.Start(); err != nil {
			return err
		}
	}
	db, err := store.Open(ctx, store.Options{DSN: pg.DSN("bench")})
	if err != nil {
		return err
	}
	defer db.Close()

	browser := newGraphQL(rs[0].URL)
	userID, err := browser.login("ursula", "ursula-pass")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "# %d replicas of the panel on one PostgreSQL (private server, fsync off), GOMAXPROCS per process = %d cores\n\n", o.Replicas, numCPU())

	revoked, err := insertTokens(ctx, db, userID, "ursula", o.Deletions)
	if err != nil {
		return err
	}
	if err := measureRevocation(browser, rs, revoked, out); err != nil {
		return err
	}
	load, err := insertTokens(ctx, db, userID, "ursula", o.Tokens)
	if err != nil {
		return err
	}
	return measureThroughput(o, rs, load, out)
}

// token is a stored token's ID and secret.
type token struct{ id, secret string }

func insertTokens(ctx context.Context, db *store.DB, userID, username string, n int) ([]token, error) {
	now := time.Now().UTC()
	out := make([]token, 0, n)
	rows := make([]models.Token, 0, n)
	for i := 0; i < n; i++ {
		secret, err := tokens.Generate(nil)
		if err != nil {
			return nil, err
		}
		h, err := tokens.Parse(secret)
		if err != nil {
			return nil, err
		}
		id := uuid.NewString()
		rows = append(rows, models.Token{ID: id, UserID: userID, Username: username, Name: "bench-" + strconv.Itoa(i),
			Prefix: tokens.DisplayPrefix(secret), Hash: h[:], CreatedAt: now, ExpiresAt: now.Add(models.MaxTokenLifetime)})
		out = append(out, token{id, secret})
	}
	if err := db.CreateTokens(ctx, rows); err != nil {
		return nil, fmt.Errorf("insert tokens: %w", err)
	}
	return out, nil
}

// measureRevocation deletes each token through the first replica (GraphQL, as a user
// would) once every other replica has it cached, and measures from the deletion's answer
// until each other replica refuses it (polled back to back).
func measureRevocation(browser *graphQL, rs []*replicaset.Replica, toks []token, out io.Writer) error {
	client := &http.Client{Timeout: 10 * time.Second}
	var lags, deletes []time.Duration
	for _, tk := range toks {
		body := reviewBody(tk.secret)
		for _, r := range rs[1:] {
			if ok, err := review(client, r.URL, body); !ok || err != nil {
				return fmt.Errorf("warm %s: authenticated=%v err=%v", r.Name, ok, err)
			}
		}
		began := time.Now()
		if err := browser.do(`mutation($id:ID!){deleteToken(id:$id)}`, map[string]any{"id": tk.id}); err != nil {
			return err
		}
		deleted := time.Now()
		deletes = append(deletes, deleted.Sub(began))
		var wg sync.WaitGroup
		var mu sync.Mutex
		var failed error
		for _, r := range rs[1:] {
			wg.Go(func() {
				for {
					ok, err := review(client, r.URL, body)
					if err != nil || time.Since(deleted) > 30*time.Second {
						mu.Lock()
						failed = errors.Join(failed, fmt.Errorf("%s: %v (still accepted: %v)", r.Name, err, ok))
						mu.Unlock()
						return
					}
					if !ok {
						mu.Lock()
						lags = append(lags, time.Since(deleted))
						mu.Unlock()
						return
					}
				}
			})
		}
		wg.Wait()
		if failed != nil {
			return failed
		}
	}
	slices.Sort(lags)
	slices.Sort(deletes)
	fmt.Fprintf(out, "## Revocation across replicas: %d deletions through replica a, watched on %d other replicas\n\n", len(toks), len(rs)-1)
	fmt.Fprintln(out, "| measured | samples | p50 | p90 | p99 | max |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|")
	fmt.Fprintf(out, "| deleteToken answered (GraphQL on a) | %d | %s | %s | %s | %s |\n", len(deletes), ms(pct(deletes, .5)), ms(pct(deletes, .9)), ms(pct(deletes, .99)), ms(deletes[len(deletes)-1]))
	fmt.Fprintf(out, "| answer → refused by another replica | %d | %s | %s | %s | %s |\n\n", len(lags), ms(pct(lags, .5)), ms(pct(lags, .9)), ms(pct(lags, .99)), ms(lags[len(lags)-1]))
	return nil
}

// measureThroughput runs closed-loop TokenReviews of known tokens against the first k
// replicas for k = 1 … n, the clients spread round-robin over them, in interleaved rounds.
func measureThroughput(o options, rs []*replicaset.Replica, toks []token, out io.Writer) error {
	bodies := make([][]byte, len(toks))
	for i, tk := range toks {
		bodies[i] = reviewBody(tk.secret)
	}
	// Warm every replica's token and identity caches with every token.
	warm := &http.Client{Timeout: 10 * time.Second}
	for _, r := range rs {
		for _, b := range bodies {
			if ok, err := review(warm, r.URL, b); !ok || err != nil {
				return fmt.Errorf("warm %s: authenticated=%v err=%v", r.Name, ok, err)
			}
		}
	}
	type total struct {
		requests int64
		elapsed  time.Duration
		lat      []time.Duration
		cpuPanel time.Duration // CPU time of the replicas, all of them
		cpuLoad  time.Duration // CPU time of this load generator
		errs     int64
	}
	totals := make([]total, len(rs)+1)
	for round := 0; round < o.Rounds; round++ {
		for k := 1; k <= len(rs); k++ {
			targets := rs[:k]
			panelBefore, loadBefore := cpuOf(rs), loadgen.SelfCPU()
			res := closedLoop(targets, bodies, o.Concurrency, o.Duration)
			t := &totals[k]
			t.requests += res.requests
			t.elapsed += res.elapsed
			t.errs += res.errs
			t.lat = append(t.lat, res.lat...)
			t.cpuPanel += cpuOf(rs) - panelBefore
			t.cpuLoad += loadgen.SelfCPU() - loadBefore
		}
	}
	fmt.Fprintf(out, "## TokenReview throughput: %d known tokens, %d clients spread over the replicas, %d × %s per replica count\n\n", len(toks), o.Concurrency, o.Rounds, o.Duration)
	fmt.Fprintln(out, "| replicas | reviews/s | p50 | p99 | errors | panel CPU (cores) | load generator CPU (cores) |")
	fmt.Fprintln(out, "|---:|---:|---:|---:|---:|---:|---:|")
	for k := 1; k <= len(rs); k++ {
		t := totals[k]
		slices.Sort(t.lat)
		secs := t.elapsed.Seconds()
		fmt.Fprintf(out, "| %d | %.0f | %s | %s | %d | %.2f | %.2f |\n", k, float64(t.requests)/secs, ms(pct(t.lat, .5)), ms(pct(t.lat, .99)), t.errs,
			t.cpuPanel.Seconds()/secs, t.cpuLoad.Seconds()/secs)
	}
	fmt.Fprintln(out)
	return nil
}

type loopResult struct {
	requests, errs int64
	elapsed        time.Duration
	lat            []time.Duration
}

// closedLoop runs concurrency clients for d, client i sending to targets[i % len].
func closedLoop(targets []*replicaset.Replica, bodies [][]byte, concurrency int, d time.Duration) loopResult {
	var next atomic.Int64
	var mu sync.Mutex
	var res loopResult
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < concurrency; i++ {
		url := targets[i%len(targets)].URL
		wg.Go(func() {
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			defer client.CloseIdleConnections()
			var lat []time.Duration
			var errs int64
			for time.Since(start) < d {
				b := bodies[int(next.Add(1))%len(bodies)]
				t0 := time.Now()
				ok, err := review(client, url, b)
				lat = append(lat, time.Since(t0))
				if !ok || err != nil {
					errs++
				}
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.requests += int64(len(lat))
			res.errs += errs
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

func reviewBody(secret string) []byte {
	b, _ := json.Marshal(map[string]any{"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": map[string]any{"token": secret}})
	return b
}

func review(client *http.Client, url string, body []byte) (bool, error) {
	resp, err := client.Post(url+"/authenticate", "application/json", bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return false, err
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("review: %s", resp.Status)
	}
	var r struct {
		Status struct{ Authenticated bool }
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return false, err
	}
	return r.Status.Authenticated, nil
}

// graphQL is a GraphQL client with a cookie jar (a browser session).
type graphQL struct {
	url    string
	client *http.Client
}

func newGraphQL(url string) *graphQL {
	jar, _ := cookiejar.New(nil)
	return &graphQL{url: url, client: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (g *graphQL) post(query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := g.client.Post(g.url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("graphql answer: %w", err)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("graphql: %s", r.Errors[0].Message)
	}
	if out != nil {
		return json.Unmarshal(r.Data, out)
	}
	return nil
}

func (g *graphQL) do(query string, vars map[string]any) error { return g.post(query, vars, nil) }

func (g *graphQL) login(user, password string) (string, error) {
	var out struct{ Login struct{ ID string } }
	err := g.post(`mutation($u:String!,$p:String!){login(username:$u,password:$p){id}}`, map[string]any{"u": user, "p": password}, &out)
	return out.Login.ID, err
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// cpuOf is the CPU time (user + system) the replicas' processes have used so far.
func cpuOf(rs []*replicaset.Replica) time.Duration {
	var sum time.Duration
	for _, r := range rs {
		sum += procCPU(r.PID())
	}
	return sum
}

// procCPU reads utime + stime of a process from /proc (clock ticks of 10 ms).
func procCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) start after the last ')'.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "processor\t:")
}
