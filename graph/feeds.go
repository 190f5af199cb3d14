package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"kaas/graph/generated"
	"kaas/models"
)

// JobEvents is the job engine's event stream: a job's events after afterSeq, stored ones
// first, then live ones, in Seq order without gaps or duplicates; the channel closes
// after the final event, when ctx ends, or when the reader falls too far behind.
type JobEvents interface {
	Subscribe(ctx context.Context, jobID string, afterSeq int) (<-chan *models.JobEvent, error)
}

// feedHistory is how many of its latest rendered events a feed keeps, so that a
// subscriber joining mid-stream is served its replay from them instead of rendering it.
const feedHistory = 1024

// feeds shares the rendering of jobProgress: subscribers of one job that asked for the
// same selection join one feed, which reads the job's events from the engine once,
// executes the selection once per event and hands the same encoded payload to every
// subscriber's connection.
type feeds struct {
	jobs JobEvents
	exec *executor.Executor // runs the selection over the feed's own event channel
	log  *slog.Logger
	// history is how many rendered events each feed keeps (feedHistory).
	history int
	// renders counts executions of a selection for an event, shared or replayed.
	renders atomic.Int64

	mu    sync.Mutex
	byKey map[string]*feed
}

func newFeeds(jobs JobEvents, root generated.ResolverRoot, presenter graphql.ErrorPresenterFunc, recoverFunc graphql.RecoverFunc, log *slog.Logger) *feeds {
	cfg := generated.Config{Resolvers: feedResolvers{ResolverRoot: root}}
	exec := executor.New(generated.NewExecutableSchema(cfg))
	exec.SetQueryCache(lru.New[*ast.QueryDocument](100))
	exec.SetErrorPresenter(presenter)
	exec.SetRecoverFunc(recoverFunc)
	return &feeds{jobs: jobs, exec: exec, log: log, history: feedHistory, byKey: map[string]*feed{}}
}

// feedResolvers resolve jobProgress from the event channel in ctx: the feed's renderer
// executes a subscriber's selection with them, never the real resolver (which
// authorizes the caller and subscribes to the engine; both are done per subscriber
// before joining).
type feedResolvers struct{ generated.ResolverRoot }

func (feedResolvers) Subscription() generated.SubscriptionResolver { return feedSubscription{} }

type feedSubscription struct{}

type sourceKey struct{}

func (feedSubscription) JobProgress(ctx context.Context, _ string, _ *int) (<-chan *models.JobEvent, error) {
	src, ok := ctx.Value(sourceKey{}).(chan *models.JobEvent)
	if !ok {
		return nil, errors.New("jobProgress rendered without a feed")
	}
	return src, nil
}

// renderer executes one operation's selection for one event at a time and encodes the
// response: the payload of a "next" message.
type renderer struct {
	renders *atomic.Int64
	src     chan *models.JobEvent
	next    graphql.ResponseHandler
	ctx     context.Context
	cancel  context.CancelFunc
}

func (fs *feeds) newRenderer(params *graphql.RawParams) (*renderer, error) {
	ctx, cancel := context.WithCancel(context.Background())
	src := make(chan *models.JobEvent, 1)
	ctx = graphql.StartOperationTrace(context.WithValue(ctx, sourceKey{}, src))
	p := *params
	now := graphql.Now()
	p.ReadTime = graphql.TraceTiming{Start: now, End: now}
	rc, errs := fs.exec.CreateOperationContext(ctx, &p)
	if errs != nil {
		cancel()
		return nil, fmt.Errorf("prepare the shared rendering: %w", errs)
	}
	next, ctx := fs.exec.DispatchOperation(ctx, rc)
	return &renderer{renders: &fs.renders, src: src, next: next, ctx: ctx, cancel: cancel}, nil
}

func (r *renderer) render(ev *models.JobEvent) ([]byte, error) {
	r.renders.Add(1)
	r.src <- ev
	resp := r.next(r.ctx)
	if resp == nil {
		return nil, errors.New("the rendering ended")
	}
	return json.Marshal(resp)
}

// JobProgressAuthorizer checks, for each subscriber, what the jobProgress resolver checks
// before it streams (the caller may see the job, the job exists: jobKnown says a feed of
// its events is live), so that the subscriber can join a shared feed instead of running
// the resolver.
type JobProgressAuthorizer interface {
	AuthorizeJobProgress(ctx context.Context, jobID string, jobKnown bool) error
}

