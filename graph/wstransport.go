package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"kaas/models"
)

// transportWS is the graphql-transport-ws subprotocol (graphql-ws, the SPA's client).
const transportWS = "graphql-transport-ws"

// Websocket transport bounds.
const (
	// wsReadLimit bounds one message from a client.
	wsReadLimit = 1 << 20
	// wsQueue is how many "next" messages of shared feeds may wait for a connection's
	// writer: a subscription that would exceed it is dropped (completed), never waited for.
	wsQueue = 256
	// wsHardQueue is the most messages of any kind that may wait; past it the connection
	// is closed (its client stopped reading).
	wsHardQueue = 4 * wsQueue
)

// wsTransport serves GraphQL over graphql-transport-ws. Every operation runs through
// gqlgen's executor as usual, except jobProgress subscriptions: after their subscriber is
// authorized (the resolver, with the subscriber's own context), they join a feed shared
// with every subscriber of the same job and selection, whose events are executed and
// encoded once and whose bytes are queued to each connection. Each connection has one
// reader (the request's goroutine) and a writer that runs only while messages wait.
// Other subprotocols (the legacy graphql-ws) are served by gqlgen's transport.
type wsTransport struct {
	legacy transport.Websocket
	guard  *websocketGuard
	feeds  *feeds // nil: no sharing
	// authorize checks a jobProgress subscriber before it joins a feed.
	authorize func(ctx context.Context, jobID string, jobKnown bool) error
	presenter graphql.ErrorPresenterFunc
	metrics   *operationMetrics
	log       *slog.Logger
}

var _ graphql.Transport = (*wsTransport)(nil)

func (t *wsTransport) Supports(r *http.Request) bool { return r.Header.Get("Upgrade") != "" }

func (t *wsTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if !offers(r, transportWS) {
		t.legacy.Do(w, r, exec)
		return
	}
	// wsAccept checks that Origin, when a browser sends one, is the Host.
	nc, br, err := wsAccept(w, r, transportWS)
	if err != nil {
		return // answered
	}
	c := &wsConn{t: t, nc: nc, fr: &frameReader{r: br, limit: wsReadLimit}, exec: exec, headers: r.Header, subs: map[string]func(){}}
	// The request's context ends when its goroutine returns, so the connection keeps
	// its values only (nothing else ever ended a hijacked one), and ends with c.cancel:
	// whatever the init function hangs on it (the caller's re-checks, the connection's
	// slot under the per-user cap) ends with the connection.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	c.cancel = cancel
	if !c.handshake(ctx) {
		cancel()
		return
	}
	// The connection lives on in a goroutine of its own, whose stack stays small (the
	// deep calls of the handshake and of each subscribe run elsewhere), and the
	// request's goroutine returns: its stack and the HTTP server's buffers for the
	// connection are freed.
	go c.run()
}

// offers reports whether the upgrade request lists the websocket subprotocol p.
func offers(r *http.Request, p string) bool {
	for _, h := range r.Header.Values("Sec-WebSocket-Protocol") {
		for v := range strings.SplitSeq(h, ",") {
			if strings.TrimSpace(v) == p {
				return true
			}
		}
	}
	return false
}

// wsConn is one graphql-transport-ws connection.
type wsConn struct {
	t           *wsTransport
	nc          net.Conn
	fr          *frameReader // read by run alone
	finished    sync.Once    // the close frame sent and the socket closed
	exec        graphql.GraphExecutor
	headers     http.Header
	initPayload transport.InitPayload
	ctx         context.Context    // the caller's, after connection_init; ends with the connection
	cancel      context.CancelFunc // ends ctx

	mu       sync.Mutex
	queue    []outMsg
	writing  bool
	closed   bool
	subs     map[string]func() // live subscriptions by id: their stop
	lastPong time.Time
	ping     *time.Timer
}

// outMsg is one message: head, body and tail written as one websocket message. A shared
// event's body is its feed's payload, the same bytes for every subscriber.
type outMsg struct {
	op               byte
	head, body, tail []byte
}

