package identity

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
)

// TestStaleConnectionsAreRetried has a server drop the first connection without an
// answer, as a server closing an idle keep-alive connection does: the request goes
// through on a new one. An answer, even an error, is never sent again.
func TestStaleConnectionsAreRetried(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch requests.Add(1) {
		case 1:
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close() // EOF for the client, before any answer
			}
		default:
			if r.URL.Path == "/missing" {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	p := &gophercloud.ProviderClient{HTTPClient: *srv.Client(), RetryFunc: retryStaleConnection}
	ctx := context.Background()
	if _, err := p.Request(ctx, http.MethodDelete, srv.URL+"/roles/x", &gophercloud.RequestOpts{OkCodes: []int{204}}); err != nil {
		t.Fatalf("DELETE after a dropped connection: %v", err)
	}
	if n := requests.Load(); n != 2 {
		t.Fatalf("%d requests, want 2 (one dropped, one answered)", n)
	}
	if _, err := p.Request(ctx, http.MethodGet, srv.URL+"/missing", &gophercloud.RequestOpts{OkCodes: []int{200}}); !gophercloud.ResponseCodeIs(err, 404) {
		t.Fatalf("404: %v", err)
	}
	if n := requests.Load(); n != 3 {
		t.Fatalf("%d requests: an answer was sent again", n)
	}

	// Nobody listening: refused at once, not retried.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	if _, err := p.Request(ctx, http.MethodGet, "http://"+addr+"/", &gophercloud.RequestOpts{OkCodes: []int{200}}); err == nil {
		t.Fatal("a refused connection succeeded")
	}
}
