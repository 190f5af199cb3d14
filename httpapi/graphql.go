package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxGraphQLBody bounds a GraphQL request body.
const MaxGraphQLBody = 1 << 20

// guardGraphQL protects /graphql: POSTs must be JSON (a cross-site form cannot send it
// without a CORS preflight, which we never grant) and not come from another site; bodies
// are bounded. Websocket upgrades pass: their transport checks Origin against Host.
func guardGraphQL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			liftDeadlines(w)
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			graphqlError(w, http.StatusMethodNotAllowed, "INVALID", "GraphQL requests are POSTed as JSON (subscriptions use the websocket)")
			return
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || (mt != "application/json" && mt != "application/graphql-response+json") {
			graphqlError(w, http.StatusUnsupportedMediaType, "INVALID", "Content-Type must be application/json")
			return
		}
		if crossSite(r) {
			graphqlError(w, http.StatusForbidden, "FORBIDDEN", "cross-site requests are refused")
			return
		}
		if r.ContentLength > MaxGraphQLBody {
			graphqlError(w, http.StatusRequestEntityTooLarge, "INVALID", "the request body is larger than 1 MiB")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxGraphQLBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				graphqlError(w, http.StatusRequestEntityTooLarge, "INVALID", "the request body is larger than 1 MiB")
			} else {
				graphqlError(w, http.StatusBadRequest, "INVALID", "the request body could not be read")
			}
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// liftDeadlines removes the server's read and write timeouts from a websocket's
// connection: it lives for hours, bounded by the transport's ping deadline instead.
func liftDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
}

// crossSite reports whether a browser says the request comes from another site.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" && r.Header.Get("Sec-Fetch-Site") == "" {
		return origin == "null"
	}
	u, err := url.Parse(origin)
	return err != nil || !strings.EqualFold(u.Host, r.Host)
}

func graphqlError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []any{map[string]any{"message": msg, "extensions": map[string]string{"code": code}}},
	})
}
