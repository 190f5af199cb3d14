// Package httpapi assembles the panel's HTTP surface: the SPA, /graphql, /playground,
// the TokenReview webhook, probes and metrics, behind request IDs, structured access logs,
// metrics and panic recovery.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"sync"
	"time"
)

type ctxKey int

const requestIDKey ctxKey = iota

// RequestID returns the request's ID, empty outside a request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// statusWriter remembers the status code for logs and metrics. It forwards Flush and
// exposes the underlying writer so websocket upgrades work.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// HTTPMetrics observes requests.
type HTTPMetrics interface {
	HTTPRequest(route, method string, code int, d time.Duration)
}

// instrument wraps a route's handler with request ID, access log, metrics and recovery.
// Query strings, headers and bodies are never logged: they may hold tokens.
func instrument(route string, log *slog.Logger, m HTTPMetrics, quiet bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if !validRequestID.MatchString(id) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-ID", id)
		sw := &statusWriter{ResponseWriter: w}
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		defer func() {
			d := settle(recover(), log, m, route, id, r, sw, start)
			if !quiet || sw.code >= 400 {
				log.Info("http request", "request_id", id, "method", r.Method, "path", r.URL.Path,
					"route", route, "status", sw.code, "duration_ms", float64(d.Microseconds())/1000, "remote", r.RemoteAddr)
			}
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

// instrumentWebhook is instrument for the TokenReview hot path: the same metrics,
// recovery and log of failed requests, without a request ID (the webhook logs none and
// kube-apiservers send none), so a review costs no random bytes, no context and no copy
// of the request.
func instrumentWebhook(log *slog.Logger, m HTTPMetrics, next http.Handler) http.Handler {
	const route = "authenticate"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := statusWriters.Get().(*statusWriter)
		*sw = statusWriter{ResponseWriter: w}
		defer func() {
			d := settle(recover(), log, m, route, "", r, sw, start)
			if sw.code >= 400 {
				log.Info("http request", "method", r.Method, "path", r.URL.Path,
					"route", route, "status", sw.code, "duration_ms", float64(d.Microseconds())/1000, "remote", r.RemoteAddr)
			}
			*sw = statusWriter{}
			statusWriters.Put(sw)
		}()
		next.ServeHTTP(sw, r)
	})
}

// settle ends an instrumented request: a panic p (other than http.ErrAbortHandler, passed
// on) is logged and answered 500 unless an answer started; the request is counted in the
// metrics. It returns how long the request took.
func settle(p any, log *slog.Logger, m HTTPMetrics, route, id string, r *http.Request, sw *statusWriter, start time.Time) time.Duration {
	if p != nil {
		if p == http.ErrAbortHandler {
			panic(p)
		}
		if id != "" {
			log.Error("http: panic", "request_id", id, "route", route, "panic", p)
		} else {
			log.Error("http: panic", "route", route, "panic", p)
		}
		if sw.code == 0 {
			http.Error(sw, `{"error":"internal error"}`, http.StatusInternalServerError)
		}
	}
	d := time.Since(start)
	if sw.code == 0 {
		sw.code = http.StatusOK
	}
	if m != nil {
		m.HTTPRequest(route, r.Method, sw.code, d)
	}
	return d
}

// statusWriters are reused by instrumentWebhook: the handler is done with one when it
// returns.
var statusWriters = sync.Pool{New: func() any { return new(statusWriter) }}