// sharedOp is a jobProgress subscription that can share a feed.
type sharedOp struct {
	field graphql.CollectedField
	jobID string
	after *int
	key   string // the job and everything that shapes the payload
}

// shareable reports whether the operation is a jobProgress subscription, and how it is
// shared: by job and by the response key and sub-selection it asks for (fragments,
// aliases and @skip/@include resolved with its variables).
func shareable(rc *graphql.OperationContext) (sharedOp, bool) {
	if rc.Operation == nil || rc.Operation.Operation != ast.Subscription {
		return sharedOp{}, false
	}
	fields := graphql.CollectFields(rc, rc.Operation.SelectionSet, []string{"Subscription"})
	if len(fields) != 1 || fields[0].Name != "jobProgress" {
		return sharedOp{}, false
	}
	args := fields[0].ArgumentMap(rc.Variables)
	jobID, ok := args["jobId"].(string)
	if !ok {
		return sharedOp{}, false
	}
	var after *int
	switch v := args["after"].(type) {
	case nil:
	case json.Number:
		n, err := v.Int64()
		if err != nil {
			return sharedOp{}, false
		}
		i := int(n)
		after = &i
	case int64:
		i := int(v)
		after = &i
	case int:
		after = &v
	default:
		return sharedOp{}, false
	}
	var key strings.Builder
	key.WriteString(jobID)
	key.WriteByte('\n')
	if !selectionKey(&key, rc, fields[0]) {
		return sharedOp{}, false
	}
	return sharedOp{field: fields[0], jobID: jobID, after: after, key: key.String()}, true
}

// selectionKey writes what shapes f's part of the response: its response key, its name
// and arguments, and its sub-selection, recursively. It reports false for what it
// cannot name exactly (an argument that does not encode).
func selectionKey(b *strings.Builder, rc *graphql.OperationContext, f graphql.CollectedField) bool {
	b.WriteString(f.Alias)
	b.WriteByte('=')
	b.WriteString(f.Name)
	if f.Name != "jobProgress" && len(f.Arguments) > 0 {
		args, err := json.Marshal(f.ArgumentMap(rc.Variables))
		if err != nil {
			return false
		}
		b.Write(args)
	}
	if len(f.Selections) == 0 || f.Definition == nil {
		b.WriteByte(';')
		return true
	}
	b.WriteByte('{')
	for _, c := range graphql.CollectFields(rc, f.Selections, []string{f.Definition.Type.Name()}) {
		if !selectionKey(b, rc, c) {
			return false
		}
	}
	b.WriteByte('}')
	return true
}

// feed is one job's events rendered for one selection, and its subscribers.
type feed struct {
	fs     *feeds
	key    string
	cancel context.CancelFunc
	refs   int // subscribers attached or joining

	mu      sync.Mutex
	subs    map[*sharedSub]struct{}
	base    int // history holds the rendered events after base up to last
	last    int
	history []rendered
	start   int  // history[start:] are the events kept
	done    bool // the final event was fanned out (or the feed failed)
}

// rendered is one event's encoded "next" payload, shared by every subscriber.
type rendered struct {
	seq     int
	payload []byte
}

// sharedSub is one subscriber of a feed: a subscription of a connection.
type sharedSub struct {
	c      *wsConn
	id     string
	head   []byte // `{"id":…,"type":"next","payload":`
	cursor int    // the last seq queued to it
	end    func() // ends the subscription (idempotent)
	gone   bool   // detached: never attach again (f.mu)
}

// live reports whether a feed of key's job and selection is running.
func (fs *feeds) live(key string) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.byKey[key] != nil
}

