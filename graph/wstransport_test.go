package graph

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// rawSocket dials the panel's websocket with header and sends connection_init as oscar.
func rawSocket(t *testing.T, p *feedPanel, header http.Header) (*websocket.Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, p.url, &websocket.DialOptions{HTTPHeader: header, Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { c.CloseNow() })
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init","payload":{"authorization":"oscar"}}`)); err != nil {
		t.Fatal(err)
	}
	if _, b, err := c.Read(ctx); err != nil || !strings.Contains(string(b), "connection_ack") {
		t.Fatalf("connection_ack: %s %v", b, err)
	}
	return c, nil
}

// readAll reads messages until the server closes the socket, and returns them with the
// close status.
func readAll(t *testing.T, c *websocket.Conn) ([]string, websocket.StatusCode) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got []string
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("still open after 5s; got %q", got)
			}
			return got, websocket.CloseStatus(err)
		}
		got = append(got, string(b))
	}
}

// readUntil reads messages until one contains want.
func readUntil(t *testing.T, c *websocket.Conn, want string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got []string
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v; got %q, waiting for %q", err, got, want)
		}
		got = append(got, string(b))
		if strings.Contains(string(b), want) {
			return got
		}
	}
}

func TestWebsocketTransport(t *testing.T) {
	p := startFeedPanel(t, feedHistory)
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"another origin is refused", func(t *testing.T) {
			_, err := rawSocket(t, p, http.Header{"Origin": {"http://elsewhere.example"}})
			if err == nil || !strings.Contains(err.Error(), "403") {
				t.Fatalf("dial from another origin: %v, want 403", err)
			}
		}},
		{"a query runs on its own", func(t *testing.T) {
			c, err := rawSocket(t, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			_ = c.Write(context.Background(), websocket.MessageText, []byte(`{"id":"q","type":"subscribe","payload":{"query":"{ __typename }"}}`))
			got := readUntil(t, c, `"complete"`)
			if len(got) != 2 || got[0] != `{"id":"q","type":"next","payload":{"data":{"__typename":"Query"}}}` {
				t.Fatalf("got %q", got)
			}
		}},
		{"an invalid operation gets its errors", func(t *testing.T) {
			c, err := rawSocket(t, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			_ = c.Write(context.Background(), websocket.MessageText, []byte(`{"id":"q","type":"subscribe","payload":{"query":"subscription { nope }"}}`))
			got := readUntil(t, c, `"complete"`)
			if len(got) != 2 || !strings.Contains(got[0], `"INVALID"`) {
				t.Fatalf("got %q", got)
			}
		}},
		{"a fragmented message is read whole", func(t *testing.T) {
			c, err := rawSocket(t, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			w, err := c.Writer(context.Background(), websocket.MessageText)
			if err != nil {
				t.Fatal(err)
			}
			for _, part := range []string{`{"id":"q","type":"subs`, `cribe","payload":{"query":"{ __typename }"}}`} {
				if _, err := w.Write([]byte(part)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if got := readUntil(t, c, `"complete"`); !strings.Contains(got[0], `"Query"`) {
				t.Fatalf("got %q", got)
			}
		}},
		{"a websocket ping is answered", func(t *testing.T) {
			c, err := rawSocket(t, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			go func() { _, _, _ = c.Read(ctx) }() // Ping needs a reader
			if err := c.Ping(ctx); err != nil {
				t.Fatalf("ping: %v", err)
			}
		}},
		{"a subscription id in use closes the socket", func(t *testing.T) {
			c, err := rawSocket(t, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			sub := `{"id":"s","type":"subscribe","payload":{"query":"subscription { jobProgress(jobId: \"job-1\") { seq } }"}}`
			_ = c.Write(context.Background(), websocket.MessageText, []byte(sub))
			_ = c.Write(context.Background(), websocket.MessageText, []byte(sub))
			if _, code := readAll(t, c); code != 4409 {
				t.Fatalf("close code %d, want 4409", code)
			}
		}},
		{"a message over the limit closes the socket", func(t *testing.T) {
			c, err := rawSocket(t, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			big := `{"id":"q","type":"subscribe","payload":{"query":"` + strings.Repeat(" ", wsReadLimit) + `"}}`
			_ = c.Write(context.Background(), websocket.MessageText, []byte(big))
			if _, code := readAll(t, c); code != websocket.StatusMessageTooBig {
				t.Fatalf("close code %d, want %d", code, websocket.StatusMessageTooBig)
			}
		}},
		{"no connection_init in time closes the socket", func(t *testing.T) {
			ws := p.transport
			saved := ws.legacy.InitTimeout
			ws.legacy.InitTimeout = 200 * time.Millisecond
			defer func() { ws.legacy.InitTimeout = saved }()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			c, _, err := websocket.Dial(ctx, p.url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseNow()
			_, _, err = c.Read(ctx)
			if code := websocket.CloseStatus(err); code != 4408 {
				t.Fatalf("read: %v, want close 4408", err)
			}
		}},
		{"the legacy subprotocol is served by gqlgen", func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			c, _, err := websocket.Dial(ctx, p.url, &websocket.DialOptions{Subprotocols: []string{"graphql-ws"}})
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseNow()
			if c.Subprotocol() != "graphql-ws" {
				t.Fatalf("subprotocol %q", c.Subprotocol())
			}
			_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init","payload":{"authorization":"oscar"}}`))
			if _, b, err := c.Read(ctx); err != nil || !strings.Contains(string(b), "connection_ack") {
				t.Fatalf("connection_ack: %s %v", b, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

// TestWebsocketSlotsEndWithTheConnection: with one connection allowed per user, a second
// is refused while the first is open, and accepted once it has closed.
func TestWebsocketSlotsEndWithTheConnection(t *testing.T) {
	jobs := newFakeJobs()
	srv, _ := newServer(Options{
		Resolvers: fakeRoot{jobs: jobs}, Jobs: jobs, Log: slog.New(slog.DiscardHandler),
		WebsocketInit: func(ctx context.Context, authz string) (context.Context, error) { return asUser(ctx, authz), nil },
		WebsocketLimits: WebsocketLimits{MaxConnections: 1, Principal: func(ctx context.Context) string {
			id, _ := ctx.Value(userKey{}).(string)
			return id
		}},
	})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	p := &feedPanel{jobs: jobs, url: "ws" + strings.TrimPrefix(hs.URL, "http")}
	first, err := rawSocket(t, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	open := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, _, err := websocket.Dial(ctx, p.url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			return err
		}
		defer c.CloseNow()
		_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init","payload":{"authorization":"oscar"}}`))
		_, b, err := c.Read(ctx)
		if err != nil {
			return err
		}
		if !strings.Contains(string(b), "connection_ack") {
			return errors.New(string(b))
		}
		return nil
	}
	if err := open(); err == nil {
		t.Fatal("a second connection was accepted; the cap is 1")
	}
	first.Close(websocket.StatusNormalClosure, "")
	waitUntil(t, "the slot to be free", func() bool { return open() == nil })
}
