package graph

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestWebsocketPingDeadline opens two graphql-transport-ws connections: one answers the
// server's pings and stays open, one never answers and is closed within twice the ping
// interval (the test allows ten, for a loaded machine), as a half-dead client would be.
func TestWebsocketPingDeadline(t *testing.T) {
	const interval = 300 * time.Millisecond
	srv := httptest.NewServer(NewServer(Options{Log: slog.New(slog.DiscardHandler), WebsocketLimits: WebsocketLimits{PingInterval: interval}}))
	defer srv.Close()
	dial := func() *websocket.Conn {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init"}`)); err != nil {
			t.Fatal(err)
		}
		return c
	}
	silent, polite := dial(), dial()
	defer silent.CloseNow()
	defer polite.CloseNow()

	// The polite client answers every ping for 4 intervals.
	politeErr := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 4*interval)
		defer cancel()
		for {
			_, msg, err := polite.Read(ctx)
			if err != nil {
				if ctx.Err() != nil {
					err = nil // still open at the end: as it should be
				}
				politeErr <- err
				return
			}
			if strings.Contains(string(msg), `"ping"`) {
				if err := polite.Write(ctx, websocket.MessageText, []byte(`{"type":"pong"}`)); err != nil && ctx.Err() == nil {
					politeErr <- err
					return
				}
			}
		}
	}()

	// The silent client reads (so the transport's own control frames flow) but never
	// sends a pong.
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*interval)
	defer cancel()
	for {
		if _, _, err := silent.Read(ctx); err != nil {
			if ctx.Err() != nil {
				t.Fatalf("a client that never answers pings was still connected after %v", 10*interval)
			}
			break
		}
	}
	took := time.Since(start)
	t.Logf("silent client closed after %v (ping interval %v)", took.Round(time.Millisecond), interval)
	if err := <-politeErr; err != nil {
		t.Fatalf("the client that answers pings was disconnected: %v", err)
	}
}
