package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"kaas/internal/apptest"
)

// openSocket opens a graphql-transport-ws connection with the given upgrade headers and
// init payload and waits for connection_ack.
func openSocket(t *testing.T, panelURL string, header http.Header, payload string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(panelURL, "http")+"/graphql", &websocket.DialOptions{
		HTTPHeader: header, Subprotocols: []string{"graphql-transport-ws"},
	})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.CloseNow() })
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init","payload":`+payload+`}`)); err != nil {
		t.Fatal(err)
	}
	_, msg, err := c.Read(ctx)
	if err != nil || !strings.Contains(string(msg), "connection_ack") {
		t.Fatalf("connection_ack: %s %v", msg, err)
	}
	return c
}

// closedWithin reads until the server closes the connection and returns how long it took.
func closedWithin(t *testing.T, c *websocket.Conn, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		if _, _, err := c.Read(ctx); err != nil {
			if ctx.Err() != nil {
				t.Fatalf("the socket was still open after %v", limit)
			}
			return time.Since(start)
		}
	}
}

// TestWebsocketsEndWithTheirCaller opens real websockets with a session cookie and with an
// API token, ends the session (logout) and deletes the token, and measures how soon the
// server closes each socket.
func TestWebsocketsEndWithTheirCaller(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.Access.WebsocketRecheck = time.Second
	panel := apptest.Start(t, cfg)
	browser := panel.Client(t)
	browser.Login("ursula")
	secret, tokenID := browser.CreateToken("socket")
	header := http.Header{}
	for _, c := range browser.Cookies() {
		header.Add("Cookie", c.Name+"="+c.Value)
	}
	bySession := openSocket(t, panel.URL, header, `{}`)
	byToken := openSocket(t, panel.URL, nil, `{"Authorization":"Bearer `+secret+`"}`)

	browser.MustDo(`mutation{logout}`, nil, nil)
	d := closedWithin(t, bySession, 10*time.Second)
	t.Logf("socket of a logged-out session closed after %v", d)

	other := panel.Client(t)
	other.Login("ursula")
	other.MustDo(`mutation($id:ID!){deleteToken(id:$id)}`, map[string]any{"id": tokenID}, nil)
	d = closedWithin(t, byToken, 10*time.Second)
	t.Logf("socket of a deleted token closed after %v", d)
}
