package app_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"kaas/app"
	"kaas/internal/apptest"
)

// TestNoGoroutineOutlivesClose runs a panel through logins, tokens, a TokenReview, the
// services page's probes and an open websocket, shuts it down, and finds no goroutine
// of the panel's packages left.
func TestNoGoroutineOutlivesClose(t *testing.T) {
	cfg := apptest.Config(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = l.Addr().String()
	cfg.PublicURL = "http://" + cfg.Addr
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, l) }()
	panel := &apptest.Panel{App: a, URL: "http://" + cfg.Addr}

	browser := panel.Client(t)
	browser.Login("ursula")
	secret, _ := browser.CreateToken("lifecycle")
	if r := review(t, panel.URL+"/authenticate", "v1", secret, nil); !r.Out.Authenticated {
		t.Fatalf("review: %s", r.Raw)
	}
	header := http.Header{}
	for _, c := range browser.Cookies() {
		header.Add("Cookie", c.Name+"="+c.Value)
	}
	socket := openSocket(t, panel.URL, header, `{}`)

	cancel()
	if err := <-served; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	socket.CloseNow()
	http.DefaultClient.CloseIdleConnections()

	deadline := time.Now().Add(10 * time.Second)
	for {
		left := panelGoroutines()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines of the panel outlived Close:\n\n%s", len(left), strings.Join(left, "\n\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// panelGoroutines returns the stacks of goroutines running the panel's code, other than
// the tests'.
func panelGoroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var left []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if !strings.Contains(g, "\nkaas/") || strings.Contains(g, "kaas/app_test.") || strings.Contains(g, "kaas/internal/apptest.") {
			continue
		}
		left = append(left, g)
	}
	return left
}
