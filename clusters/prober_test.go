package clusters

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"kaas/models"
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

// TestServicesAreTheManagedServices lists each managed service at its URL, unknown
// before any probe has answered.
func TestServicesAreTheManagedServices(t *testing.T) {
	p := NewProber(time.Millisecond, time.Minute)
	defer p.Close()
	got := p.Services(&models.Cluster{Name: "prod", BaseDomain: "example.test"})
	want := []struct{ name, url string }{
		{"Kibana", "https://kibana.prod.example.test"},
		{"Grafana", "https://grafana.prod.example.test"},
		{"Prometheus", "https://prometheus.prod.example.test"},
		{"Harbor", "https://harbor.prod.example.test"},
	}
	if len(got) != len(want) {
		t.Fatalf("services = %+v", got)
	}
	for i, w := range want {
		if got[i].Name != w.name || got[i].URL != w.url || got[i].Status != "UNKNOWN" {
			t.Errorf("service %d = %+v, want %s at %s", i, got[i], w.name, w.url)
		}
	}
}
