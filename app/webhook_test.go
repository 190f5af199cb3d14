package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"kaas/internal/apptest"
	"kaas/internal/secretscan"
	"kaas/internal/testenv"
	"kaas/models"
	"kaas/tokens"
)

type reviewResult struct {
	Status     int
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       map[string]any
	Out        struct {
		Authenticated bool
		User          struct {
			Username string
			UID      string
			Groups   []string
		}
		Audiences []string
		Error     string
	} `json:"status"`
	Raw string
}

func review(t *testing.T, url, version, token string, headers map[string]string) reviewResult {
	t.Helper()
	body := fmt.Sprintf(`{"apiVersion":"authentication.k8s.io/%s","kind":"TokenReview","spec":{"token":%q,"audiences":["https://kubernetes.default.svc"]}}`, version, token)
	return post(t, url, body, headers)
}

func post(t *testing.T, url, body string, headers map[string]string) reviewResult {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r reviewResult
	_ = json.Unmarshal(raw, &r)
	r.Status, r.Raw = resp.StatusCode, string(raw)
	return r
}

func TestWebhookAnswersTokenReviews(t *testing.T) {
	p := apptest.Start(t, apptest.Config(t))
	c := p.Client(t)
	userID := c.Login("alice")
	secret, id := c.CreateToken("kubectl")
	unknown, _ := tokens.Generate(nil)
	url := p.URL + "/authenticate"

	for _, version := range []string{"v1", "v1beta1"} {
		t.Run("valid "+version, func(t *testing.T) {
			r := review(t, url, version, secret, nil)
			if r.Status != 200 || !r.Out.Authenticated || r.APIVersion != "authentication.k8s.io/"+version || r.Kind != "TokenReview" {
				t.Fatalf("review = %s", r.Raw)
			}
			if r.Out.User.Username != "alice" || r.Out.User.UID != userID {
				t.Errorf("user = %+v", r.Out.User)
			}
			seen := map[string]bool{}
			for _, g := range r.Out.User.Groups {
				if seen[g] {
					t.Errorf("duplicate group %s", g)
				}
				seen[g] = true
			}
			if len(seen) < 2 {
				t.Errorf("groups %v should hold alice's role IDs (member, demo-cluster-admin, reader)", r.Out.User.Groups)
			}
			if len(r.Out.Audiences) != 1 {
				t.Errorf("audiences = %v", r.Out.Audiences)
			}
			if strings.Contains(r.Raw, secret) {
				t.Error("the response echoes the token")
			}
		})
	}

	rejected := []struct{ name, token string }{
		{"unknown", unknown},
		{"malformed", "kaas_short"},
		{"keystone-like", strings.Repeat("g", 180)},
	}
	for _, tt := range rejected {
		for _, version := range []string{"v1", "v1beta1"} {
			t.Run(tt.name+" "+version, func(t *testing.T) {
				r := review(t, url, version, tt.token, nil)
				if r.Status != 200 || r.Out.Authenticated || r.APIVersion != "authentication.k8s.io/"+version {
					t.Fatalf("review = %d %s", r.Status, r.Raw)
				}
			})
		}
	}

	malformed := []struct {
		name, body string
		status     int
	}{
		{"not JSON", `{"apiVersion":`, 400},
		{"wrong kind", `{"apiVersion":"authentication.k8s.io/v1","kind":"SubjectAccessReview","spec":{"token":"x"}}`, 400},
		{"wrong apiVersion", `{"apiVersion":"authentication.k8s.io/v2","kind":"TokenReview","spec":{"token":"x"}}`, 400},
		{"empty token", `{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":""}}`, 400},
		{"too large", `{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"` + strings.Repeat("a", 1<<20) + `"}}`, 413},
	}
	for _, tt := range malformed {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, url, tt.body, nil)
			if r.Status != tt.status || !strings.Contains(r.Raw, "error") {
				t.Fatalf("got %d %s, want %d", r.Status, r.Raw, tt.status)
			}
		})
	}
	if resp, err := http.Get(url); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET /authenticate = %v %v", resp, err)
	}

	// Deleting the token takes effect on the very next review.
	c.MustDo(`mutation($id:ID!){deleteToken(id:$id)}`, map[string]any{"id": id}, nil)
	if r := review(t, url, "v1", secret, nil); r.Status != 200 || r.Out.Authenticated {
		t.Fatalf("deleted token: %s", r.Raw)
	}
}

