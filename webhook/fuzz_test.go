package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	authv1 "k8s.io/api/authentication/v1"

	"kaas/identity"
	"kaas/models"
	"kaas/tokens"
	"kaas/webhook"
)

// Tokens of the fuzzed store: one live (alice), one expired, one of a disabled user.
var (
	fuzzLive     = fixedToken(1)
	fuzzExpired  = fixedToken(2)
	fuzzDisabled = fixedToken(3)
)

const fuzzCred = "cluster-credential-of-demo"

// fixedToken is a well-formed token whose secret is 32 times b.
func fixedToken(b byte) string {
	s, err := tokens.Generate(bytes.NewReader(bytes.Repeat([]byte{b}, 32)))
	if err != nil {
		panic(err)
	}
	return s
}

// memTokens is a token store in memory. It hands the index every token it holds, expired
// ones too, so that the index's own expiry check is exercised.
type memTokens map[string]*models.Token

func (m memTokens) CreateTokenCapped(context.Context, *models.Token, int) error { return nil }
func (m memTokens) LiveTokens(_ context.Context, _ time.Time, fn func(models.TokenKey)) (int64, error) {
	for _, t := range m {
		fn(models.TokenKey{ID: t.ID, UserID: t.UserID, Hash: t.Hash, ExpiresAt: t.ExpiresAt})
	}
	return 0, nil
}
func (m memTokens) TokenChanges(context.Context, int64, int) ([]models.TokenChange, error) {
	return nil, nil
}
func (m memTokens) Tokens(context.Context, string, *models.TokenCursor, int) ([]models.Token, error) {
	return nil, nil
}
func (m memTokens) DeleteToken(context.Context, string, string) (*models.Token, error) {
	return nil, models.Errorf(models.CodeNotFound, "no token")
}

type oneCluster struct{}

func (oneCluster) ClusterForCredential(_ context.Context, c string) (string, error) {
	if c == fuzzCred {
		return "demo", nil
	}
	return "", nil
}

// reviewMetrics records the labels the handler observes.
type reviewMetrics struct {
	mu     sync.Mutex
	labels [][2]string
}

func (m *reviewMetrics) Review(result, apiVersion string, _ time.Duration) {
	m.mu.Lock()
	m.labels = append(m.labels, [2]string{result, apiVersion})
	m.mu.Unlock()
}

// fuzzHandler is the webhook over the real tokens.Service (format check, index, expiry) and a
// store that holds exactly the three tokens above.
func fuzzHandler(f *testing.F, now time.Time, require bool, m *reviewMetrics) *webhook.Handler {
	store := memTokens{}
	for _, tk := range []struct {
		secret, user string
		expires      time.Time
	}{{fuzzLive, "u-alice", now.Add(time.Hour)}, {fuzzExpired, "u-alice", now.Add(-time.Hour)}, {fuzzDisabled, "u-bob", now.Add(time.Hour)}} {
		h, err := tokens.Parse(tk.secret)
		if err != nil {
			f.Fatalf("seed token %s: %v", tk.secret, err)
		}
		store[string(h[:])] = &models.Token{ID: "id-" + tk.secret[5:13], UserID: tk.user, Hash: h[:], ExpiresAt: tk.expires}
	}
	clock := func() time.Time { return now }
	index := tokens.NewIndex(store, tokens.IndexOptions{InProcess: true, Now: clock})
	if err := index.Load(context.Background()); err != nil {
		f.Fatal(err)
	}
	svc := tokens.NewService(store, index, tokens.Options{Now: clock})
	return &webhook.Handler{
		Tokens: svc,
		Identities: fakeIdentities{
			"u-alice": {UserID: "u-alice", Username: "alice", Domain: "Default", DomainID: "default", Enabled: true,
				Roles: []models.Role{{ID: "5f0e5b1c7d2a4c1e9f3b8a6d4e2c1b0a", Name: "member"}, {ID: "system:masters", Name: "sneaky"}}},
			"u-bob": {UserID: "u-bob", Username: "bob", Domain: "Default", DomainID: "default", Enabled: false},
		},
		Clusters:                 oneCluster{},
		Usernames:                identity.NewUsernameRule("Default"),
		Metrics:                  m,
		Log:                      slog.New(slog.DiscardHandler),
		RequireClusterCredential: require,
	}
}

