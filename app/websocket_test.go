package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"kaas/internal/apptest"
	"kaas/internal/testenv"
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

// TestWebsocketsEndWhenTheKeystoneUserIsDisabled opens a session's and a token's sockets
// of a fresh Keystone user, disables the user in the real Keystone, and measures how soon
// the server closes both (within the identity TTL plus a re-check).
func TestWebsocketsEndWhenTheKeystoneUserIsDisabled(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.Access.WebsocketRecheck = time.Second
	cfg.IdentityTTL = time.Second
	panel := apptest.Start(t, cfg)
	admin := testenv.NewKeystoneAdmin(t)
	name := testenv.RandomName("kaas-socket-")
	userID := admin.CreateUser(name, name+"-pass")
	browser := panel.Client(t)
	if r := browser.LoginAs(name, name+"-pass", ""); len(r.Errors) > 0 {
		t.Fatalf("login: %+v", r.Errors)
	}
	secret, _ := browser.CreateToken("socket")
	header := http.Header{}
	for _, c := range browser.Cookies() {
		header.Add("Cookie", c.Name+"="+c.Value)
	}
	bySession := openSocket(t, panel.URL, header, `{}`)
	byToken := openSocket(t, panel.URL, nil, `{"Authorization":"Bearer `+secret+`"}`)

	admin.SetEnabled(userID, false)
	start := time.Now()
	closedWithin(t, bySession, 15*time.Second)
	t.Logf("session socket of a disabled user closed after %v", time.Since(start).Round(time.Millisecond))
	closedWithin(t, byToken, 15*time.Second)
	t.Logf("token socket of a disabled user closed after %v", time.Since(start).Round(time.Millisecond))
	if r := browser.Do(`{tokens{id}}`, nil, nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("the disabled user's session still answers: %+v", r.Errors)
	}
}
