package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"kaas/config"
	"kaas/internal/apptest"
	"kaas/internal/testenv"
)

func TestLogin(t *testing.T) {
	p := apptest.Start(t, apptest.Config(t))
	tests := []struct {
		name, user, password, domain, code string
	}{
		{"success", "ursula", "ursula-pass", "Default", ""},
		{"wrong password", "ursula", "wrong", "Default", "UNAUTHENTICATED"},
		{"unknown user", "nobody", "x", "Default", "UNAUTHENTICATED"},
		{"disabled user", "dora", "dora-pass", "Default", "UNAUTHENTICATED"},
		{"wrong domain", "ursula", "ursula-pass", "Elsewhere", "UNAUTHENTICATED"},
		{"empty password", "ursula", "", "Default", "INVALID"},
		{"overlong username", strings.Repeat("u", 300), "x", "Default", "INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := p.Client(t)
			var out struct {
				Login struct{ Name, Domain string }
			}
			// isClusterAdmin and tokens need a caller: the login's own response sees it.
			r := c.Do(`mutation($u:String!,$p:String!,$d:String){login(username:$u,password:$p,domain:$d){name domain isClusterAdmin}}`,
				map[string]any{"u": tt.user, "p": tt.password, "d": tt.domain}, &out)
			if r.Code() != tt.code {
				t.Fatalf("code = %q (%+v), want %q", r.Code(), r.Errors, tt.code)
			}
			var v struct {
				Viewer *struct{ Name string }
			}
			c.MustDo(`{viewer{name}}`, nil, &v)
			if tt.code != "" {
				if v.Viewer != nil {
					t.Fatal("a failed login left a session")
				}
				return
			}
			if out.Login.Name != tt.user || out.Login.Domain != "Default" || v.Viewer == nil || v.Viewer.Name != tt.user {
				t.Fatalf("login = %+v, viewer = %+v", out, v.Viewer)
			}
			c.MustDo(`mutation{logout}`, nil, nil)
			v.Viewer = nil
			c.MustDo(`{viewer{name}}`, nil, &v)
			if v.Viewer != nil {
				t.Fatal("still signed in after logout")
			}
		})
	}
}

func TestViewerRolesAndOperator(t *testing.T) {
	p := apptest.Start(t, apptest.Config(t))
	for _, tc := range []struct {
		user     string
		role     string
		operator bool
	}{
		{"alice", "demo-cluster-admin", false},
		{"oscar", "admin", true},
		{"ursula", "member", false},
	} {
		t.Run(tc.user, func(t *testing.T) {
			c := p.Client(t)
			c.Login(tc.user)
			var v struct {
				Viewer struct {
					ID         string
					IsOperator bool
					Roles      []struct{ ID, Name string }
				}
			}
			c.MustDo(`{viewer{id isOperator roles{id name}}}`, nil, &v)
			found := false
			for _, r := range v.Viewer.Roles {
				found = found || r.Name == tc.role
			}
			if !found || v.Viewer.IsOperator != tc.operator {
				t.Fatalf("viewer = %+v; want role %s, operator %v", v.Viewer, tc.role, tc.operator)
			}
		})
	}
}

func TestKeystoneDownLoginIsUnavailable(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.Keystone.AuthURL = testenv.ClosedURL(t)
	p := apptest.Start(t, cfg)
	r := p.Client(t).Do(`mutation{login(username:"ursula",password:"ursula-pass"){id}}`, nil, nil)
	if r.Code() != "UNAVAILABLE" || !strings.Contains(r.Errors[0].Message, "Keystone is unreachable") {
		t.Fatalf("got %+v", r.Errors)
	}
}