// FuzzTokenReview sends arbitrary requests through the whole webhook handler. Every answer
// has an expected status, one metrics observation with labels from a fixed set, and a JSON
// body; `authenticated: true` comes only for the live token of the store, as its user, to a
// POST whose credential (when one is given or required) is the cluster's.
func FuzzTokenReview(f *testing.F) {
	v1 := `{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"` + fuzzLive + `","audiences":["https://kubernetes.default.svc"]}}`
	for _, s := range []struct {
		method, path, auth, body string
		require                  bool
	}{
		{"POST", "/authenticate", "", v1, false},
		{"POST", "/authenticate/demo", "Bearer " + fuzzCred, strings.Replace(v1, "/v1", "/v1beta1", 1), true},
		{"POST", "/authenticate/other", "Bearer " + fuzzCred, v1, true},
		{"POST", "/authenticate", "", v1, true},
		{"POST", "/authenticate", "Bearer wrong", v1, false},
		{"GET", "/authenticate", "", v1, false},
		{"POST", "/authenticate", "", strings.Replace(v1, fuzzLive, fuzzExpired, 1), false},
		{"POST", "/authenticate", "", strings.Replace(v1, fuzzLive, fuzzDisabled, 1), false},
		{"POST", "/authenticate", "", strings.Replace(v1, fuzzLive, fuzzLive[:len(fuzzLive)-1]+"x", 1), false},
		{"POST", "/authenticate", "", strings.Replace(v1, `"token"`, `"TOKEN"`, 1), false},
		{"POST", "/authenticate", "", `{"apiVersion":"authentication.k8s.io/v1","kind":"Pod","spec":{"token":"x"}}`, false},
		{"POST", "/authenticate", "", `{"apiVersion":"v1","kind":"TokenReview","spec":{"token":"x"}}`, false},
		{"POST", "/authenticate", "", `{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":""}}`, false},
		{"POST", "/authenticate", "", v1 + v1, false},
		{"POST", "/authenticate", "", `{"spec":{"token":["` + fuzzLive + `"]}}`, false},
		{"POST", "/authenticate", "", "\x00\xff[", false},
		{"PUT", "/", "Bearer ", "", false},
	} {
		f.Add(s.method, s.path, s.auth, []byte(s.body), s.require)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	m := &reviewMetrics{}
	handlers := map[bool]*webhook.Handler{false: fuzzHandler(f, now, false, m), true: fuzzHandler(f, now, true, m)}
	allowedStatus := map[int]bool{http.StatusOK: true, http.StatusBadRequest: true, http.StatusUnauthorized: true,
		http.StatusMethodNotAllowed: true, http.StatusRequestEntityTooLarge: true}
	results := map[string]bool{webhook.ResultAuthenticated: true, webhook.ResultRejected: true, webhook.ResultMalformed: true,
		webhook.ResultForbidden: true}
	versions := map[string]bool{"": true, "authentication.k8s.io/v1": true, "authentication.k8s.io/v1beta1": true}

	// The oracle below is not vacuous: the live token does authenticate.
	rec := httptest.NewRecorder()
	handlers[false].ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/authenticate", strings.NewReader(v1)))
	if !strings.Contains(rec.Body.String(), `"authenticated":true`) {
		f.Fatalf("the live token is refused: %d %s", rec.Code, rec.Body)
	}

	f.Fuzz(func(t *testing.T, method, path, auth string, body []byte, require bool) {
		req := &http.Request{Method: method, URL: &url.URL{Path: path}, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body))}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		m.labels = m.labels[:0]
		rec := httptest.NewRecorder()
		handlers[require].ServeHTTP(rec, req)

		if !allowedStatus[rec.Code] {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if len(m.labels) != 1 || !results[m.labels[0][0]] || !versions[m.labels[0][1]] {
			t.Fatalf("metrics observed %q", m.labels)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type %q", ct)
		}
		var answer struct {
			APIVersion string                   `json:"apiVersion"`
			Kind       string                   `json:"kind"`
			Status     authv1.TokenReviewStatus `json:"status"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("the answer is not JSON: %v: %q", err, rec.Body)
		}
		if rec.Code != http.StatusOK {
			if answer.Status.Authenticated || m.labels[0][0] == webhook.ResultAuthenticated {
				t.Fatalf("status %d authenticates", rec.Code)
			}
			return
		}
		if !versions[answer.APIVersion] || answer.APIVersion == "" || answer.Kind != "TokenReview" {
			t.Fatalf("answer %s %s", answer.APIVersion, answer.Kind)
		}
		if answer.Status.Authenticated != (m.labels[0][0] == webhook.ResultAuthenticated) {
			t.Fatalf("authenticated %v but metrics say %s", answer.Status.Authenticated, m.labels[0][0])
		}
		if !answer.Status.Authenticated {
			return
		}
		// Decoded as the handler decodes it: the first JSON value of the body.
		var sent struct {
			Spec struct{ Token string } `json:"spec"`
		}
		_ = json.NewDecoder(bytes.NewReader(body)).Decode(&sent)
		credential, hasCredential := strings.CutPrefix(auth, "Bearer ")
		switch {
		case sent.Spec.Token != fuzzLive:
			t.Fatalf("authenticated a token not in the store: %q", sent.Spec.Token)
		case method != http.MethodPost:
			t.Fatalf("authenticated a %s", method)
		case (require || (hasCredential && credential != "")) && credential != fuzzCred:
			t.Fatalf("authenticated with the cluster credential %q", auth)
		case answer.Status.User.Username != "alice" || answer.Status.User.UID != "u-alice":
			t.Fatalf("authenticated as %+v", answer.Status.User)
		}
		for _, g := range answer.Status.User.Groups {
			if strings.HasPrefix(strings.ToLower(g), "system:") {
				t.Fatalf("answered the reserved group %q", g)
			}
		}
	})
}
