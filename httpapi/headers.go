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

// securityHeaders sets the headers every response carries (documentHeaders): no MIME
// sniffing, no referrer to other origins, no framing, an isolated browsing context, no
// powerful features, the strict content security policy (pages replace it with their
// own) and, when the request came over TLS or the panel is published over https behind
// a TLS-terminating proxy (tls), HSTS.
func securityHeaders(tls bool, next http.Handler) http.Handler {
	return withHeaders(documentHeaders, tls, next)
}

// reviewHeaders sets the headers of the webhook's answers (reviewAnswerHeaders). They are
// JSON for kube-apiserver, never a document, so of documentHeaders only those that mean
// something for a response that is no document stay: no MIME sniffing, and the strictest
// policy, whose frame-ancestors 'none' says what X-Frame-Options says. Referrer, opener
// and permissions policies govern documents; Cross-Origin-Resource-Policy keeps another
// origin's page from reading an answer into its process, and an answer holds nothing its
// requester did not send (the review of the token in its own body; no cookie is read).
// Each header line costs every review a few percent of its CPU (BENCHMARKS.md).
func reviewHeaders(tls bool, next http.Handler) http.Handler {
	return withHeaders(reviewAnswerHeaders, tls, next)
}

// withHeaders sets headers, and HSTS when tls or the request came over TLS, on every
// response of next. The values are shared, set without canonicalizing or allocating: a
// page's handler replaces its policy with Set, which never writes into these slices.
func withHeaders(headers []header, tls bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, kv := range headers {
			h[kv.name] = kv.value
		}
		if tls || r.TLS != nil {
			h["Strict-Transport-Security"] = hsts
		}
		next.ServeHTTP(w, r)
	})
}

// header is a header's canonical name and its shared value.
type header struct {
	name  string
	value []string
}

var (
	nosniff = header{"X-Content-Type-Options", []string{"nosniff"}}
	noneCSP = header{"Content-Security-Policy", []string{cspNone}}
	hsts    = []string{hstsValue}
)

// documentHeaders are securityHeaders' values.
var documentHeaders = []header{
	nosniff,
	{"Referrer-Policy", []string{"same-origin"}},
	{"X-Frame-Options", []string{"DENY"}},
	{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
	{"Cross-Origin-Resource-Policy", []string{"same-origin"}},
	{"Permissions-Policy", []string{"camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=()"}},
	noneCSP,
}

// reviewAnswerHeaders are reviewHeaders' values.
var reviewAnswerHeaders = []header{nosniff, noneCSP}