func TestWebhookRecordsLastUseAndCluster(t *testing.T) {
	p := apptest.Start(t, apptest.Config(t))
	ctx := context.Background()
	cluster := &models.Cluster{ID: uuid.NewString(), Name: "blue", BaseDomain: "example.com", APIURL: "https://127.0.0.1:1",
		Status: models.ClusterReady, Driver: "existing", AdminRoleIDs: []string{"x"}, Credential: []byte{0}}
	if err := p.App.DB().CreateCluster(ctx, cluster); err != nil {
		t.Fatal(err)
	}
	_, cred, err := p.App.Registry.IssueWebhookCredential(ctx, cluster.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Client(t)
	c.Login("ursula")
	secret, _ := c.CreateToken("ci")

	tests := []struct {
		name, path, credential string
		status                 int
	}{
		{"per-cluster path and credential", "/authenticate/blue", cred, 200},
		{"credential on the plain path", "/authenticate", cred, 200},
		{"credential of another cluster", "/authenticate/green", cred, 401},
		{"wrong credential", "/authenticate/blue", "kaaswh_nope", 401},
		{"no credential (allowed by default)", "/authenticate/blue", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.credential != "" {
				h["Authorization"] = "Bearer " + tt.credential
			}
			r := review(t, p.URL+tt.path, "v1", secret, h)
			if r.Status != tt.status || (tt.status == 200 && !r.Out.Authenticated) {
				t.Fatalf("got %d %s", r.Status, r.Raw)
			}
		})
	}
	// Last use is written in the background: poll with a deadline.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var list struct {
			Tokens []struct {
				LastUsedAt      *string
				LastUsedCluster *string
			}
		}
		c.MustDo(`{tokens{lastUsedAt lastUsedCluster}}`, nil, &list)
		if tk := list.Tokens[0]; tk.LastUsedAt != nil && tk.LastUsedCluster != nil && *tk.LastUsedCluster == "blue" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("last use never recorded: %+v", list)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestWebhookRequiresClusterCredentialWhenConfigured(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.WebhookRequireClusterCredential = true
	p := apptest.Start(t, cfg)
	c := p.Client(t)
	c.Login("ursula")
	secret, _ := c.CreateToken("ci")
	if r := review(t, p.URL+"/authenticate", "v1", secret, nil); r.Status != 401 {
		t.Fatalf("without credential: %d %s", r.Status, r.Raw)
	}
}

