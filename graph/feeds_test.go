package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"kaas/graph/generated"
	"kaas/models"
)

const testJob = "job-1"

// fakeJobs is an in-memory job engine with one job: Subscribe replays the stored
// events after a seq, then streams new ones, and closes after the final one.
type fakeJobs struct {
	mu         sync.Mutex
	events     []models.JobEvent // seq i+1 at index i
	changed    chan struct{}     // closed and replaced at every append
	subscribes atomic.Int64
}

func newFakeJobs() *fakeJobs { return &fakeJobs{changed: make(chan struct{})} }

// emit records n events, the last with status (running or final).
func (j *fakeJobs) emit(n int, message string, last models.JobStatus) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := range n {
		status := models.JobRunning
		if i == n-1 {
			status = last
		}
		seq := len(j.events) + 1
		j.events = append(j.events, models.JobEvent{JobID: testJob, Seq: seq, At: time.Now(), Step: "emit", Percent: seq % 100,
			Level: models.EventInfo, Message: fmt.Sprintf("%s %d", message, seq), Status: status})
	}
	close(j.changed)
	j.changed = make(chan struct{})
}

func (j *fakeJobs) Subscribe(ctx context.Context, jobID string, after int) (<-chan *models.JobEvent, error) {
	switch {
	case jobID != testJob:
		return nil, models.Errorf(models.CodeNotFound, "no job %s", jobID)
	case after < 0:
		return nil, models.Errorf(models.CodeInvalid, "after is 0 or more")
	}
	j.subscribes.Add(1)
	out := make(chan *models.JobEvent, 16)
	go func() {
		defer close(out)
		next := after + 1
		for {
			j.mu.Lock()
			evs, changed := j.events, j.changed
			j.mu.Unlock()
			for ; next <= len(evs); next++ {
				ev := evs[next-1]
				select {
				case out <- &ev:
				case <-ctx.Done():
					return
				}
				if ev.Status.Final() {
					return
				}
			}
			if len(evs) > 0 && evs[len(evs)-1].Status.Final() {
				return // the job ended before after
			}
			select {
			case <-changed:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// fakeRoot resolves jobProgress for operators only (the user "oscar"), as the panel's
// resolver does, from fakeJobs.
type fakeRoot struct {
	generated.ResolverRoot
	jobs *fakeJobs
}

func (r fakeRoot) Subscription() generated.SubscriptionResolver { return fakeSubscription(r) }

// AuthorizeJobProgress is JobProgress's checks.
func (r fakeRoot) AuthorizeJobProgress(ctx context.Context, jobID string, jobKnown bool) error {
	if user, _ := ctx.Value(userKey{}).(string); user != "oscar" {
		return models.Errorf(models.CodeForbidden, "operators only")
	}
	if !jobKnown && jobID != testJob {
		return models.Errorf(models.CodeNotFound, "no job %s", jobID)
	}
	return nil
}

type fakeSubscription fakeRoot

func (r fakeSubscription) JobProgress(ctx context.Context, jobID string, after *int) (<-chan *models.JobEvent, error) {
	if user, _ := ctx.Value(userKey{}).(string); user != "oscar" {
		return nil, models.Errorf(models.CodeForbidden, "operators only")
	}
	a := 0
	if after != nil {
		a = *after
	}
	return r.jobs.Subscribe(ctx, jobID, a)
}

// feedPanel is the GraphQL server over fakeJobs on a loopback listener.
type feedPanel struct {
	jobs      *fakeJobs
	feeds     *feeds
	transport *wsTransport
	url       string
}

func startFeedPanel(t *testing.T, history int) *feedPanel {
	t.Helper()
	jobs := newFakeJobs()
	srv, ws := newServer(Options{
		Resolvers: fakeRoot{jobs: jobs}, Jobs: jobs, Log: slog.New(slog.NewTextHandler(os.Stderr, nil)),
		WebsocketInit: func(ctx context.Context, authz string) (context.Context, error) {
			return asUser(ctx, authz), nil
		},
		WebsocketLimits: WebsocketLimits{MaxConnections: 1000, MaxSubscriptions: 1000, PingInterval: time.Hour, Principal: func(ctx context.Context) string {
			id, _ := ctx.Value(userKey{}).(string)
			return id
		}},
	})
	ws.feeds.history = history
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &feedPanel{jobs: jobs, feeds: ws.feeds, transport: ws, url: "ws" + strings.TrimPrefix(hs.URL, "http")}
}

// liveFeeds is how many feeds are running.
func (p *feedPanel) liveFeeds() int {
	p.feeds.mu.Lock()
	defer p.feeds.mu.Unlock()
	return len(p.feeds.byKey)
}

// attached is how many subscribers are on feeds.
func (p *feedPanel) attached() int {
	p.feeds.mu.Lock()
	defer p.feeds.mu.Unlock()
	n := 0
	for _, f := range p.feeds.byKey {
		f.mu.Lock()
		n += len(f.subs)
		f.mu.Unlock()
	}
	return n
}

// testSub is one graphql-transport-ws client following jobProgress.
type testSub struct {
	t    *testing.T
	conn *websocket.Conn
	mu   sync.Mutex
	got  []json.RawMessage // the jobProgress objects received
	end  string            // "complete" or the error payload
	done chan struct{}
}

// subscribe connects as user and subscribes with query (variables: id, after).
func (p *feedPanel) subscribe(t *testing.T, user, query string, after int, read bool) *testSub {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, p.url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c.SetReadLimit(1 << 24)
	t.Cleanup(func() { c.CloseNow() })
	write := func(m string) {
		if err := c.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"type":"connection_init","payload":{"authorization":"` + user + `"}}`)
	if _, b, err := c.Read(ctx); err != nil || !strings.Contains(string(b), "connection_ack") {
		t.Fatalf("connection_ack: %s %v", b, err)
	}
	payload, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"id": testJob, "after": after}})
	write(`{"id":"s1","type":"subscribe","payload":` + string(payload) + `}`)
	s := &testSub{t: t, conn: c, done: make(chan struct{})}
	if read {
		go s.read()
	}
	return s
}

func (s *testSub) read() {
	defer close(s.done)
	for {
		_, b, err := s.conn.Read(context.Background())
		if err != nil {
			s.setEnd("read: " + err.Error())
			return
		}
		var m struct {
			ID, Type string
			Payload  struct {
				Data   map[string]json.RawMessage
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
		}
		if err := json.Unmarshal(b, &m); err != nil {
			s.setEnd("bad message: " + string(b))
			return
		}
		switch {
		case m.Type == "ping":
			_ = s.conn.Write(context.Background(), websocket.MessageText, []byte(`{"type":"pong"}`))
		case m.Type == "next" && len(m.Payload.Errors) > 0:
			s.setEnd(fmt.Sprintf("errors: %v", m.Payload.Errors[0].Extensions["code"]))
		case m.Type == "next":
			for _, v := range m.Payload.Data {
				s.mu.Lock()
				s.got = append(s.got, v)
				s.mu.Unlock()
			}
		case m.Type == "complete":
			if s.end == "" {
				s.setEnd("complete")
			}
			return
		default:
			s.setEnd("unexpected: " + string(b))
			return
		}
	}
}

func (s *testSub) setEnd(e string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.end == "" {
		s.end = e
	}
}

// wait waits for the subscription to end and returns what it received.
func (s *testSub) wait(timeout time.Duration) ([]json.RawMessage, string) {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(timeout):
		s.t.Fatalf("the subscription did not end within %v", timeout)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got, s.end
}

// ended reports whether the subscription ended.
func (s *testSub) ended() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.end != ""
}

// count is how many events s has received so far.
func (s *testSub) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

// seqs decodes the seq of every event received.
func seqs(t *testing.T, got []json.RawMessage) []int {
	t.Helper()
	out := make([]int, len(got))
	for i, g := range got {
		var ev struct{ Seq int }
		if err := json.Unmarshal(g, &ev); err != nil {
			t.Fatalf("event %s: %v", g, err)
		}
		out[i] = ev.Seq
	}
	return out
}

// checkAll checks that got holds seq from+1..to, once each, in order.
func checkAll(t *testing.T, name string, got []int, from, to int) {
	t.Helper()
	if len(got) != to-from {
		t.Fatalf("%s: got %d events, want %d (%d–%d)", name, len(got), to-from, from+1, to)
	}
	for i, seq := range got {
		if seq != from+1+i {
			t.Fatalf("%s: event %d has seq %d, want %d", name, i, seq, from+1+i)
		}
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const progressQuery = `subscription($id: ID!, $after: Int) { jobProgress(jobId: $id, after: $after) { seq status message } }`

// TestSharedFeedDeliversEveryEventOnceInOrder has many subscribers of one selection
// share a feed: every subscriber gets every event once, in order, and each event is
// executed once, not once per subscriber.
func TestSharedFeedDeliversEveryEventOnceInOrder(t *testing.T) {
	// Every connection may have 256 events waiting before its subscriber is dropped:
	// 253 in all cannot be too many, however slowly the clients read.
	const subscribers, live = 40, 250
	p := startFeedPanel(t, feedHistory)
	p.jobs.emit(3, "before", models.JobRunning)
	var subs []*testSub
	for range subscribers {
		subs = append(subs, p.subscribe(t, "oscar", progressQuery, 0, true))
	}
	for i, s := range subs {
		waitUntil(t, fmt.Sprintf("subscriber %d's replay", i), func() bool { return s.count() == 3 })
	}
	if n := p.liveFeeds(); n != 1 {
		t.Fatalf("%d feeds for one job and one selection, want 1", n)
	}
	for i := range live / 10 {
		status := models.JobRunning
		if i == live/10-1 {
			status = models.JobSucceeded
		}
		p.jobs.emit(10, "live", status)
		time.Sleep(time.Millisecond)
	}
	for i, s := range subs {
		got, end := s.wait(10 * time.Second)
		if end != "complete" {
			t.Fatalf("subscriber %d ended with %q", i, end)
		}
		checkAll(t, fmt.Sprintf("subscriber %d", i), seqs(t, got), 0, 3+live)
		var last struct{ Status, Message string }
		if err := json.Unmarshal(got[len(got)-1], &last); err != nil || last.Status != "succeeded" || last.Message != fmt.Sprintf("live %d", 3+live) {
			t.Fatalf("subscriber %d's last event: %s", i, got[len(got)-1])
		}
	}
	if r := p.feeds.renders.Load(); r != 3+live {
		t.Fatalf("%d executions of the selection for %d events and %d subscribers, want one per event", r, 3+live, subscribers)
	}
	waitUntil(t, "the feed to end", func() bool { return p.liveFeeds() == 0 })
}

// TestSubscribersJoinMidStream joins subscribers while the job emits: from the start,
// from the last seq they had, from a seq the feed's history still holds and from one it
// no longer holds (replayed on the subscriber's own). Each gets exactly the events after
// its seq.
func TestSubscribersJoinMidStream(t *testing.T) {
	const history = 20
	p := startFeedPanel(t, history)
	p.jobs.emit(5, "before", models.JobRunning)
	first := p.subscribe(t, "oscar", progressQuery, 0, true)
	waitUntil(t, "the first subscriber's replay", func() bool { return first.count() == 5 })
	p.jobs.emit(100, "a", models.JobRunning)
	waitUntil(t, "the first subscriber's live events", func() bool { return first.count() == 105 })

	type joiner struct {
		name  string
		after int
		s     *testSub
	}
	joiners := []*joiner{
		{name: "from the start", after: 0},      // older than the history: own replay
		{name: "old seq", after: 40},            // older than the history: own replay
		{name: "recent seq", after: 95},         // in the history
		{name: "at the last seq", after: 105},   // nothing to replay
		{name: "past the last seq", after: 150}, // skips events up to 150
	}
	for _, j := range joiners {
		j.s = p.subscribe(t, "oscar", progressQuery, j.after, true)
	}
	// Every one is on the feed (after its replay, for those older than the history)
	// before it moves on.
	waitUntil(t, "6 subscribers on the feed", func() bool { return p.attached() == 6 })
	for i := range 10 {
		status := models.JobRunning
		if i == 9 {
			status = models.JobFailed
		}
		p.jobs.emit(10, "b", status)
		// A subscriber joining while events flow.
		if i == 4 {
			j := &joiner{name: "while emitting", after: 7}
			j.s = p.subscribe(t, "oscar", progressQuery, j.after, true)
			joiners = append(joiners, j)
		}
	}
	const last = 205
	got, end := first.wait(10 * time.Second)
	if end != "complete" {
		t.Fatalf("first subscriber ended with %q", end)
	}
	checkAll(t, "first subscriber", seqs(t, got), 0, last)
	for _, j := range joiners {
		got, end := j.s.wait(10 * time.Second)
		if end != "complete" {
			t.Fatalf("%s: ended with %q", j.name, end)
		}
		checkAll(t, j.name, seqs(t, got), j.after, last)
	}
	// The feed's own engine subscription, and one for each subscriber whose seq was older
	// than the feed's history (from the start, 40 and 7): the others replayed from it.
	if n := p.jobs.subscribes.Load(); n != 4 {
		t.Fatalf("%d engine subscriptions, want 4: the feed's and three replays", n)
	}
}

// TestDifferentSelectionsDoNotShare subscribes with three selections (another field
// set, an alias) and twice with the same one: three feeds, each subscriber gets the
// shape it asked for.
func TestDifferentSelectionsDoNotShare(t *testing.T) {
	p := startFeedPanel(t, feedHistory)
	p.jobs.emit(1, "before", models.JobRunning)
	queries := []struct {
		name, query string
		want        string // the first event as received
	}{
		{"seq and status", `subscription($id: ID!, $after: Int) { jobProgress(jobId: $id, after: $after) { seq status } }`, `{"seq":1,"status":"running"}`},
		{"same again", `subscription($id: ID!, $after: Int) { jobProgress(jobId: $id, after: $after) { seq status } }`, `{"seq":1,"status":"running"}`},
		{"message", `subscription($id: ID!, $after: Int) { jobProgress(jobId: $id, after: $after) { seq message } }`, `{"seq":1,"message":"before 1"}`},
		{"alias", `subscription($id: ID!, $after: Int) { jobProgress(jobId: $id, after: $after) { n: seq status } }`, `{"n":1,"status":"running"}`},
	}
	subs := make([]*testSub, len(queries))
	for i, q := range queries {
		subs[i] = p.subscribe(t, "oscar", q.query, 0, true)
	}
	for i, s := range subs {
		waitUntil(t, queries[i].name, func() bool { return s.count() == 1 })
	}
	if n := p.liveFeeds(); n != 3 {
		t.Fatalf("%d feeds for 3 distinct selections, want 3", n)
	}
	p.jobs.emit(20, "live", models.JobSucceeded)
	for i, s := range subs {
		got, end := s.wait(10 * time.Second)
		if end != "complete" || len(got) != 21 {
			t.Fatalf("%s: %d events, ended %q", queries[i].name, len(got), end)
		}
		if string(got[0]) != queries[i].want {
			t.Fatalf("%s: first event %s, want %s", queries[i].name, got[0], queries[i].want)
		}
	}
}

// TestUnauthorizedSubscriberIsRefused: a caller the resolver refuses gets its refusal
// and never joins the feed others share; an unknown job is NOT_FOUND.
func TestUnauthorizedSubscriberIsRefused(t *testing.T) {
	p := startFeedPanel(t, feedHistory)
	p.jobs.emit(2, "before", models.JobRunning)
	oscar := p.subscribe(t, "oscar", progressQuery, 0, true)
	waitUntil(t, "oscar's replay", func() bool { return oscar.count() == 2 })
	subscribes := p.jobs.subscribes.Load()
	mallory := p.subscribe(t, "mallory", progressQuery, 0, true)
	got, end := mallory.wait(5 * time.Second)
	if end != "errors: FORBIDDEN" || len(got) != 0 {
		t.Fatalf("mallory: %d events, ended %q; want only a FORBIDDEN error", len(got), end)
	}
	if n := p.jobs.subscribes.Load(); n != subscribes {
		t.Fatalf("mallory's refused subscription reached the engine")
	}
	p.feeds.mu.Lock()
	refs := 0
	for _, f := range p.feeds.byKey {
		refs += f.refs
	}
	p.feeds.mu.Unlock()
	if refs != 1 {
		t.Fatalf("%d subscribers counted in feeds, want oscar alone", refs)
	}
	unknown := p.subscribe(t, "oscar", strings.NewReplacer("$id: ID!, ", "", "jobId: $id", `jobId: "nope"`).Replace(progressQuery), 0, true)
	if _, end := unknown.wait(5 * time.Second); end != "errors: NOT_FOUND" {
		t.Fatalf("unknown job: ended %q", end)
	}
	p.jobs.emit(3, "live", models.JobSucceeded)
	got, end = oscar.wait(5 * time.Second)
	if end != "complete" {
		t.Fatalf("oscar ended %q", end)
	}
	checkAll(t, "oscar", seqs(t, got), 0, 5)
}

// TestSlowSubscriberIsDropped has one subscriber that never reads: once its
// connection's queue is full its subscription is dropped (it completes after the events
// it had), and the others, sharing its feed, get every event without waiting for it.
func TestSlowSubscriberIsDropped(t *testing.T) {
	p := startFeedPanel(t, feedHistory)
	p.jobs.emit(1, "before", models.JobRunning)
	fast := []*testSub{p.subscribe(t, "oscar", progressQuery, 0, true), p.subscribe(t, "oscar", progressQuery, 0, true)}
	slow := p.subscribe(t, "oscar", progressQuery, 0, false)
	for _, s := range fast {
		waitUntil(t, "a fast subscriber's replay", func() bool { return s.count() == 1 })
	}
	waitUntil(t, "the slow subscriber to join", func() bool {
		p.feeds.mu.Lock()
		defer p.feeds.mu.Unlock()
		for _, f := range p.feeds.byKey {
			return f.refs == 3
		}
		return false
	})
	// Big events fill the socket buffers fast; the loopback's hold a few MB.
	big := strings.Repeat("x", 16<<10)
	const events, burst = 2000, 10
	start := time.Now()
	for i := range events / burst {
		status := models.JobRunning
		if i == events/burst-1 {
			status = models.JobSucceeded
		}
		p.jobs.emit(burst, big, status)
		// The fast ones keep up (they are never more than a burst behind); the slow
		// one's backlog grows.
		for _, s := range fast {
			waitUntil(t, "a fast subscriber", func() bool { return s.count() >= 1+(i+1)*burst || s.ended() })
		}
	}
	for i, s := range fast {
		got, end := s.wait(30 * time.Second)
		if end != "complete" {
			t.Fatalf("fast subscriber %d ended %q", i, end)
		}
		checkAll(t, fmt.Sprintf("fast subscriber %d", i), seqs(t, got), 0, 1+events)
	}
	t.Logf("the fast subscribers had all %d events after %v", events, time.Since(start).Round(time.Millisecond))

	// Now the slow one reads what was queued for it: a prefix, then complete.
	go slow.read()
	got, end := slow.wait(30 * time.Second)
	n := len(got)
	if end != "complete" || n == 0 || n >= 1+events {
		t.Fatalf("slow subscriber: %d of %d events, ended %q; want a dropped (completed) prefix", n, 1+events, end)
	}
	checkAll(t, "slow subscriber", seqs(t, got), 0, n)
	t.Logf("the slow subscriber was dropped after %d of %d events", n, 1+events)
}