// message is a graphql-transport-ws message.
type message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

var nextTail = []byte{'}'}

// handshake waits for connection_init, authenticates it and acknowledges.
func (c *wsConn) handshake(ctx context.Context) bool {
	_ = c.nc.SetReadDeadline(time.Now().Add(c.t.legacy.InitTimeout))
	b, err := c.read()
	_ = c.nc.SetReadDeadline(time.Time{})
	if err != nil {
		c.finish(4408, "connection initialisation timeout")
		return false
	}
	var m message
	if err := json.Unmarshal(b, &m); err != nil || m.Type != "connection_init" {
		c.finish(4400, "expected connection_init")
		return false
	}
	if len(m.Payload) > 0 && !bytes.Equal(m.Payload, []byte("null")) {
		if err := json.Unmarshal(m.Payload, &c.initPayload); err != nil {
			c.finish(4400, "invalid connection_init payload")
			return false
		}
	}
	if c.t.legacy.InitFunc != nil {
		ictx, _, err := c.t.legacy.InitFunc(ctx, c.initPayload)
		if err != nil {
			c.finish(closeNormal, closeReason(ictx))
			return false
		}
		ctx = ictx
	}
	c.ctx = ctx
	// The caller's context ends when the connection must (a logged-out session, a
	// deleted token, a disabled user, shutdown): close it, with a reason.
	context.AfterFunc(c.ctx, func() { c.closeWith(closeNormal, "terminated") })
	c.queueControl(message{Type: "connection_ack"})
	c.mu.Lock()
	c.lastPong = time.Now()
	c.ping = time.AfterFunc(c.t.legacy.PingPongInterval, c.pingTick)
	c.mu.Unlock()
	return true
}

// closeReason is the reason the init function gave for refusing a connection.
func closeReason(ctx context.Context) string {
	if ctx != nil {
		if r, ok := ctx.Value(closeReasonKey{}).(string); ok && r != "" {
			return r
		}
	}
	return "terminated"
}

type closeReasonKey struct{}

// withCloseReason tells the client why its connection is refused or closed.
func withCloseReason(ctx context.Context, reason string) context.Context {
	return context.WithValue(transport.AppendCloseReason(ctx, reason), closeReasonKey{}, reason)
}

// run reads the client's messages until the connection ends.
func (c *wsConn) run() {
	defer c.cancel()
	for {
		b, err := c.read()
		if err != nil {
			return
		}
		var m message
		if err := json.Unmarshal(b, &m); err != nil {
			c.closeWith(4400, "invalid message")
			return
		}
		switch m.Type {
		case "subscribe":
			// In a goroutine of its own, waited for: its deep calls (the operation's
			// validation, the authorization, a database read) grow that goroutine's
			// stack, not this long-lived one's.
			ok := make(chan bool, 1)
			go func() { ok <- c.subscribe(m.ID, m.Payload) }()
			if !<-ok {
				return
			}
		case "complete":
			c.mu.Lock()
			stop := c.subs[m.ID]
			c.mu.Unlock()
			if stop != nil {
				stop()
			}
		case "ping":
			c.queueControl(message{Type: "pong", Payload: m.Payload})
		case "pong":
			c.mu.Lock()
			c.lastPong = time.Now()
			c.mu.Unlock()
		case "connection_init":
			c.closeWith(4429, "too many initialisation requests")
			return
		default:
			c.closeWith(4400, fmt.Sprintf("unexpected message %.40q", m.Type))
			return
		}
	}
}

// pingTick pings the client and closes a connection whose client answered none of the
// pings of the last two intervals (a half-dead peer).
func (c *wsConn) pingTick() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	silent := time.Since(c.lastPong) > 2*c.t.legacy.PingPongInterval
	if !silent {
		c.ping.Reset(c.t.legacy.PingPongInterval)
	}
	c.mu.Unlock()
	if silent {
		c.drop()
		return
	}
	c.queueControl(message{Type: "ping"})
}

