package app_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"kaas/frontend"
	"kaas/internal/apptest"
	"kaas/internal/testenv"
)

// reviewHeaders are on every response of every listener, the webhook's TokenReview
// answers included.
var reviewHeaders = map[string]string{
	"X-Content-Type-Options": "nosniff",
}

// documentHeaders are on every response but the webhook's TokenReview answers (JSON for
// kube-apiserver, never a document: httpapi.reviewHeaders says why they go without).
var documentHeaders = map[string]string{
	"Referrer-Policy":              "same-origin",
	"X-Frame-Options":              "DENY",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
}

type headerCase struct {
	name, method, path, body, contentType string
	html                                  bool // an HTML page: its own content security policy
	review                                bool // a TokenReview answer: reviewHeaders only
}

// checkHeaders requests tc on base with client and checks the security headers: the
// review ones, the document ones unless tc is a review answer, a content security policy that lets nothing be framed (and on pages allows
// no inline script by 'unsafe-inline', no eval and no other origin), and HSTS exactly when
// wantHSTS.
func checkHeaders(t *testing.T, client *http.Client, base string, tc headerCase, wantHSTS bool) *http.Response {
	t.Helper()
	req, err := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
	if err != nil {
		t.Fatal(err)
	}
	if tc.contentType != "" {
		req.Header.Set("Content-Type", tc.contentType)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	if resp.StatusCode >= 500 {
		t.Fatalf("%s %s: %d %s", tc.method, tc.path, resp.StatusCode, body)
	}
	for k, want := range reviewHeaders {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s %s: %s = %q, want %q", tc.method, tc.path, k, got, want)
		}
	}
	for k, want := range documentHeaders {
		if got := resp.Header.Get(k); tc.review && got != "" || !tc.review && got != want {
			t.Errorf("%s %s (review answer: %v): %s = %q, want %q", tc.method, tc.path, tc.review, k, got, want)
		}
	}
	if pp := resp.Header.Get("Permissions-Policy"); !tc.review && (!strings.Contains(pp, "camera=()") || !strings.Contains(pp, "geolocation=()")) {
		t.Errorf("%s %s: Permissions-Policy = %q", tc.method, tc.path, pp)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src ") {
		t.Errorf("%s %s: Content-Security-Policy = %q", tc.method, tc.path, csp)
	}
	isHTML := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html")
	if isHTML != tc.html {
		t.Errorf("%s %s: Content-Type %q, want HTML %v", tc.method, tc.path, resp.Header.Get("Content-Type"), tc.html)
	}
	if tc.html {
		for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "http:", "https:", "*"} {
			if strings.Contains(csp, bad) {
				t.Errorf("%s %s: the page's policy allows %s: %q", tc.method, tc.path, bad, csp)
			}
		}
	} else if !strings.HasPrefix(csp, "default-src 'none'") {
		t.Errorf("%s %s: a response that is no page has policy %q, want default-src 'none'", tc.method, tc.path, csp)
	}
	if hsts := resp.Header.Get("Strict-Transport-Security"); (hsts != "") != wantHSTS || wantHSTS && !strings.HasPrefix(hsts, "max-age=31536000") {
		t.Errorf("%s %s: Strict-Transport-Security = %q, want present %v", tc.method, tc.path, hsts, wantHSTS)
	}
	return resp
}

// builtAsset names one of the SPA's hashed files.
func builtAsset(t *testing.T) string {
	t.Helper()
	assets, _ := fs.Glob(frontend.Dist, "dist/assets/*.js")
	if len(assets) == 0 {
		t.Fatal("the SPA is not built into this test binary: run `make build` (make test builds it first)")
	}
	return strings.TrimPrefix(assets[0], "dist")
}

