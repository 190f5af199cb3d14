package app_test

import (
	"crypto/tls"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"kaas/config"
	"kaas/internal/apptest"
	"kaas/internal/testenv"
)

// stallUntilClosed writes a partial request line on conn and returns how long the
// server took to close the connection.
func stallUntilClosed(t *testing.T, conn net.Conn, partial string) time.Duration {
	t.Helper()
	start := time.Now()
	if partial != "" {
		if _, err := io.WriteString(conn, partial); err != nil {
			t.Fatal(err)
		}
	}
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, err := io.Copy(io.Discard, conn) // returns when the server closes the connection
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server kept a stalled connection open for 30 s")
	}
	return time.Since(start)
}

// TestStalledConnectionsAreClosed: a client that sends half a request line and stalls
// is disconnected within the header timeout (10 s by default) on the main listener and
// on the webhook's TLS listener, and 500 idle connections do not stop a TokenReview.
func TestStalledConnectionsAreClosed(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.WebhookAddr = testenv.FreeAddr(t)
	cfg.WebhookTLSCert, cfg.WebhookTLSKey = testenv.SelfSignedCert(t)
	p := apptest.Start(t, cfg)
	limit := config.DefaultHTTP.ReadHeaderTimeout
	if limit > 10*time.Second {
		t.Fatalf("the default header timeout is %s, want at most 10 s", limit)
	}
	waitListening(t, cfg.WebhookAddr)

	c := p.Client(t)
	c.Login("alice")
	secret, _ := c.CreateToken("stall-test")

	// 500 idle connections: half never send a byte, half sent half a request line.
	host := strings.TrimPrefix(p.URL, "http://")
	var idle []net.Conn
	for i := range 500 {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatalf("idle connection %d: %v", i, err)
		}
		if i%2 == 1 {
			_, _ = io.WriteString(conn, "POST /authen")
		}
		idle = append(idle, conn)
	}
	defer func() {
		for _, conn := range idle {
			conn.Close()
		}
	}()
	start := time.Now()
	r := review(t, p.URL+"/authenticate", "v1", secret, nil)
	if r.Status != 200 || !r.Out.Authenticated {
		t.Fatalf("TokenReview beside 500 idle connections: %d %s", r.Status, r.Raw)
	}
	t.Logf("TokenReview answered in %s beside 500 idle connections", time.Since(start).Round(time.Millisecond))

	var wg sync.WaitGroup
	measure := func(name string, dial func() (net.Conn, error), partial string) {
		defer wg.Done()
		conn, err := dial()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		defer conn.Close()
		d := stallUntilClosed(t, conn, partial)
		t.Logf("%s: stalled connection closed after %.1f s (header timeout %s)", name, d.Seconds(), limit)
		if d > limit+2*time.Second {
			t.Errorf("%s: a stalled connection stayed open %s, want at most the header timeout %s", name, d, limit)
		}
	}
	wg.Add(3)
	go measure("main listener", func() (net.Conn, error) { return net.Dial("tcp", host) }, "GET /graph")
	go measure("webhook TLS listener, in the handshake", func() (net.Conn, error) { return net.Dial("tcp", cfg.WebhookAddr) }, "")
	go measure("webhook TLS listener, in the request line", func() (net.Conn, error) {
		return tls.Dial("tcp", cfg.WebhookAddr, &tls.Config{InsecureSkipVerify: true})
	}, "POST /authen")
	wg.Wait()
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not accept connections: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
