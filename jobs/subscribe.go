package jobs

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"kaas/models"
	"kaas/store"
)

// replayPage is how many stored events a subscriber reads at a time.
const replayPage = 500

// outBuffer is how many events a subscriber's channel holds.
const outBuffer = 16

// Subscribe streams a job's events with Seq above afterSeq: first those already stored,
// then live ones as they are recorded, in Seq order without gaps or duplicates. The
// channel is closed after the event that ends the job (one with a final Status), when ctx
// ends, or when the subscriber falls more than Options.SubscriberBuffer events behind:
// publishing never waits for a slow subscriber. A subscriber whose channel closes before
// a final event resubscribes with the last Seq it received. An unknown job is NOT_FOUND, a
// negative afterSeq INVALID; an afterSeq past the job's last event gets nothing, and the
// channel still closes when the job ends.
//
// With PostgreSQL, events recorded by other replicas arrive while Run is running; with
// SQLite, subscribe on the engine that runs the jobs.
func (e *Engine) Subscribe(ctx context.Context, jobID string, afterSeq int) (<-chan *models.JobEvent, error) {
	if afterSeq < 0 {
		return nil, models.Errorf(models.CodeInvalid, "after is a sequence number: 0 or more")
	}
	// Registered before reading anything, so an event recorded meanwhile is either in the
	// replay or in the live buffer (or both: duplicates are dropped by Seq).
	sub := e.hub.add(jobID)
	job, err := e.Get(ctx, jobID)
	if err != nil {
		e.hub.remove(sub)
		return nil, err
	}
	// A little room lets serve run ahead of the writer instead of handing over every
	// event in lockstep: with many subscribers, fewer goroutine switches per event.
	out := make(chan *models.JobEvent, outBuffer)
	go e.serve(ctx, sub, job.Status.Final(), afterSeq, out)
	return out, nil
}

// serve feeds one subscriber: the replay, then live events, filling any gap from the
// database (another replica's event, or two commits published out of order).
func (e *Engine) serve(ctx context.Context, sub *subscription, ended bool, last int, out chan<- *models.JobEvent) {
	defer close(out)
	defer e.hub.remove(sub)
	finished := false
	send := func(ev models.JobEvent) bool {
		select {
		case out <- &ev:
			last = ev.Seq
			finished = ev.Status.Final()
			return true
		case <-ctx.Done():
			return false
		}
	}
	// catchUp sends the stored events after last; false means stop. A failed read (a
	// reset connection, the database restarting) is retried until ctx ends, so the
	// subscriber waits out an outage instead of losing its stream.
	catchUp := func() bool {
		for {
			evs, err := e.eventsRetrying(ctx, sub.jobID, last, replayPage, -1)
			if err != nil {
				return false
			}
			for _, ev := range evs {
				if !send(ev) {
					return false
				}
			}
			if len(evs) < replayPage {
				return !finished
			}
		}
	}
	if !catchUp() || ended {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.resync:
			if !catchUp() {
				return
			}
		case ev, ok := <-sub.live:
			switch {
			case !ok:
				return // dropped: too far behind
			case ev.Seq <= last:
				if ev.Status.Final() {
					return // the job ended before the Seq the subscriber started after
				}
			case ev.Seq > last+1:
				// ev committed, so every earlier event of the job did.
				if !catchUp() {
					return
				}
			case !send(ev) || finished:
				return
			}
		}
	}
}

// hub fans a replica's job events out to its subscribers.
type hub struct {
	e     *Engine
	mu    sync.Mutex
	feeds map[string]*feed // by job ID
}

// feed is one job's subscribers.
type feed struct {
	subs map[*subscription]struct{}
	seen int // highest Seq fanned out
}

type subscription struct {
	jobID  string
	live   chan models.JobEvent // closed by the hub when it drops the subscriber
	resync chan struct{}        // the listener reconnected: notices may have been missed
}

func newHub(e *Engine) *hub { return &hub{e: e, feeds: map[string]*feed{}} }