// TestSecurityHeadersOnEveryRoute checks, from outside over HTTP, the security headers of
// every route of the main listener and of the webhook's TLS listener (which adds HSTS),
// the playground's nonce-based policy, and HSTS on the main listener once the panel is
// published over https.
func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.WebhookAddr = testenv.FreeAddr(t)
	cfg.WebhookTLSCert, cfg.WebhookTLSKey = testenv.SelfSignedCert(t)
	p := apptest.Start(t, cfg)
	asset := builtAsset(t)
	review := `{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"kaas_unknown"}}`
	main := []headerCase{
		{name: "SPA root", method: "GET", path: "/", html: true},
		{name: "deep link", method: "GET", path: "/operations/jobs/0123", html: true},
		{name: "hashed asset", method: "GET", path: asset},
		{name: "unknown file", method: "GET", path: "/nope.png"},
		{name: "playground", method: "GET", path: "/playground", html: true},
		{name: "playground asset", method: "GET", path: "/playground/graphiql.min.js"},
		{name: "graphql", method: "POST", path: "/graphql", body: `{"query":"{viewer{name}}"}`, contentType: "application/json"},
		{name: "graphql GET refused", method: "GET", path: "/graphql"},
		{name: "authenticate", method: "POST", path: "/authenticate", body: review, contentType: "application/json", review: true},
		{name: "authenticate per cluster", method: "POST", path: "/authenticate/nope", body: review, contentType: "application/json", review: true},
		{name: "authenticate GET refused", method: "GET", path: "/authenticate", review: true},
		{name: "healthz", method: "GET", path: "/healthz"},
		{name: "livez", method: "GET", path: "/livez"},
		{name: "readyz", method: "GET", path: "/readyz"},
		{name: "metrics", method: "GET", path: "/metrics"},
	}
	routes := 0
	for _, tc := range main {
		t.Run("main/"+tc.name, func(t *testing.T) {
			checkHeaders(t, http.DefaultClient, p.URL, tc, false)
			routes++
		})
	}

	pem, err := os.ReadFile(cfg.WebhookTLSCert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	tlsClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	waitListening(t, cfg.WebhookAddr)
	for _, tc := range []headerCase{
		{name: "authenticate", method: "POST", path: "/authenticate", body: review, contentType: "application/json", review: true},
		{name: "authenticate per cluster", method: "POST", path: "/authenticate/nope", body: review, contentType: "application/json", review: true},
		{name: "authenticate GET refused", method: "GET", path: "/authenticate", review: true},
		{name: "healthz", method: "GET", path: "/healthz"},
		{name: "not served here", method: "GET", path: "/graphql"},
	} {
		t.Run("webhook TLS/"+tc.name, func(t *testing.T) {
			checkHeaders(t, tlsClient, "https://"+cfg.WebhookAddr, tc, true)
			routes++
		})
	}
	t.Logf("security headers present on %d routes", routes)

	t.Run("playground inline code carries the response's nonce", func(t *testing.T) {
		nonceOf := regexp.MustCompile(`script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'`)
		var nonces []string
		for range 2 {
			resp := checkHeaders(t, http.DefaultClient, p.URL, main[4], false)
			m := nonceOf.FindStringSubmatch(resp.Header.Get("Content-Security-Policy"))
			if m == nil {
				t.Fatalf("no script nonce in %q", resp.Header.Get("Content-Security-Policy"))
			}
			nonces = append(nonces, m[1])
			body, _ := io.ReadAll(resp.Body)
			tags := regexp.MustCompile(`<(script|style)([^>]*)>`).FindAllStringSubmatch(string(body), -1)
			inline := 0
			for _, tag := range tags {
				attrs := tag[2]
				if src := regexp.MustCompile(`src="([^"]*)"`).FindStringSubmatch(attrs); src != nil {
					if !strings.HasPrefix(src[1], "/playground/") {
						t.Errorf("a script from elsewhere than the panel: %s", src[1])
					}
					continue
				}
				inline++
				if !strings.Contains(attrs, `nonce="`+m[1]+`"`) {
					t.Errorf("inline <%s%s> lacks the response's nonce %s", tag[1], attrs, m[1])
				}
			}
			if inline < 3 {
				t.Errorf("%d inline elements, want gqlgen's script and style and the nonce setter", inline)
			}
			if !strings.Contains(string(body), `__webpack_nonce__ = "`+m[1]+`"`) {
				t.Error("the page does not hand the nonce to GraphiQL's dialogs")
			}
		}
		if nonces[0] == nonces[1] {
			t.Fatalf("two answers share the nonce %s", nonces[0])
		}
	})

	t.Run("HSTS on the main listener behind an https public URL", func(t *testing.T) {
		cfg := apptest.Config(t)
		cfg.PublicURL = "https://panel.kaas.test"
		p := apptest.Start(t, cfg)
		for _, tc := range main[:5] {
			checkHeaders(t, http.DefaultClient, p.URL, tc, true)
		}
	})
}
