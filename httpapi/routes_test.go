package httpapi

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// recordedRequest is one request a recordingMetrics saw.
type recordedRequest struct {
	route, method string
	code          int
}

// recordingMetrics is an HTTPMetrics that keeps what it observed.
type recordingMetrics struct{ seen []recordedRequest }

func (m *recordingMetrics) HTTPRequest(route, method string, code int, d time.Duration) {
	m.seen = append(m.seen, recordedRequest{route, method, code})
}

// scriptedDatabase is a Pinger that answers with err.
type scriptedDatabase struct{ err error }

func (d scriptedDatabase) Ping(context.Context) error { return d.err }

func TestInstrumentRequestID(t *testing.T) {
	tests := []struct {
		name     string
		incoming string
		keep     bool
	}{
		{"a proxy's ID is kept", "req-42.a_b", true},
		{"none is made up", "", false},
		{"a malformed one is replaced", "evil id\r\nSet-Cookie: x", false},
		{"an overlong one is replaced", strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen string
			h := instrument("test", slog.New(slog.DiscardHandler), nil, false, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = RequestID(r.Context())
			}))
			req := httptest.NewRequest(http.MethodGet, "/x", nil)
			if tt.incoming != "" {
				req.Header.Set("X-Request-ID", tt.incoming)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Header().Get("X-Request-ID")
			if seen != got || !validRequestID.MatchString(got) {
				t.Fatalf("handler saw %q, response says %q", seen, got)
			}
			if (got == tt.incoming) != tt.keep {
				t.Fatalf("ID = %q from %q, keep = %v", got, tt.incoming, tt.keep)
			}
		})
	}
	if RequestID(context.Background()) != "" {
		t.Error("an ID outside a request")
	}
}

func TestInstrumentLogsAndMetrics(t *testing.T) {
	tests := []struct {
		name     string
		quiet    bool
		handler  http.HandlerFunc
		wantCode int
		logged   bool
		logHas   string
	}{
		{"ok is logged", false, func(w http.ResponseWriter, r *http.Request) {}, 200, true, "status=200"},
		{"quiet ok is not", true, func(w http.ResponseWriter, r *http.Request) {}, 200, false, ""},
		{"quiet failure is", true, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) }, 404, true, "status=404"},
		{"a panic is a logged 500", true, func(w http.ResponseWriter, r *http.Request) { panic("boom") }, 500, true, "panic=boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			m := &recordingMetrics{}
			h := instrument("things", slog.New(slog.NewTextHandler(&logs, nil)), m, tt.quiet, tt.handler)
			req := httptest.NewRequest(http.MethodPost, "/things?token=secret", nil)
			req.Header.Set("X-Request-ID", "req-1")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantCode {
				t.Fatalf("code = %d, want %d", rec.Code, tt.wantCode)
			}
			if len(m.seen) != 1 || m.seen[0] != (recordedRequest{"things", http.MethodPost, tt.wantCode}) {
				t.Fatalf("metrics = %+v", m.seen)
			}
			if (logs.Len() > 0) != tt.logged || !strings.Contains(logs.String(), tt.logHas) {
				t.Fatalf("log = %q", logs.String())
			}
			if tt.logged && !strings.Contains(logs.String(), "request_id=req-1") {
				t.Fatalf("the log line lacks the request ID: %q", logs.String())
			}
			if strings.Contains(logs.String(), "secret") {
				t.Fatalf("the query string was logged: %q", logs.String())
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	graphql := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("graphql")) })
	webhook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("webhook")) })
	metricsPage := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("metrics")) })
	spaFiles := fstest.MapFS{"index.html": {Data: []byte("<html>spa</html>")}}
	tests := []struct {
		name     string
		database error
		method   string
		path     string
		wantCode int
		wantBody string
	}{
		{"readyz with the database up", nil, "GET", "/readyz", 200, "ok\n"},
		{"readyz with the database down", errors.New("connection refused"), "GET", "/readyz", 503, "database unreachable\n"},
		{"livez does not ask the database", errors.New("connection refused"), "GET", "/livez", 200, "ok\n"},
		{"the webhook", nil, "POST", "/authenticate/prod", 200, "webhook"},
		{"metrics", nil, "GET", "/metrics", 200, "metrics"},
		{"graphql is guarded", nil, "GET", "/graphql", 405, ""},
		{"an app path is the SPA", nil, "GET", "/tokens", 200, "<html>spa</html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &recordingMetrics{}
			rt := Routes{Log: slog.New(slog.DiscardHandler), Metrics: m, GraphQL: graphql, Webhook: webhook, MetricsPage: metricsPage,
				Authenticate: func(h http.Handler) http.Handler { return h }, Database: scriptedDatabase{tt.database}, SPA: spaFiles}
			rec := httptest.NewRecorder()
			rt.Handler().ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.wantCode || (tt.wantBody != "" && rec.Body.String() != tt.wantBody) {
				t.Fatalf("%s %s = %d %q, want %d %q", tt.method, tt.path, rec.Code, rec.Body.String(), tt.wantCode, tt.wantBody)
			}
			// The webhook's hot path skips the request-ID middleware; every route keeps the
			// security headers.
			wantID := !strings.HasPrefix(tt.path, "/authenticate")
			if rec.Header().Get("Content-Security-Policy") == "" || (rec.Header().Get("X-Request-ID") != "") != wantID {
				t.Fatalf("headers = %v (request ID wanted: %v)", rec.Header(), wantID)
			}
		})
	}
}