func TestDisabledAndDeletedUsersStopAuthenticating(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.IdentityTTL = time.Second
	p := apptest.Start(t, cfg)
	admin := testenv.NewKeystoneAdmin(t)
	name := testenv.RandomName("kaas-test-")
	userID := admin.CreateUser(name, name+"-pass")
	c := p.Client(t)
	var out struct{ Login struct{ ID string } }
	c.MustDo(`mutation($u:String!,$p:String!){login(username:$u,password:$p){id}}`, map[string]any{"u": name, "p": name + "-pass"}, &out)
	secret, _ := c.CreateToken("t")
	url := p.URL + "/authenticate"
	if r := review(t, url, "v1", secret, nil); !r.Out.Authenticated {
		t.Fatalf("fresh user: %s", r.Raw)
	}
	waitFor := func(what string, want bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			r := review(t, url, "v1", secret, nil)
			if r.Status == 200 && r.Out.Authenticated == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: still %s", what, r.Raw)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	start := time.Now()
	admin.SetEnabled(userID, false)
	waitFor("disabled", false)
	t.Logf("disabled user rejected after %v (TTL %v)", time.Since(start).Round(time.Millisecond), cfg.IdentityTTL)
	admin.SetEnabled(userID, true)
	waitFor("re-enabled", true)
	admin.DeleteUser(userID)
	waitFor("deleted", false)
}

func TestCachedIdentityServedWhileKeystoneIsDown(t *testing.T) {
	proxy := testenv.NewTCPProxy(t, testenv.Keystone(t).AuthURL)
	cfg := apptest.Config(t)
	cfg.Keystone.AuthURL = proxy.URL()
	cfg.IdentityTTL = time.Nanosecond // every review asks Keystone again
	cfg.IdentityStale = time.Hour
	p := apptest.Start(t, cfg)
	c := p.Client(t)
	c.Login("alice")
	secret, _ := c.CreateToken("t")
	url := p.URL + "/authenticate"
	if r := review(t, url, "v1", secret, nil); !r.Out.Authenticated {
		t.Fatalf("before: %s", r.Raw)
	}
	proxy.Stop()
	r := review(t, url, "v1", secret, nil)
	if r.Status != 200 || !r.Out.Authenticated || r.Out.User.Username != "alice" {
		t.Fatalf("Keystone down, cached user: %d %s", r.Status, r.Raw)
	}
	unknownUser, _ := tokens.Generate(nil)
	if r := review(t, url, "v1", unknownUser, nil); r.Status != 200 || r.Out.Authenticated {
		t.Fatalf("unknown token with Keystone down: %s", r.Raw)
	}
}

func TestNoSecretsInLogs(t *testing.T) {
	p := apptest.Start(t, apptest.Config(t))
	c := p.Client(t)
	c.Login("alice")
	c.Do(`mutation{login(username:"alice",password:"not-her-password-xyz"){id}}`, nil, nil)
	secret, id := c.CreateToken("leak-check")
	review(t, p.URL+"/authenticate", "v1", secret, nil)
	review(t, p.URL+"/authenticate/blue", "v1beta1", secret, map[string]string{"Authorization": "Bearer kaaswh_not-a-cred"})
	script := p.Client(t)
	script.Bearer = secret
	script.Do(`{viewer{name}}`, nil, nil)
	script.Bearer = secret[:len(secret)-1] + "x"
	script.Do(`{viewer{name}}`, nil, nil)
	c.MustDo(`mutation($id:ID!){deleteToken(id:$id)}`, map[string]any{"id": id}, nil)
	review(t, p.URL+"/authenticate", "v1", secret, nil)

	sum := sha256.Sum256([]byte(secret))
	logs := p.Logs.String()
	if len(logs) == 0 {
		t.Fatal("no logs captured")
	}
	// The same scan as the one over a whole run's logs (cmd/kaas-secretscan), with what
	// only this test knows: the hash forms, a part of the token, the cookie's name.
	entries := []secretscan.Entry{
		{Kind: "token", Value: secret},
		{Kind: "token body", Value: secret[5:30]},
		{Kind: "hash (hex)", Value: hex.EncodeToString(sum[:])},
		{Kind: "hash (base64)", Value: base64.StdEncoding.EncodeToString(sum[:])},
		{Kind: "password", Value: "alice-pass"},
		{Kind: "wrong password", Value: "not-her-password-xyz"},
		{Kind: "service password", Value: testenv.Keystone(t).Password},
		{Kind: "session cookie", Value: "kaas_session="},
		{Kind: "webhook credential", Value: "kaaswh_not-a-cred"},
	}
	for _, ck := range c.Cookies() {
		entries = append(entries, secretscan.Entry{Kind: "session JWT", Value: ck.Value})
	}
	for _, f := range secretscan.FindIn("the logs", []byte(logs), entries) {
		t.Errorf("the logs contain the %s (%s, line %d)", f.Kind, f.Form, f.Line)
	}
}
