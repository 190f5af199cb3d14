package tokens_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kaas/models"
	"kaas/store"
	"kaas/tokens"
)

// flakyStore is the real store whose token reads fail while down, as with the database
// unreachable.
type flakyStore struct {
	*store.DB
	down atomic.Bool
}

var errDown = models.Errorf(models.CodeUnavailable, "the database is unreachable")

func (f *flakyStore) LiveTokens(ctx context.Context, now time.Time, fn func(models.TokenKey)) (int64, error) {
	if f.down.Load() {
		return 0, errDown
	}
	return f.DB.LiveTokens(ctx, now, fn)
}

func (f *flakyStore) TokenChanges(ctx context.Context, after int64, limit int) ([]models.TokenChange, error) {
	if f.down.Load() {
		return nil, errDown
	}
	return f.DB.TokenChanges(ctx, after, limit)
}

// replica is a token service with an index over db, as one panel replica has.
func replica(t *testing.T, db tokens.IndexStore, st tokens.Store, clk *clock, opts tokens.IndexOptions) (*tokens.Service, *tokens.Index) {
	t.Helper()
	opts.Now = clk.now
	x := tokens.NewIndex(db, opts)
	if err := x.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tokens.NewService(st, x, tokens.Options{Now: clk.now}), x
}

func authenticates(t *testing.T, s *tokens.Service, secret string) string {
	t.Helper()
	_, err := s.Authenticate(context.Background(), secret, "")
	return string(models.ErrorCode(err))
}

