package httpapi

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/99designs/gqlgen/graphql/playground"
)

// playground serves GraphiQL with its scripts from the binary: clouds are often offline.
// The integrity hashes are gqlgen's own for the same published files.
//
// The page carries a strict content security policy: scripts and styles from the panel's
// own origin, and inline code only with the request's nonce. The page is gqlgen's, the
// same for every request, so it is rendered once and each answer stamps a fresh nonce on
// its inline script and style. GraphiQL's dialogs add a style element of their own; they
// stamp it with the nonce they find in __webpack_nonce__, which the page sets first.
func (rt Routes) playground() http.Handler {
	gqlgenPage := playground.Handler("KaaS panel GraphQL", "/graphql",
		playground.WithGraphiqlVersion("/playground/graphiql.min.js", "/playground/graphiql.min.css",
			"sha256-hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs=", "sha256-MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU="),
		playground.WithGraphiqlReactVersion("/playground/react.production.min.js", "/playground/react-dom.production.min.js",
			"sha256-S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY=", "sha256-IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc="),
		playground.WithGraphiqlEnablePluginExplorer(false),
	)
	rec := httptest.NewRecorder()
	gqlgenPage.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/playground", nil))
	page := rec.Body.String()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		nonce := newNonce()
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", playgroundCSP(nonce))
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write([]byte(stampNonce(page, nonce)))
	})
}

// playgroundCSP is the playground page's policy for one nonce.
func playgroundCSP(nonce string) string {
	n := "'nonce-" + nonce + "'"
	return "default-src 'none'; script-src 'self' " + n + "; style-src 'self' " + n +
		"; img-src 'self' data:; font-src 'self' data:; connect-src 'self'" +
		"; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// stampNonce gives page's inline script and style elements the nonce, and sets
// __webpack_nonce__ before the first script runs.
func stampNonce(page, nonce string) string {
	attr := ` nonce="` + nonce + `"`
	page = strings.ReplaceAll(page, "<script>", "<script"+attr+">")
	page = strings.ReplaceAll(page, "<style>", "<style"+attr+">")
	setter := "<script" + attr + ">window.__webpack_nonce__ = \"" + nonce + "\";</script>\n\t"
	if i := strings.Index(page, "<script"); i >= 0 {
		page = page[:i] + setter + page[i:]
	}
	return page
}

// newNonce returns 128 random bits, base64: a CSP nonce.
func newNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
