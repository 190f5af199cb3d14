// Package apptest starts the whole panel in-process for tests: real SQLite (or
// PostgreSQL), the real test Keystone, the real HTTP surface on a loopback port. It also
// captures the panel's logs so tests can prove no secret is ever written.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kaas/app"
	"kaas/config"
	"kaas/internal/secretscan"
	"kaas/internal/testenv"
	"kaas/models"
	"kaas/session"
)

// Panel is a running panel.
type Panel struct {
	App  *app.App
	URL  string
	Logs *SyncBuffer
}

// SyncBuffer is a goroutine-safe log sink.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// DemoRoleScope is where the seeded test Keystone assigns the operator and cluster-admin
// roles: the demo project.
var DemoRoleScope = []models.ScopeRef{{Kind: models.ScopeProject, Ref: "demo", Domain: "Default"}}

// Config returns a configuration for a test panel against the test Keystone, on SQLite
// or, with KAAS_TEST_APP_DATABASE=postgres, on a fresh PostgreSQL schema.
func Config(t testing.TB) config.Config {
	ks := testenv.Keystone(t)
	testenv.RecordSecret(t, secretscan.KindPassword, ks.Password)
	return config.Config{
		Addr:        "127.0.0.1:0",
		DataDir:     t.TempDir(),
		DatabaseDSN: testenv.AppDatabaseDSN(t),
		LogLevel:    "debug",
		Keystone: config.Keystone{
			AuthURL: ks.AuthURL, Username: ks.Username, Password: ks.Password, ProjectName: ks.ProjectName,
			UserDomain: "Default", ProjectDomain: "Default", Timeout: 15 * time.Second,
		},
		SessionTTL:      time.Hour,
		OperatorRole:    "admin",
		Access:          config.DefaultAccess(DemoRoleScope),
		IdentityTTL:     time.Minute,
		IdentityStale:   10 * time.Minute,
		ShutdownTimeout: 5 * time.Second,

		AuditRetention:    config.DefaultAuditRetention,
		ExpiredTokenGrace: config.DefaultExpiredTokenGrace,
	}
}