func TestTokensAPI(t *testing.T) {
	p := apptest.Start(t, apptest.Config(t))
	alice, bob := p.Client(t), p.Client(t)
	alice.Login("alice")
	bob.Login("ursula")
	secret, id := alice.CreateToken("laptop")
	if !strings.HasPrefix(secret, "kaas_") || len(secret) != 54 {
		t.Fatalf("secret %q has the wrong shape", secret)
	}
	type tokenList struct {
		Tokens []struct {
			ID, Name, Prefix, CreatedAt, ExpiresAt string
			LastUsedAt                             *string
		}
	}
	var list tokenList
	alice.MustDo(`{tokens{id name prefix createdAt expiresAt lastUsedAt}}`, nil, &list)
	if len(list.Tokens) != 1 || list.Tokens[0].ID != id || !strings.HasPrefix(secret, list.Tokens[0].Prefix) {
		t.Fatalf("tokens = %+v", list)
	}

	// The same token works as a bearer on the API, for scripts.
	script := p.Client(t)
	script.Bearer = secret
	var v struct{ Viewer struct{ Name string } }
	script.MustDo(`{viewer{name}}`, nil, &v)
	if v.Viewer.Name != "alice" {
		t.Fatalf("bearer viewer = %+v", v)
	}

	invalid := []struct {
		name  string
		input map[string]any
	}{
		{"empty name", map[string]any{"name": ""}},
		{"blank name", map[string]any{"name": "   "}},
		{"overlong name", map[string]any{"name": strings.Repeat("n", 101)}},
		{"zero days", map[string]any{"name": "x", "lifetimeDays": 0}},
		{"over a year", map[string]any{"name": "x", "lifetimeDays": 366}},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			r := alice.Do(`mutation($i:CreateTokenInput!){createToken(input:$i){secret}}`, map[string]any{"i": tt.input}, nil)
			if r.Code() != "INVALID" {
				t.Fatalf("code = %q, want INVALID", r.Code())
			}
		})
	}
	alice.MustDo(`{tokens{id name prefix createdAt expiresAt lastUsedAt}}`, nil, &list)
	if len(list.Tokens) != 1 {
		t.Fatalf("invalid input changed the token list: %+v", list)
	}

	if r := bob.Do(`mutation($id:ID!){deleteToken(id:$id)}`, map[string]any{"id": id}, nil); r.Code() != "NOT_FOUND" {
		t.Fatalf("another user's delete: %q", r.Code())
	}
	var del struct{ DeleteToken bool }
	alice.MustDo(`mutation($id:ID!){deleteToken(id:$id)}`, map[string]any{"id": id}, &del)
	if r := script.Do(`{tokens{id}}`, nil, nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("deleted bearer token: %q", r.Code())
	}
	if r := p.Client(t).Do(`{tokens{id}}`, nil, nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("anonymous tokens: %q", r.Code())
	}
}

