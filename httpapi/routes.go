package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"
)

// Pinger checks a dependency for /readyz.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Routes are the handlers the HTTP surface is made of.
type Routes struct {
	Log     *slog.Logger
	Metrics HTTPMetrics
	// GraphQL serves /graphql; Authenticate wraps it to establish the caller.
	GraphQL      http.Handler
	Authenticate func(http.Handler) http.Handler
	Webhook      http.Handler
	MetricsPage  http.Handler
	Database     Pinger
	// SPA is the built single-page app (frontend.Dist's dist directory).
	SPA fs.FS
	// PublicTLS says the panel is published over https (a TLS-terminating proxy in front
	// of the plain listener): every response then carries HSTS, as the webhook's TLS
	// listener's do.
	PublicTLS bool
}

// Handler returns the panel's whole HTTP surface.
func (rt Routes) Handler() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern, route string, quiet bool, h http.Handler) {
		mux.Handle(pattern, instrument(route, rt.Log, rt.Metrics, quiet, h))
	}
	handle("/graphql", "graphql", false, guardGraphQL(rt.Authenticate(rt.GraphQL)))
	handle("/playground", "playground", false, rt.playground())
	handle("/playground/", "playground", true, rt.playgroundAssets())
	webhook := instrumentWebhook(rt.Log, rt.Metrics, rt.Webhook)
	mux.Handle("/authenticate", webhook)
	mux.Handle("/authenticate/", webhook)
	handle("/healthz", "healthz", true, ok())
	handle("/livez", "livez", true, ok())
	handle("/readyz", "readyz", true, rt.ready())
	handle("/metrics", "metrics", true, rt.MetricsPage)
	handle("/", "spa", true, spa(rt.SPA))
	return webhookFirst(reviewHeaders(rt.PublicTLS, webhook), securityHeaders(rt.PublicTLS, mux))
}

// webhookFirst sends TokenReviews straight to the webhook and everything else to the
// mux: the hot path skips the mux's pattern matching and the document headers. Only
// paths the mux would route to the webhook unchanged (clean ones) take the short cut.
func webhookFirst(webhook, mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "/authenticate" || strings.HasPrefix(p, "/authenticate/") && path.Clean(p) == p && r.Method != http.MethodConnect {
			webhook.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// WebhookHandler returns the surface of the webhook-only TLS listener.
func (rt Routes) WebhookHandler() http.Handler {
	webhook := instrumentWebhook(rt.Log, rt.Metrics, rt.Webhook)
	mux := http.NewServeMux()
	mux.Handle("/authenticate", webhook)
	mux.Handle("/authenticate/", webhook)
	mux.Handle("/healthz", ok())
	return webhookFirst(reviewHeaders(true, webhook), securityHeaders(true, mux))
}

func ok() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
}

func (rt Routes) ready() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := rt.Database.Ping(ctx); err != nil {
			rt.Log.Warn("readyz: database unreachable", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unreachable\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
}

func (rt Routes) playgroundAssets() http.Handler {
	files := http.FileServerFS(rt.SPA)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}
