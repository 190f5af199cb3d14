package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"kaas/internal/gqlws"
	"kaas/internal/loadgen"
	"kaas/internal/secretscan"
	"kaas/tokens"
)

// tally counts requests and errors by kind of request.
type tally struct {
	mu    sync.Mutex
	kinds map[string]*kindCount
}

type kindCount struct {
	requests, errors int64
	firstErr         string
}

func (t *tally) add(kind string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.kinds == nil {
		t.kinds = map[string]*kindCount{}
	}
	k := t.kinds[kind]
	if k == nil {
		k = &kindCount{}
		t.kinds[kind] = k
	}
	k.requests++
	if err != nil {
		if k.errors == 0 {
			k.firstErr = err.Error()
		}
		k.errors++
	}
}

// totals returns the requests and errors of every kind.
func (t *tally) totals() (requests, errors int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range t.kinds {
		requests += k.requests
		errors += k.errors
	}
	return requests, errors
}

// rows returns the kinds in name order.
func (t *tally) rows() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	names := make([]string, 0, len(t.kinds))
	for n := range t.kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// apiToken is a token the soak created and has not deleted.
type apiToken struct{ id, secret string }

// pool holds the soak's live tokens (at most max) and the secrets of the last deleted.
type pool struct {
	mu      sync.Mutex
	max     int
	live    []apiToken
	revoked []string
}

func (p *pool) push(t apiToken) (oldest apiToken, full bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.live = append(p.live, t)
	if len(p.live) <= p.max {
		return apiToken{}, false
	}
	oldest = p.live[0]
	p.live = p.live[1:]
	return oldest, true
}

func (p *pool) revoke(secret string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.revoked = append(p.revoked, secret)
	if len(p.revoked) > 100 {
		p.revoked = p.revoked[1:]
	}
}

// isLive reports whether the token is in the pool (not deleted, nor being deleted: it
// leaves the pool before its deleteToken is sent).
func (p *pool) isLive(secret string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.ContainsFunc(p.live, func(t apiToken) bool { return t.secret == secret })
}

func (p *pool) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.live)
}

func (p *pool) pick(revoked bool) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if revoked {
		if len(p.revoked) == 0 {
			return "", false
		}
		return p.revoked[rand.IntN(len(p.revoked))], true
	}
	if len(p.live) == 0 {
		return "", false
	}
	return p.live[rand.IntN(len(p.live))].secret, true
}

// load is the soak's traffic: TokenReviews, GraphQL operations and subscriptions, each at
// its own pace.
type load struct {
	o         options
	url       string
	http      *http.Client
	alice     *loadgen.GraphQL // a session: token lists, creates and deletes
	oscar     *loadgen.GraphQL // an operator's session: jobs
	wsToken   string           // oscar's API token for the websockets
	wsTokenID string
	jobID     string // the job the subscriptions follow
	tokens    *pool
	secrets   secrets
	unknown   [][]byte // well-formed unknown tokens sent again and again
	t         tally
	subs      atomic.Int64 // subscriptions open now
	events    atomic.Int64 // subscription events received
	rn, gn    atomic.Int64 // turns of the review workers and of the GraphQL loop
}

// run sends traffic until ctx ends and returns when every request it started is done.
func (l *load) run(ctx context.Context) {
	var wg sync.WaitGroup
	const reviewWorkers = 4
	for range reviewWorkers {
		wg.Go(func() { l.every(ctx, time.Second*reviewWorkers/time.Duration(l.o.ReviewRate), l.review) })
	}
	wg.Go(func() { l.every(ctx, time.Second/time.Duration(l.o.GraphQLRate), l.graphql) })
	wg.Go(func() {
		var subs sync.WaitGroup
		l.every(ctx, l.o.SubscribeEvery, func(ctx context.Context) {
			if l.subs.Load() >= int64(l.o.MaxSubscriptions) {
				return // the panel is slower than the pace: do not pile up
			}
			l.subs.Add(1)
			subs.Go(func() { defer l.subs.Add(-1); l.subscribe(ctx) })
		})
		subs.Wait()
	})
	wg.Wait()
}

// every calls f once per interval until ctx ends; a slow f delays the next call. The end
// of ctx does not cancel a call under way: it finishes and is counted.
func (l *load) every(ctx context.Context, interval time.Duration, f func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		f(context.WithoutCancel(ctx))
	}
}