// TestIndexFollowsTheChangeLog: a token created on one replica is accepted on another at
// its first review there (the review catches up first: its creation notice may not have
// arrived yet); a token deleted on one replica is refused on another once it catches up.
func TestIndexFollowsTheChangeLog(t *testing.T) {
	ctx := context.Background()
	db, clk := openStore(t), newClock()
	a, _ := replica(t, db, db, clk, tokens.IndexOptions{InProcess: true})
	b, bx := replica(t, db, db, clk, tokens.IndexOptions{}) // another process: it follows the notices
	bx.Listening(ctx)
	secret, tok, err := a.Create(ctx, alice, "ci", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := authenticates(t, a, secret); got != "" {
		t.Fatalf("the creating replica refuses its token: %s", got)
	}
	if got := authenticates(t, b, secret); got != "" {
		t.Fatalf("the other replica refused a token created before its notice came: %q", got)
	}
	if err := bx.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := authenticates(t, b, secret); got != "" {
		t.Fatalf("after catching up: %s", got)
	}
	if _, err := a.Delete(ctx, alice.UserID, tok.ID); err != nil {
		t.Fatal(err)
	}
	if got := authenticates(t, a, secret); got != string(models.CodeUnauthenticated) {
		t.Fatalf("the deleting replica accepts its deleted token: %q", got)
	}
	if err := bx.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := authenticates(t, b, secret); got != string(models.CodeUnauthenticated) {
		t.Fatalf("the other replica accepts a deleted token after catching up: %q", got)
	}
	if bx.Len() != 0 {
		t.Fatalf("index holds %d tokens", bx.Len())
	}
}

// TestIndexReloadsWhenTheChangeLogNoLongerReachesBack: a replica whose last change was
// pruned reloads every token instead of missing changes.
func TestIndexReloadsWhenTheChangeLogNoLongerReachesBack(t *testing.T) {
	ctx := context.Background()
	db, clk := openStore(t), newClock()
	a, _ := replica(t, db, db, clk, tokens.IndexOptions{InProcess: true})
	first, _, _ := a.Create(ctx, alice, "one", 0)
	b, bx := replica(t, db, db, clk, tokens.IndexOptions{InProcess: true}) // current as of change 1
	second, tok2, _ := a.Create(ctx, alice, "two", 0)
	third, _, _ := a.Create(ctx, alice, "three", 0)
	if _, err := a.Delete(ctx, alice.UserID, tok2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteExpiredTokens(ctx, time.Now().Add(time.Hour)); err != nil { // prunes the change log but its newest
		t.Fatal(err)
	}
	if _, err := db.TokenChanges(ctx, 1, 10); models.ErrorCode(err) != models.CodeConflict {
		t.Fatalf("reading past a pruned change: %v", err)
	}
	if err := bx.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	for secret, want := range map[string]string{first: "", second: string(models.CodeUnauthenticated), third: ""} {
		if got := authenticates(t, b, secret); got != want {
			t.Errorf("after the reload: %q, want %q", got, want)
		}
	}
}

// TestIndexServesFromMemoryWhileTheDatabaseIsDown: tokens known before the outage keep
// authenticating for the stale window, revocations made before it stay in force, an
// unknown token is UNAVAILABLE (it may have been created elsewhere meanwhile), and past
// the window everything is UNAVAILABLE until the database is back.
func TestIndexServesFromMemoryWhileTheDatabaseIsDown(t *testing.T) {
	ctx := context.Background()
	db, clk := openStore(t), newClock()
	flaky := &flakyStore{DB: db}
	writer, _ := replica(t, db, db, clk, tokens.IndexOptions{InProcess: true})
	kept, _, _ := writer.Create(ctx, alice, "kept", 0)
	revoked, revokedTok, _ := writer.Create(ctx, alice, "revoked", 0)

	svc, x := replica(t, flaky, db, clk, tokens.IndexOptions{StaleWindow: 10 * time.Minute})
	x.Listening(ctx)
	if st := x.State(); st.FromMemory || st.Tokens != 2 {
		t.Fatalf("following the database: %+v", st)
	}
	if _, err := writer.Delete(ctx, alice.UserID, revokedTok.ID); err != nil {
		t.Fatal(err)
	}
	x.Revoked(ctx, revokedTok.ID) // the notice, committed before the outage

	flaky.down.Store(true)
	x.Lost()
	if err := x.CatchUp(ctx); err == nil {
		t.Fatal("caught up with the database down")
	}
	unknown, _ := tokens.Generate(nil)
	for _, tc := range []struct {
		name, secret, want string
	}{
		{"known", kept, ""},
		{"revoked before the outage", revoked, string(models.CodeUnauthenticated)},
		{"never seen", unknown, string(models.CodeUnavailable)},
	} {
		if got := authenticates(t, svc, tc.secret); got != tc.want {
			t.Errorf("%s, database down: %q, want %q", tc.name, got, tc.want)
		}
	}
	if st := x.State(); !st.FromMemory {
		t.Fatalf("the index does not say it serves from memory: %+v", st)
	}
	clk.add(10*time.Minute + time.Second)
	if got := authenticates(t, svc, kept); got != string(models.CodeUnavailable) {
		t.Fatalf("past the stale window: %q", got)
	}
	if st := x.State(); st.Unconfirmed <= 10*time.Minute {
		t.Fatalf("unconfirmed for %s", st.Unconfirmed)
	}

	flaky.down.Store(false)
	x.Listening(ctx)
	if got := authenticates(t, svc, kept); got != "" {
		t.Fatalf("the database is back: %q", got)
	}
	if got := authenticates(t, svc, unknown); got != string(models.CodeUnauthenticated) {
		t.Fatalf("the database is back, unknown token: %q", got)
	}
	if st := x.State(); st.FromMemory {
		t.Fatalf("still from memory: %+v", st)
	}
}

// TestUsesRecordedDuringAnOutageAreWrittenWhenTheDatabaseIsBack keeps last-used updates.
func TestUsesRecordedDuringAnOutageAreWrittenWhenTheDatabaseIsBack(t *testing.T) {
	var (
		mu      sync.Mutex
		down    = true
		written []models.TokenUse
	)
	u := tokens.NewUsageRecorder(func(_ context.Context, uses []models.TokenUse) error {
		mu.Lock()
		defer mu.Unlock()
		if down {
			return errors.New("database unreachable")
		}
		written = append(written, uses...)
		return nil
	}, time.Hour, slog.New(slog.DiscardHandler))
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	u.Record(models.TokenUse{TokenID: "t1", At: at, Cluster: "demo"})
	u.Flush(context.Background())
	mu.Lock()
	down = false
	mu.Unlock()
	u.Flush(context.Background())
	if len(written) != 1 || written[0].TokenID != "t1" || !written[0].At.Equal(at) || written[0].Cluster != "demo" {
		t.Fatalf("written after the outage: %+v", written)
	}
}

// generatedTokens is an IndexStore of n synthetic live tokens.
type generatedTokens struct{ n, users int }

func (g generatedTokens) LiveTokens(_ context.Context, now time.Time, fn func(models.TokenKey)) (int64, error) {
	h := make([]byte, 32)
	for i := range g.n {
		for j := range 8 {
			h[j] = byte(i >> (8 * j))
		}
		fn(models.TokenKey{ID: fmt.Sprintf("%08x-2c55-4b53-9a57-0b1b4d6f2a10", i), UserID: fmt.Sprintf("user-%032d", i%g.users),
			Hash: h, ExpiresAt: now.Add(time.Hour)})
	}
	return 0, nil
}

func (generatedTokens) TokenChanges(context.Context, int64, int) ([]models.TokenChange, error) {
	return nil, nil
}

// BenchmarkIndexMemory measures the heap an index of 100,000 and 1,000,000 live tokens
// (1,000 owners, UUID IDs) holds, reported as bytes per token.
func BenchmarkIndexMemory(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				x := tokens.NewIndex(generatedTokens{n: n, users: 1000}, tokens.IndexOptions{})
				if err := x.Load(context.Background()); err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				if x.Len() != n {
					b.Fatalf("index holds %d tokens", x.Len())
				}
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "B/token")
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB")
				runtime.KeepAlive(x)
			}
		})
	}
}

