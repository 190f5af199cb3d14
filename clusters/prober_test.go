package clusters

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestProberCloseEndsProbesInFlight asks for a service's status, which starts a probe of
// a server that never answers; Close ends the probe and returns, and later requests start
// none.
func TestProberCloseEndsProbesInFlight(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done() // never answers; the client gives up
	}))
	defer srv.Close()
	p := NewProber(time.Minute, time.Minute)
	if st := p.status("grafana", srv.URL); st.Status != "UNKNOWN" {
		t.Fatalf("first status = %+v, want UNKNOWN while the probe runs", st)
	}
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the probe never reached the server")
	}
	closed := make(chan struct{})
	go func() { p.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for a probe that would take a minute")
	}
	if st := p.status("grafana", srv.URL+"/other"); st.Status != "UNKNOWN" {
		t.Fatalf("status after Close = %+v", st)
	}
	select {
	case <-arrived:
		t.Fatal("a probe started after Close")
	case <-time.After(100 * time.Millisecond):
	}
}