// review sends one TokenReview: a live token of the pool (6 in 10), a deleted one (1 in
// 10), a well-formed unknown token from a fixed set (2 in 10) or a never-seen one (1 in
// 10; from the fixed set too with -fresh-unknown=false).
func (l *load) review(context.Context) {
	var buf bytes.Buffer
	n := l.rn.Add(1)
	url := l.url + "/authenticate"
	switch n % 10 {
	case 0, 1, 2, 3, 4, 5:
		if s, ok := l.tokens.pick(false); ok {
			err := loadgen.Review(l.http, url, loadgen.ReviewBody(s), true, &buf)
			if err != nil && !l.tokens.isLive(s) {
				// The GraphQL loop deleted it while the review was under way: a
				// refusal is right, an acceptance would have been too.
				l.t.add("TokenReview, token deleted meanwhile", nil)
				return
			}
			l.t.add("TokenReview, live token", err)
			return
		}
		fallthrough
	case 6:
		if s, ok := l.tokens.pick(true); ok {
			l.t.add("TokenReview, deleted token", loadgen.Review(l.http, url, loadgen.ReviewBody(s), false, &buf))
			return
		}
		fallthrough
	case 7, 8:
		l.t.add("TokenReview, unknown token (repeated)", loadgen.Review(l.http, url, l.unknown[rand.IntN(len(l.unknown))], false, &buf))
	default:
		if !l.o.FreshUnknown {
			l.t.add("TokenReview, unknown token (repeated)", loadgen.Review(l.http, url, l.unknown[rand.IntN(len(l.unknown))], false, &buf))
			return
		}
		s, err := tokens.Generate(nil)
		if err == nil {
			err = loadgen.Review(l.http, url, loadgen.ReviewBody(s), false, &buf)
		}
		l.t.add("TokenReview, unknown token (new)", err)
	}
}

// graphql runs one GraphQL operation, in turn: list tokens, create one (deleting the
// oldest past the pool's size), use one as a bearer token, read the jobs, and log a
// third user in and out.
func (l *load) graphql(ctx context.Context) {
	n := l.gn.Add(1)
	switch n % 5 {
	case 0:
		var out struct {
			Tokens []struct{ ID string } `json:"tokens"`
		}
		err := l.alice.Do(ctx, `{viewer{name} tokens{id name prefix lastUsedAt}}`, nil, &out)
		if err == nil && len(out.Tokens) < l.tokens.size() {
			err = fmt.Errorf("tokens lists %d, the soak holds %d", len(out.Tokens), l.tokens.size())
		}
		l.t.add("GraphQL query tokens", err)
	case 1:
		secret, id, err := l.secrets.createToken(ctx, l.alice, fmt.Sprintf("soak-%d", n))
		l.t.add("GraphQL mutation createToken", err)
		if err != nil {
			return
		}
		if oldest, full := l.tokens.push(apiToken{id: id, secret: secret}); full {
			err := l.alice.Do(ctx, `mutation($id:ID!){deleteToken(id:$id)}`, map[string]any{"id": oldest.id}, nil)
			l.t.add("GraphQL mutation deleteToken", err)
			if err == nil {
				l.tokens.revoke(oldest.secret)
			}
		}
	case 2:
		s, ok := l.tokens.pick(false)
		if !ok {
			return
		}
		c := loadgen.NewGraphQL(l.url, l.http.Transport)
		c.Bearer = s
		var out struct{ Viewer struct{ Name string } }
		err := c.Do(ctx, `{viewer{name}}`, nil, &out)
		if err == nil && out.Viewer.Name != "alice" {
			err = fmt.Errorf("the token's viewer is %q, want alice", out.Viewer.Name)
		}
		l.t.add("GraphQL query viewer (API token)", err)
	case 3:
		var out struct {
			Jobs []struct{ ID, Status string }
			Job  struct {
				Events []struct{ Seq int }
			}
		}
		err := l.oscar.Do(ctx, `query($id:ID!){jobs(first:10){id status} job(id:$id){status events(first:20){seq message}}}`, map[string]any{"id": l.jobID}, &out)
		if err == nil && len(out.Job.Events) == 0 {
			err = fmt.Errorf("job %s has no events", l.jobID)
		}
		l.t.add("GraphQL query jobs", err)
	case 4:
		if n%25 != 4 {
			return // logins cost a Keystone password check: one in five turns
		}
		c := loadgen.NewGraphQL(l.url, l.http.Transport)
		err := l.secrets.login(ctx, c, "ursula")
		if err == nil {
			err = c.Do(ctx, `mutation{logout}`, nil, nil)
		}
		l.t.add("GraphQL mutation login + logout", err)
	}
}