func (h *hub) add(jobID string) *subscription {
	s := &subscription{jobID: jobID, live: make(chan models.JobEvent, h.e.opts.SubscriberBuffer), resync: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.feeds[jobID]
	if f == nil {
		f = &feed{subs: map[*subscription]struct{}{}}
		h.feeds[jobID] = f
	}
	f.subs[s] = struct{}{}
	return s
}

func (h *hub) remove(s *subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f := h.feeds[s.jobID]; f != nil {
		delete(f.subs, s)
		if len(f.subs) == 0 {
			delete(h.feeds, s.jobID)
		}
	}
}

// publish hands committed events of one job to its subscribers without waiting: a
// subscriber with a full buffer is dropped (its live channel closed).
func (h *hub) publish(evs ...models.JobEvent) {
	if len(evs) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.feeds[evs[0].JobID]
	if f == nil {
		return
	}
	for _, ev := range evs {
		if ev.Seq <= f.seen {
			continue
		}
		f.seen = ev.Seq
		for s := range f.subs {
			select {
			case s.live <- ev:
			default:
				delete(f.subs, s)
				close(s.live)
			}
		}
	}
	if len(f.subs) == 0 {
		delete(h.feeds, evs[0].JobID)
	}
}

// poke fetches and publishes a job's events up to seq, recorded by another replica, if
// anyone here subscribes to the job and has not seen them.
func (h *hub) poke(ctx context.Context, jobID string, seq int) {
	h.mu.Lock()
	f := h.feeds[jobID]
	if f == nil || seq <= f.seen {
		h.mu.Unlock()
		return
	}
	after := f.seen
	if after == 0 {
		after = seq - 1 // subscribers fill older gaps themselves
	}
	h.mu.Unlock()
	// A few tries: a lost event is otherwise only noticed at the job's next event.
	evs, err := h.e.eventsRetrying(ctx, jobID, after, 1000, 5)
	if err != nil {
		return
	}
	h.publish(evs...)
}

// eventsRetrying reads a job's events after seq, trying again after a failure (backoff
// 100 ms doubling to 2 s) up to tries times, or until ctx ends when tries is negative.
func (e *Engine) eventsRetrying(ctx context.Context, jobID string, after, limit, tries int) ([]models.JobEvent, error) {
	backoff := 100 * time.Millisecond
	for try := 1; ; try++ {
		evs, err := e.Events(ctx, jobID, after, limit)
		if err == nil || ctx.Err() != nil || (tries >= 0 && try >= tries) {
			if err != nil && ctx.Err() == nil {
				e.log.Warn("read job events", "job", jobID, "err", err)
			}
			return evs, err
		}
		if try == 1 {
			e.log.Info("read job events failed; retrying", "job", jobID, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// resyncAll makes every subscriber re-read the database, after notices may have been lost.
func (h *hub) resyncAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, f := range h.feeds {
		for s := range f.subs {
			select {
			case s.resync <- struct{}{}:
			default:
			}
		}
	}
}

// listen relays other replicas' notices (new events, queued jobs) until ctx ends,
// reconnecting after a lost connection (store.DB.Listen says how soon it is noticed).
// Every (re)connection makes each subscriber re-read the database and idle workers look
// for jobs, since notices sent meanwhile were missed.
func (e *Engine) listen(ctx context.Context) {
	_ = e.db.Listen(ctx, store.Listener{
		Name:     "job-events",
		Channels: []string{eventsChannel, queuedChannel},
		Connected: func() {
			e.hub.resyncAll()
			e.wake()
			e.listening.Store(true)
		},
		Notify: func(channel, payload string) {
			switch channel {
			case queuedChannel:
				e.wake()
			case eventsChannel:
				id, seq, ok := strings.Cut(payload, ":")
				if s, err := strconv.Atoi(seq); ok && err == nil {
					e.hub.poke(ctx, id, s)
				}
			}
		},
	}, e.log)
}