// TestUsageResolutionWritesATokenAtMostOnceAMinute: with a resolution, repeated uses on
// the same cluster are written once a resolution, a use on another cluster at once.
func TestUsageResolutionWritesATokenAtMostOnceAMinute(t *testing.T) {
	var written []models.TokenUse
	u := tokens.NewUsageRecorder(func(_ context.Context, uses []models.TokenUse) error {
		written = append(written, uses...)
		return nil
	}, time.Hour, slog.New(slog.DiscardHandler))
	u.Resolution = time.Minute
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		name    string
		at      time.Duration
		cluster string
		writes  int // uses written by the flush after it
	}{
		{"first use", 0, "a", 1},
		{"again, same cluster", 10 * time.Second, "a", 0},
		{"again, from the panel's API", 20 * time.Second, "", 0},
		{"another cluster", 30 * time.Second, "b", 1},
		{"a resolution after the last written", 91 * time.Second, "b", 1},
	}
	for _, st := range steps {
		before := len(written)
		u.Record(models.TokenUse{TokenID: "t1", At: t0.Add(st.at), Cluster: st.cluster})
		u.Flush(context.Background())
		if got := len(written) - before; got != st.writes {
			t.Fatalf("%s: %d uses written, want %d", st.name, got, st.writes)
		}
	}
	if last := written[len(written)-1]; !last.At.Equal(t0.Add(91*time.Second)) || last.Cluster != "b" {
		t.Fatalf("last written %+v", last)
	}
}

// slowChanges holds TokenChanges until released.
type slowChanges struct {
	*store.DB
	hold    atomic.Bool // from then on, the first caller is held until released
	entered chan struct{}
	release chan struct{}
}

func (s *slowChanges) TokenChanges(ctx context.Context, after int64, limit int) ([]models.TokenChange, error) {
	if s.hold.Load() {
		select {
		case s.entered <- struct{}{}:
		default:
		}
		<-s.release
	}
	return s.DB.TokenChanges(ctx, after, limit)
}

// TestAReviewDuringACatchUpWaitsForIt: a token whose creation notice is being followed
// is not refused for having come a moment early.
func TestAReviewDuringACatchUpWaitsForIt(t *testing.T) {
	ctx := context.Background()
	db, clk := openStore(t), newClock()
	writer, _ := replica(t, db, db, clk, tokens.IndexOptions{InProcess: true})
	slow := &slowChanges{DB: db, entered: make(chan struct{}, 1), release: make(chan struct{})}
	svc, x := replica(t, slow, db, clk, tokens.IndexOptions{}) // another process: it follows the notices
	x.Listening(ctx)
	slow.hold.Store(true)
	secret, _, err := writer.Create(ctx, alice, "new", 0)
	if err != nil {
		t.Fatal(err)
	}
	go x.CatchUp(ctx) // the creation notice
	<-slow.entered
	result := make(chan error, 1)
	go func() { _, err := svc.Authenticate(ctx, secret, ""); result <- err }()
	time.Sleep(20 * time.Millisecond) // the review is waiting
	close(slow.release)
	if err := <-result; err != nil {
		t.Fatalf("a review during the catch-up that brings its token: %v", err)
	}
}