// Start runs a panel with cfg until the test ends. Its logs are captured in Logs and,
// when the run keeps logs (KAAS_TEST_LOG_DIR), written to panel.log in the test's log
// directory, with the logs of the local clusters it ran, for the scan for secrets at the
// end of the run.
func Start(t testing.TB, cfg config.Config) *Panel {
	t.Helper()
	logs := &SyncBuffer{}
	var sink io.Writer = logs
	var logFile *os.File
	if dir := testenv.LogDir(t); dir != "" {
		f, err := os.OpenFile(filepath.Join(dir, "panel.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			t.Fatalf("panel log: %v", err)
		}
		logFile, sink = f, io.MultiWriter(logs, f)
	}
	log := slog.New(slog.NewJSONHandler(sink, &slog.HandlerOptions{Level: slog.LevelDebug}))
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = l.Addr().String()
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + cfg.Addr
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatalf("start panel: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		<-done
		a.Close()
		if logFile != nil {
			logFile.Close()
			testenv.KeepLogs(t, cfg.DataDir)
		}
		if t.Failed() {
			t.Logf("panel logs:\n%s", lastLines(logs.String(), 40))
		}
	})
	return &Panel{App: a, URL: "http://" + cfg.Addr, Logs: logs}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Client is a GraphQL client with a cookie jar, like a browser tab. It records the
// secrets it sends and receives (passwords, kubeconfigs, token secrets, webhook
// kubeconfigs, session cookies) in the run's secret ledger.
type Client struct {
	t       testing.TB
	url     string
	http    *http.Client
	Bearer  string
	session string // the last session cookie recorded
}

// Client returns a new client (its own cookie jar) for the panel.
func (p *Panel) Client(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, url: p.URL, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// GQLError is one GraphQL error.
type GQLError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// Response is a GraphQL response.
type Response struct {
	Data   json.RawMessage `json:"data"`
	Errors []GQLError      `json:"errors"`
	Status int             `json:"-"`
}

// Code returns the first error's code, "" when there is none.
func (r Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	code, _ := r.Errors[0].Extensions["code"].(string)
	return code
}

// Do runs one operation and decodes data into out (when not nil).
func (c *Client) Do(query string, vars map[string]any, out any) Response {
	c.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, c.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("graphql request: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r Response
	if err := json.Unmarshal(raw, &r); err != nil {
		c.t.Fatalf("graphql response %d is not JSON: %s", resp.StatusCode, raw)
	}
	r.Status = resp.StatusCode
	c.recordSecrets(vars, r.Data)
	if out != nil && len(r.Data) > 0 && string(r.Data) != "null" {
		if err := json.Unmarshal(r.Data, out); err != nil {
			c.t.Fatalf("decode data: %v (%s)", err, r.Data)
		}
	}
	return r
}

// recordSecrets puts in the ledger what a request sent and its answer carried: the
// variables' passwords and kubeconfigs, the answer's token secrets and webhook
// kubeconfigs, and the session cookie when it changed.
func (c *Client) recordSecrets(vars map[string]any, data json.RawMessage) {
	c.t.Helper()
	walkStrings(vars, func(key, v string) {
		switch key {
		case "p", "password":
			testenv.RecordSecret(c.t, secretscan.KindPassword, v)
		case "kubeconfig":
			testenv.RecordKubeconfig(c.t, []byte(v), secretscan.KindKubeconfigKey)
		}
	})
	var answer any
	if len(data) > 0 && json.Unmarshal(data, &answer) == nil {
		walkStrings(answer, func(key, v string) {
			switch key {
			case "secret":
				testenv.RecordSecret(c.t, secretscan.KindToken, v)
			case "issueWebhookKubeconfig":
				testenv.RecordKubeconfig(c.t, []byte(v), secretscan.KindWebhookCredential)
			}
		})
	}
	testenv.RecordSecret(c.t, secretscan.KindToken, c.Bearer)
	for _, ck := range c.Cookies() {
		if ck.Name == session.CookieName && ck.Value != c.session {
			c.session = ck.Value
			testenv.RecordSecret(c.t, secretscan.KindSession, ck.Value)
		}
	}
}

// walkStrings calls f for every string in a decoded JSON value with the key it is under.
func walkStrings(v any, f func(key, value string)) {
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case string:
			f(key, v)
		case map[string]any:
			for k, x := range v {
				walk(k, x)
			}
		case []any:
			for _, x := range v {
				walk(key, x)
			}
		}
	}
	walk("", v)
}

// MustDo runs one operation and fails the test on any error.
func (c *Client) MustDo(query string, vars map[string]any, out any) {
	c.t.Helper()
	if r := c.Do(query, vars, out); len(r.Errors) > 0 {
		c.t.Fatalf("graphql errors: %+v", r.Errors)
	}
}

// Login logs the client in as a demo user ("<name>-pass").
func (c *Client) Login(user string) string {
	c.t.Helper()
	var out struct {
		Login struct{ ID string } `json:"login"`
	}
	c.MustDo(`mutation($u:String!,$p:String!){login(username:$u,password:$p){id}}`, map[string]any{"u": user, "p": user + "-pass"}, &out)
	return out.Login.ID
}

// CreateToken makes a token and returns its secret and ID.
func (c *Client) CreateToken(name string) (secret, id string) {
	c.t.Helper()
	var out struct {
		CreateToken struct {
			Secret string
			Token  struct{ ID string }
		} `json:"createToken"`
	}
	c.MustDo(`mutation($n:String!){createToken(input:{name:$n}){secret token{id}}}`, map[string]any{"n": name}, &out)
	return out.CreateToken.Secret, out.CreateToken.Token.ID
}

// LoginAs logs the client in with explicit credentials and domain ("" for the default)
// and returns the response, errors included.
func (c *Client) LoginAs(user, password, domain string) Response {
	c.t.Helper()
	vars := map[string]any{"u": user, "p": password}
	if domain != "" {
		vars["d"] = domain
	}
	return c.Do(`mutation($u:String!,$p:String!,$d:String){login(username:$u,password:$p,domain:$d){id}}`, vars, nil)
}

// Cookies returns the client's cookies for the panel (to copy a session elsewhere).
func (c *Client) Cookies() []*http.Cookie {
	u, _ := url.Parse(c.url)
	return c.http.Jar.Cookies(u)
}

// CopySession returns a new client carrying this client's cookies, as a thief would.
func (c *Client) CopySession(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(c.url)
	jar.SetCookies(u, c.Cookies())
	return &Client{t: t, url: c.url, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// At returns a client of the panel at url that shares c's cookie jar and bearer token:
// the same browser with its requests served by another replica (cookies ignore ports).
func (c *Client) At(url string) *Client {
	return &Client{t: c.t, url: url, http: c.http, Bearer: c.Bearer}
}