// get returns the feed for key, creating it (and its engine subscription after seq
// after, rendering with params) when there is none, and counts the caller in.
func (fs *feeds) get(op sharedOp, params *graphql.RawParams) (*feed, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f := fs.byKey[op.key]; f != nil {
		f.refs++
		return f, nil
	}
	r, err := fs.newRenderer(params)
	if err != nil {
		return nil, err
	}
	after := 0
	if op.after != nil {
		after = *op.after
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &feed{fs: fs, key: op.key, cancel: cancel, refs: 1, subs: map[*sharedSub]struct{}{}, base: after, last: after}
	fs.byKey[op.key] = f
	go f.run(ctx, op.jobID, r)
	return f, nil
}

// release counts a subscriber out; the last one out stops the feed.
func (f *feed) release() {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.refs--; f.refs > 0 {
		return
	}
	f.cancel()
	if f.fs.byKey[f.key] == f {
		delete(f.fs.byKey, f.key)
	}
}

// retire removes an ended feed from the index: later subscribers start a new one.
func (f *feed) retire() {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.fs.byKey[f.key] == f {
		delete(f.fs.byKey, f.key)
	}
}

// run reads the job's events from the engine, renders each once and hands it to every
// subscriber. When the engine drops the feed (it fell behind), it resubscribes after the
// last event it rendered.
func (f *feed) run(ctx context.Context, jobID string, r *renderer) {
	defer r.cancel()
	for ctx.Err() == nil {
		f.mu.Lock()
		after := f.last
		f.mu.Unlock()
		events, err := f.fs.jobs.Subscribe(ctx, jobID, after)
		if err != nil {
			if ctx.Err() == nil {
				f.fs.log.Warn("job progress feed: subscribe", "job", jobID, "err", err)
			}
			f.finish()
			return
		}
		for ev := range events {
			payload, err := r.render(ev)
			if err != nil {
				f.fs.log.Error("job progress feed: render", "job", jobID, "err", err)
				f.finish()
				return
			}
			if f.publish(ev.Seq, payload, ev.Status.Final()) {
				return
			}
		}
	}
}

// publish keeps a rendered event and queues it to every subscriber not past it. A
// subscriber whose connection has no room is dropped: its subscription completes and
// it resubscribes from the last seq it received. It reports whether the feed is done.
func (f *feed) publish(seq int, payload []byte, final bool) bool {
	f.mu.Lock()
	if seq <= f.last { // the engine resends nothing, but a resubscription might
		f.mu.Unlock()
		return false
	}
	f.last = seq
	f.history = append(f.history, rendered{seq: seq, payload: payload})
	if len(f.history)-f.start > f.fs.history {
		f.base = f.history[f.start].seq
		f.history[f.start] = rendered{} // its payload may go
		f.start++
		if f.start >= f.fs.history {
			// Once the dropped head is as long as what is kept, move what is kept to the
			// front of the same array: one copy every feedHistory events, not every event.
			f.history = append(f.history[:0], f.history[f.start:]...)
			f.start = 0
		}
	}
	var dropped []*sharedSub
	for s := range f.subs {
		if s.cursor >= seq {
			continue
		}
		if !s.c.queueNext(s.head, payload) {
			delete(f.subs, s)
			dropped = append(dropped, s)
			continue
		}
		s.cursor = seq
	}
	var ended []*sharedSub
	if final {
		f.done = true
		for s := range f.subs {
			ended = append(ended, s)
		}
		clear(f.subs)
	}
	f.mu.Unlock()
	for _, s := range dropped {
		s.end()
	}
	for _, s := range ended {
		s.end()
	}
	if final {
		f.retire()
	}
	return final
}

// finish ends a feed that cannot go on: its subscribers complete and resubscribe.
func (f *feed) finish() {
	f.mu.Lock()
	f.done = true
	ended := make([]*sharedSub, 0, len(f.subs))
	for s := range f.subs {
		ended = append(ended, s)
	}
	clear(f.subs)
	f.mu.Unlock()
	f.retire()
	for _, s := range ended {
		s.end()
	}
}

// attach moves s onto the feed when the feed holds every event after last (in its
// history, or live from now on): what it holds after last is queued to s at once. It
// reports false when s must first replay more on its own.
func (f *feed) attach(s *sharedSub, last int) (attached, ended bool) {
	f.mu.Lock()
	if s.gone {
		f.mu.Unlock()
		return true, false
	}
	if last < f.base && !(f.done && last >= f.last) {
		f.mu.Unlock()
		return false, false
	}
	s.cursor = last
	for _, h := range f.history[f.start:] {
		if h.seq <= s.cursor {
			continue
		}
		if !s.c.queueNext(s.head, h.payload) {
			f.mu.Unlock()
			return true, true
		}
		s.cursor = h.seq
	}
	if f.done {
		f.mu.Unlock()
		return true, true
	}
	f.subs[s] = struct{}{}
	f.mu.Unlock()
	return true, false
}

// detach takes s off the feed.
func (f *feed) detach(s *sharedSub) {
	f.mu.Lock()
	s.gone = true
	delete(f.subs, s)
	f.mu.Unlock()
}