// TestUnknownTokensAreLookedUpWhileNoticesAreLost: with the notice connection lost but
// the database answering, a review of an unknown token catches up first, so a token
// created elsewhere meanwhile is accepted and a never-seen one refused, not unavailable.
func TestUnknownTokensAreLookedUpWhileNoticesAreLost(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	writer, _ := replica(t, db, db, newClock(), tokens.IndexOptions{InProcess: true})
	x := tokens.NewIndex(db, tokens.IndexOptions{}) // real clock: catch-ups come after the reviews that ask for them
	if err := x.Load(ctx); err != nil {
		t.Fatal(err)
	}
	svc := tokens.NewService(db, x, tokens.Options{})
	x.Listening(ctx)
	x.Lost()
	created, _, err := writer.Create(ctx, alice, "meanwhile", 0)
	if err != nil {
		t.Fatal(err)
	}
	never, _ := tokens.Generate(nil)
	for _, tc := range []struct{ name, secret, want string }{
		{"created elsewhere meanwhile", created, ""},
		{"never seen", never, string(models.CodeUnauthenticated)},
	} {
		if got := authenticates(t, svc, tc.secret); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if !x.State().FromMemory {
		t.Fatal("the index says it follows the notices")
	}
}

// countingChanges counts the change-log queries and holds the first until released.
type countingChanges struct {
	*store.DB
	calls   atomic.Int64
	entered chan struct{}
	release chan struct{}
}

func (s *countingChanges) TokenChanges(ctx context.Context, after int64, limit int) ([]models.TokenChange, error) {
	if s.calls.Add(1) == 1 {
		s.entered <- struct{}{}
		<-s.release
	}
	return s.DB.TokenChanges(ctx, after, limit)
}

// TestNeverSeenTokensShareCatchUps: 64 reviews of never-seen tokens that arrive while a
// catch-up runs are all answered by one more catch-up, not one query each.
func TestNeverSeenTokensShareCatchUps(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	counting := &countingChanges{DB: db, entered: make(chan struct{}, 1), release: make(chan struct{})}
	x := tokens.NewIndex(counting, tokens.IndexOptions{}) // real clock; another process
	if err := x.Load(ctx); err != nil {
		t.Fatal(err)
	}
	counting.calls.Store(-1) // Listening's catch-up is not held
	x.Listening(ctx)
	counting.calls.Store(0)
	svc := tokens.NewService(db, x, tokens.Options{})
	go func() { _ = x.CatchUp(ctx) }()
	<-counting.entered
	var wg sync.WaitGroup
	refused := atomic.Int64{}
	for range 64 {
		never, _ := tokens.Generate(nil)
		wg.Go(func() {
			if _, err := svc.Authenticate(ctx, never, ""); models.ErrorCode(err) == models.CodeUnauthenticated {
				refused.Add(1)
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // the reviews wait for the catch-up in progress
	close(counting.release)
	wg.Wait()
	if refused.Load() != 64 {
		t.Errorf("%d of 64 never-seen tokens refused", refused.Load())
	}
	if n := counting.calls.Load(); n > 3 {
		t.Errorf("%d change-log queries for 64 concurrent never-seen reviews, want at most 3", n)
	}
}

// TestInProcessUnknownTokensNeedNoCatchUp: with every change going through this process
// (SQLite), a never-seen token is refused without a query.
func TestInProcessUnknownTokensNeedNoCatchUp(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	counting := &countingChanges{DB: db, entered: make(chan struct{}, 1), release: make(chan struct{})}
	close(counting.release)
	x := tokens.NewIndex(counting, tokens.IndexOptions{InProcess: true})
	if err := x.Load(ctx); err != nil {
		t.Fatal(err)
	}
	svc := tokens.NewService(db, x, tokens.Options{})
	for range 100 {
		never, _ := tokens.Generate(nil)
		if _, err := svc.Authenticate(ctx, never, ""); models.ErrorCode(err) != models.CodeUnauthenticated {
			t.Fatalf("never seen: %v", err)
		}
	}
	if n := counting.calls.Load(); n != 0 {
		t.Errorf("%d change-log queries for 100 never-seen tokens in process, want 0", n)
	}
}