// shut marks the connection closed and stops its subscriptions.
func (c *wsConn) shut() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	if c.ping != nil {
		c.ping.Stop()
	}
	stops := make([]func(), 0, len(c.subs))
	for _, stop := range c.subs {
		stops = append(stops, stop)
	}
	c.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
	if c.cancel != nil {
		c.cancel()
	}
}

// queueNext queues a "next" message of a shared subscription unless wsQueue messages
// already wait: then it reports false and the subscription must be dropped.
func (c *wsConn) queueNext(head, payload []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return true // the subscription ends with the connection
	}
	if len(c.queue) >= wsQueue {
		return false
	}
	c.push(outMsg{op: opText, head: head, body: payload, tail: nextTail})
	return true
}

// queueControl queues any other message; a connection with wsHardQueue messages waiting
// is closed.
func (c *wsConn) queueControl(m message) {
	b, err := json.Marshal(m)
	if err != nil {
		c.t.log.Error("websocket: encode message", "type", m.Type, "err", err)
		return
	}
	c.queueRaw(outMsg{op: opText, body: b})
}

// queueRaw queues an encoded message under queueControl's rule.
func (c *wsConn) queueRaw(m outMsg) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	if len(c.queue) >= wsHardQueue {
		c.mu.Unlock()
		c.drop()
		return
	}
	c.push(m)
	c.mu.Unlock()
}

// push appends m and starts the writer if it is not running. c.mu is held.
func (c *wsConn) push(m outMsg) {
	c.queue = append(c.queue, m)
	if !c.writing {
		c.writing = true
		go c.drain()
	}
}

var writeBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// drain writes the queued messages, all that wait in one write, until none is left.
func (c *wsConn) drain() {
	bp := writeBuffers.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= 64<<10 {
			writeBuffers.Put(bp)
		}
	}()
	for {
		c.mu.Lock()
		batch := c.queue
		c.queue = nil
		if len(batch) == 0 || c.closed {
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		buf := (*bp)[:0]
		for _, m := range batch {
			buf = appendFrame(buf, m.op, m.head, m.body, m.tail)
		}
		*bp = buf
		// No write deadline: a client that stops reading stops answering pings too, and
		// the ping deadline closes the socket under a blocked write.
		if _, err := c.nc.Write(buf); err != nil {
			c.mu.Lock()
			c.writing = false
			c.mu.Unlock()
			c.drop()
			return
		}
	}
}

// read returns the next data message, answering pings and a close.
func (c *wsConn) read() ([]byte, error) {
	b, err := c.fr.message(func(p []byte) {
		c.mu.Lock()
		if !c.closed {
			c.push(outMsg{op: opPong, body: p})
		}
		c.mu.Unlock()
	}, func(code int) {
		if code < 1000 || code == 1005 || code == 1006 || code >= 5000 {
			code = closeNormal
		}
		c.closeWith(code, "")
	})
	switch {
	case errors.Is(err, errTooBig):
		c.closeWith(closeTooBig, "message too big")
	case errors.As(err, new(protocolError)):
		c.closeWith(closeProtocolError, err.Error())
	}
	return b, err
}

// closeWith ends the connection with a close frame.
func (c *wsConn) closeWith(code int, reason string) {
	c.shut()
	c.finish(code, reason)
}

// drop ends the connection without a close frame: its client is gone or stuck.
func (c *wsConn) drop() {
	c.shut()
	c.finish(0, "")
}

// finish sends a close frame (unless code is 0) and closes the socket, once.
func (c *wsConn) finish(code int, reason string) {
	c.finished.Do(func() {
		if code != 0 {
			_ = c.nc.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = c.nc.Write(appendFrame(nil, opClose, closePayload(code, reason)))
		}
		_ = c.nc.Close()
	})
}

// track registers a subscription's stop under id; false when id is taken.
func (c *wsConn) track(id string, stop func()) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, taken := c.subs[id]; taken || c.closed {
		return false
	}
	c.subs[id] = stop
	return true
}