func TestBadRequestsGetClearErrors(t *testing.T) {
	p := apptest.Start(t, apptest.Config(t))
	// Valid, but 17 levels deep.
	tooDeep := "{__schema{types{fields{type{" + strings.Repeat("ofType{", 12) + "name" + strings.Repeat("}", 16) + "}"
	// Shallow, but 1,200 fields: over the complexity limit.
	var wide strings.Builder
	wide.WriteString("{")
	for i := 0; i < 1200; i++ {
		fmt.Fprintf(&wide, "a%d:viewer{name} ", i)
	}
	wide.WriteString("}")
	tests := []struct {
		name        string
		method      string
		contentType string
		headers     map[string]string
		body        string
		status      int
		code        string
	}{
		{"GET", http.MethodGet, "", nil, "", http.StatusMethodNotAllowed, "INVALID"},
		{"form post", http.MethodPost, "application/x-www-form-urlencoded", nil, "query={viewer{name}}", http.StatusUnsupportedMediaType, "INVALID"},
		{"text", http.MethodPost, "text/plain", nil, `{"query":"{viewer{name}}"}`, http.StatusUnsupportedMediaType, "INVALID"},
		{"not JSON", http.MethodPost, "application/json", nil, `{"query":`, 0, "INVALID"},
		{"syntax error", http.MethodPost, "application/json", nil, `{"query":"{viewer{name"}`, 0, "INVALID"},
		{"unknown field", http.MethodPost, "application/json", nil, `{"query":"{nope}"}`, 0, "INVALID"},
		{"wrong variable type", http.MethodPost, "application/json", nil, `{"query":"mutation($n:Int!){deleteToken(id:$n)}","variables":{"n":"x"}}`, 0, "INVALID"},
		{"unknown input field in a variable", http.MethodPost, "application/json", nil, `{"query":"mutation($i:CreateTokenInput!){createToken(input:$i){id}}","variables":{"i":{"name":"x","bogus":1}}}`, 0, "INVALID"},
		{"unknown input field inline", http.MethodPost, "application/json", nil, `{"query":"mutation{createToken(input:{name:\"x\",bogus:1}){id}}"}`, 0, "INVALID"},
		{"too deep", http.MethodPost, "application/json", nil, `{"query":"` + tooDeep + `"}`, 0, "INVALID"},
		{"too complex", http.MethodPost, "application/json", nil, `{"query":"` + wide.String() + `"}`, 0, "INVALID"},
		{"oversized", http.MethodPost, "application/json", nil, `{"query":"` + strings.Repeat(" ", 2<<20) + `"}`, http.StatusRequestEntityTooLarge, "INVALID"},
		{"cross-site", http.MethodPost, "application/json", map[string]string{"Origin": "https://evil.example"}, `{"query":"{viewer{name}}"}`, http.StatusForbidden, "FORBIDDEN"},
		{"cross-site fetch metadata", http.MethodPost, "application/json", map[string]string{"Sec-Fetch-Site": "cross-site"}, `{"query":"mutation{logout}"}`, http.StatusForbidden, "FORBIDDEN"},
		{"no operation", http.MethodPost, "application/json", nil, `{}`, 0, "INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, p.URL+"/graphql", strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if tt.status != 0 && resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d (%s)", resp.StatusCode, tt.status, raw)
			}
			if resp.StatusCode >= 500 {
				t.Errorf("server error %d: %s", resp.StatusCode, raw)
			}
			var r apptest.Response
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatalf("not a JSON GraphQL response: %s", raw)
			}
			if r.Code() != tt.code || r.Errors[0].Message == "" {
				t.Fatalf("errors = %+v, want code %s", r.Errors, tt.code)
			}
			if tt.name == "too deep" && !strings.Contains(r.Errors[0].Message, "levels deep") {
				t.Fatalf("rejected for another reason: %s", r.Errors[0].Message)
			}
			if tt.name == "too complex" && !strings.Contains(r.Errors[0].Message, "complexity") {
				t.Fatalf("rejected for another reason: %s", r.Errors[0].Message)
			}
		})
	}
	resp, err := http.Get(p.URL + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("server unhealthy after bad input: %v %v", resp, err)
	}
}

func TestProbesMetricsAndSPA(t *testing.T) {
	p := apptest.Start(t, apptest.Config(t))
	p.Client(t).Do(`{viewer{name}}`, nil, nil)
	for path, want := range map[string]string{
		"/healthz": "ok", "/livez": "ok", "/readyz": "ok",
		"/metrics":    "kaas_graphql_operations_total",
		"/playground": "/playground/graphiql.min.js",
	} {
		resp, err := http.Get(p.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(want)) {
			t.Errorf("%s: %d, body lacks %q", path, resp.StatusCode, want)
		}
	}
	resp, err := http.Get(p.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte(`kaas_http_requests_total{code="200",method="POST",route="graphql"}`)) {
		t.Errorf("metrics lack the HTTP request counter")
	}
}

// TestPanelSettings: signed-in users read the webhook cache time the panel writes into
// clusters' kube-apiserver configuration, and whether clusters reach the webhook over
// https (and so name themselves); nobody else reads anything.
func TestPanelSettings(t *testing.T) {
	https := apptest.Config(t)
	https.WebhookPublicURL = "https://panel.example.test"
	cases := []struct {
		name       string
		cfg        config.Config
		identifies bool
	}{
		{"webhook over plain http", apptest.Config(t), false},
		{"webhook over https", https, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := apptest.Start(t, tc.cfg)
			c := p.Client(t)
			const q = `{settings{webhookCacheSeconds webhookIdentifiesClusters}}`
			if r := c.Do(q, nil, nil); r.Code() != "UNAUTHENTICATED" {
				t.Fatalf("anonymous: %+v", r.Errors)
			}
			c.Login("ursula")
			var s struct {
				Settings struct {
					WebhookCacheSeconds       int
					WebhookIdentifiesClusters bool
				}
			}
			c.MustDo(q, nil, &s)
			if s.Settings.WebhookCacheSeconds != 10 || s.Settings.WebhookIdentifiesClusters != tc.identifies {
				t.Fatalf("settings = %+v, want 10 s and identifies %v", s.Settings, tc.identifies)
			}
		})
	}
}