// jobProgress follows the soak's job from its first event.
const jobProgressQuery = `subscription($id:ID!){jobProgress(jobId:$id, after:0){seq status message}}`

// subscribe opens a websocket, follows the job for o.Hold (the replay, then whatever is
// live) and ends the subscription and the websocket from the client's side. The server
// completing it first (the job ended) is fine; an error or no event at all is not.
func (l *load) subscribe(ctx context.Context) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.o.Hold+10*time.Second)
	defer cancel()
	c, err := gqlws.Dial(dctx, "ws"+l.url[len("http"):]+"/graphql", http.Header{"Authorization": {"Bearer " + l.wsToken}})
	if err != nil {
		l.t.add("subscription jobProgress", err)
		return
	}
	defer c.CloseNow()
	if err := c.Subscribe(dctx, "1", jobProgressQuery, map[string]any{"id": l.jobID}); err != nil {
		l.t.add("subscription jobProgress", err)
		return
	}
	// A read whose context ends closes the websocket, so the hold is a timer beside a
	// reader that runs until the websocket closes.
	msgs := make(chan gqlws.Message)
	readErr := make(chan error, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			m, _, err := c.Next(dctx)
			if err != nil {
				readErr <- err
				return
			}
			select {
			case msgs <- m:
			case <-done:
				return
			}
		}
	}()
	hold := time.NewTimer(l.o.Hold)
	defer hold.Stop()
	got, completed, held := 0, false, false
	for !completed && !held {
		select {
		case <-hold.C:
			held = true
		case err := <-readErr:
			l.t.add("subscription jobProgress", fmt.Errorf("after %d events: %w", got, err))
			return
		case m := <-msgs:
			switch m.Type {
			case "next":
				var p struct {
					Data *struct{ JobProgress struct{ Seq int } } `json:"data"`
				}
				if err := json.Unmarshal(m.Payload, &p); err != nil || p.Data == nil || p.Data.JobProgress.Seq != got+1 {
					l.t.add("subscription jobProgress", fmt.Errorf("event %d: %.200s", got+1, m.Payload))
					return
				}
				got++
				l.events.Add(1)
			case "complete":
				completed = true
			default:
				l.t.add("subscription jobProgress", fmt.Errorf("%s: %.200s", m.Type, m.Payload))
				return
			}
		}
	}
	if got == 0 {
		l.t.add("subscription jobProgress", fmt.Errorf("no event in %s", l.o.Hold))
		return
	}
	if !completed {
		if err := c.Complete(dctx, "1"); err != nil {
			l.t.add("subscription jobProgress", err)
			return
		}
	}
	// The reader takes the server's close frame; late messages (a live event sent
	// before the complete arrived) are dropped meanwhile.
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	for reading := true; reading; {
		select {
		case <-msgs:
		case <-readErr:
			reading = false
		}
	}
	l.t.add("subscription jobProgress", <-closed)
}

// secrets are what the soak sent and received, to look for in the panel's log at the end.
type secrets struct {
	mu      sync.Mutex
	entries []secretscan.Entry
}

func (s *secrets) add(kind, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = append(s.entries, secretscan.Entry{Kind: kind, Value: value})
}

func (s *secrets) all() []secretscan.Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.entries)
}

// login logs c in as a demo user of the test Keystone ("<name>-pass").
func (s *secrets) login(ctx context.Context, c *loadgen.GraphQL, user string) error {
	s.add(secretscan.KindPassword, user+"-pass")
	err := c.Do(ctx, `mutation($u:String!,$p:String!){login(username:$u,password:$p){id}}`, map[string]any{"u": user, "p": user + "-pass"}, nil)
	for _, ck := range c.Cookies() {
		s.add(secretscan.KindSession, ck.Value)
	}
	return err
}

// createToken makes an API token of c's user and returns its secret and ID.
func (s *secrets) createToken(ctx context.Context, c *loadgen.GraphQL, name string) (secret, id string, err error) {
	defer func() { s.add(secretscan.KindToken, secret) }()
	var out struct {
		CreateToken struct {
			Secret string
			Token  struct{ ID string }
		} `json:"createToken"`
	}
	err = c.Do(ctx, `mutation($n:String!){createToken(input:{name:$n}){secret token{id}}}`, map[string]any{"n": name}, &out)
	return out.CreateToken.Secret, out.CreateToken.Token.ID, err
}
