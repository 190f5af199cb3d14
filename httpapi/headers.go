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
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=()")
		h.Set("Content-Security-Policy", cspNone)
		if tls || r.TLS != nil {
			h.Set("Strict-Transport-Security", hstsValue)
		}
		next.ServeHTTP(w, r)
	})
}
