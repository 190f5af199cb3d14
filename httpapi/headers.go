package httpapi

import (
	"net/http"
)

// Content security policies. Every response carries one: the strictest by default (an
// API answer or a file is no page), and each HTML page its own.
const (
	// cspNone is for responses that are not pages: nothing may load, nothing may frame it.
	cspNone = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
	// cspSPA is the single-page app's: its scripts and styles are files of its own origin;
	// React sets inline styles through the DOM, which style-src 'self' allows.
	cspSPA = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; " +
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

// hstsValue asks browsers to use https for a year. It names no subdomains: the panel's
// host does not own its siblings' policy.
const hstsValue = "max-age=31536000"

// securityHeaders sets the headers every response carries: no MIME sniffing, no referrer
// to other origins, no framing, an isolated browsing context, no powerful features, the
// strict content security policy (pages replace it with their own) and, when the
// request came over TLS or the panel is published over https behind a TLS-terminating
// proxy (tls), HSTS.
func securityHeaders(tls bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Shared values, set without canonicalizing or allocating: a page's handler
		// replaces its policy with Set, which never writes into these slices.
		h := w.Header()
		for _, kv := range commonHeaders {
			h[kv.name] = kv.value
		}
		if tls || r.TLS != nil {
			h["Strict-Transport-Security"] = hsts
		}
		next.ServeHTTP(w, r)
	})
}

// commonHeaders are securityHeaders' values, in canonical form.
var commonHeaders = []struct {
	name  string
	value []string
}{
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"Referrer-Policy", []string{"same-origin"}},
	{"X-Frame-Options", []string{"DENY"}},
	{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
	{"Cross-Origin-Resource-Policy", []string{"same-origin"}},
	{"Permissions-Policy", []string{"camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=()"}},
	{"Content-Security-Policy", []string{cspNone}},
}

var hsts = []string{hstsValue}