func (c *wsConn) forget(id string) {
	c.mu.Lock()
	delete(c.subs, id)
	c.mu.Unlock()
}

// subscribe starts the operation of a subscribe message. It reports false when the
// connection was closed for a protocol error.
func (c *wsConn) subscribe(id string, payload json.RawMessage) bool {
	c.mu.Lock()
	_, taken := c.subs[id]
	c.mu.Unlock()
	switch {
	case id == "":
		c.closeWith(4400, "a subscribe message needs an id")
		return false
	case taken:
		c.closeWith(4409, fmt.Sprintf("subscriber for %.40q already exists", id))
		return false
	}
	start := graphql.Now()
	ctx := graphql.StartOperationTrace(c.ctx)
	params := &graphql.RawParams{}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(params); err != nil {
		c.sendError(id, &gqlerror.Error{Message: "invalid json"})
		c.queueControl(message{ID: id, Type: "complete"})
		return true
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	params.Headers = c.headers
	rc, errs := c.exec.CreateOperationContext(ctx, params)
	if errs == nil && c.t.feeds != nil {
		if op, ok := shareable(rc); ok && c.subscribeShared(id, rc, params, op, start) {
			return true
		}
	}
	c.subscribeOwn(ctx, id, rc, errs)
	return true
}

// subscribeShared authorizes the subscriber and joins it to the feed of its job and
// selection. A refusal is answered as the resolver's would be (a "next" with the error,
// then "complete"). It reports false when the operation must run on its own instead:
// the subscription cap is reached (the cap's own error comes from there), or after is
// negative (as does the engine's refusal).
func (c *wsConn) subscribeShared(id string, rc *graphql.OperationContext, params *graphql.RawParams, op sharedOp, start time.Time) bool {
	after := 0
	if op.after != nil {
		after = *op.after
	}
	if after < 0 {
		return false
	}
	release, ok := c.t.guard.subs.acquire(c.t.guard.limits.Principal(c.ctx))
	if !ok {
		return false
	}
	// The field's context, as the resolver would have it: audit records and error
	// paths name the field.
	fctx := graphql.WithFieldContext(graphql.WithOperationContext(c.ctx, rc), &graphql.FieldContext{
		Object: "Subscription", Field: op.field, IsMethod: true, IsResolver: true,
		Args: map[string]any{"jobId": op.jobID, "after": op.after},
	})
	if err := c.t.authorize(fctx, op.jobID, c.t.feeds.live(op.key)); err != nil {
		release()
		gerr := c.t.presenter(fctx, err)
		c.sendResponse(id, &graphql.Response{Errors: gqlerror.List{gerr}, Data: []byte("null")})
		c.queueControl(message{ID: id, Type: "complete"})
		if c.t.metrics != nil {
			code, _ := gerr.Extensions["code"].(string)
			c.t.metrics.observe(rc, code, time.Since(start))
		}
		return true
	}
	f, err := c.t.feeds.get(op, params)
	if err != nil {
		release()
		c.t.log.Error("websocket: shared job progress", "err", err)
		return false
	}
	ctx, cancel := context.WithCancel(c.ctx)
	s := &sharedSub{c: c, id: id, head: nextHead(id)}
	var once sync.Once
	finish := func(complete bool) {
		once.Do(func() {
			cancel()
			f.detach(s)
			f.release()
			release()
			c.forget(id)
			if complete {
				c.queueControl(message{ID: id, Type: "complete"})
			}
		})
	}
	s.end = func() { finish(true) }
	if !c.track(id, func() { finish(false) }) {
		finish(false)
		return true
	}
	if c.t.metrics != nil {
		c.t.metrics.observe(rc, "", time.Since(start))
	}
	if attached, ended := f.attach(s, after); ended {
		finish(true)
	} else if !attached {
		go c.join(ctx, s, f, op.jobID, after, params, finish)
	}
	return true
}

// nextHead is what precedes the payload in a "next" message of subscription id.
func nextHead(id string) []byte {
	b, _ := json.Marshal(id) // a string always encodes
	return slices.Concat([]byte(`{"id":`), b, []byte(`,"type":"next","payload":`))
}

// join replays to s, from a stream of its own, the events after last that its feed no
// longer holds, rendered for s alone; it moves s onto the feed as soon as the feed
// holds every event after the last one replayed.
func (c *wsConn) join(ctx context.Context, s *sharedSub, f *feed, jobID string, last int, params *graphql.RawParams, finish func(bool)) {
	ownCtx, endOwn := context.WithCancel(ctx)
	defer endOwn()
	own, err := c.t.feeds.jobs.Subscribe(ownCtx, jobID, last)
	if err != nil {
		finish(true)
		return
	}
	var r *renderer
	defer func() {
		if r != nil {
			r.cancel()
		}
	}()
	for {
		var ev *models.JobEvent
		var ok bool
		select {
		case ev, ok = <-own:
		case <-ctx.Done():
			return
		}
		if !ok {
			finish(true) // the job ended, or the engine dropped the subscriber
			return
		}
		if r == nil {
			if r, err = c.t.feeds.newRenderer(params); err != nil {
				c.t.log.Error("websocket: job progress replay", "err", err)
				finish(true)
				return
			}
		}
		payload, err := r.render(ev)
		if err != nil || !c.queueNext(s.head, payload) {
			finish(true)
			return
		}
		last = ev.Seq
		if ev.Status.Final() {
			finish(true)
			return
		}
		switch attached, ended := f.attach(s, last); {
		case ended:
			finish(true)
			return
		case attached:
			return // endOwn ends the stream
		}
	}
}

// subscribeOwn runs an operation on its own, as gqlgen's websocket transport does: every
// response executed and encoded for this subscriber.
func (c *wsConn) subscribeOwn(ctx context.Context, id string, rc *graphql.OperationContext, errs gqlerror.List) {
	if errs != nil {
		resp := c.exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs)
		switch errcode.GetErrorKind(errs) {
		case errcode.KindProtocol:
			c.sendError(id, resp.Errors...)
		default:
			c.sendResponse(id, &graphql.Response{Errors: errs})
		}
		c.queueControl(message{ID: id, Type: "complete"})
		return
	}
	ctx = graphql.WithOperationContext(ctx, rc)
	ctx, cancel := context.WithCancel(ctx)
	if !c.track(id, cancel) {
		cancel()
		return
	}
	go func() {
		defer func() {
			if p := recover(); p != nil {
				err := rc.Recover(ctx, p)
				var gerr *gqlerror.Error
				if !errors.As(err, &gerr) {
					gerr = &gqlerror.Error{Message: "internal error"}
				}
				c.sendError(id, gerr)
			}
			c.forget(id)
			cancel()
			if c.ctx.Err() == nil { // a closed connection gets nothing more
				c.queueControl(message{ID: id, Type: "complete"})
			}
		}()
		responses, ctx := c.exec.DispatchOperation(ctx, rc)
		for {
			resp := responses(ctx)
			if resp == nil {
				return
			}
			c.sendResponse(id, resp)
		}
	}()
}

func (c *wsConn) sendResponse(id string, resp *graphql.Response) {
	b, err := json.Marshal(resp)
	if err != nil {
		c.t.log.Error("websocket: encode response", "err", err)
		return
	}
	// The payload goes out as encoded, between the envelope's head and tail: not
	// encoded a second time inside a message.
	c.queueRaw(outMsg{op: opText, head: nextHead(id), body: b, tail: nextTail})
}

func (c *wsConn) sendError(id string, errs ...*gqlerror.Error) {
	b, err := json.Marshal(errs)
	if err != nil {
		c.t.log.Error("websocket: encode errors", "err", err)
		return
	}
	c.queueControl(message{ID: id, Type: "error", Payload: b})
}
