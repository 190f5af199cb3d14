package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kaas/identity"
	"kaas/internal/testenv"
	"kaas/models"
	"kaas/tokens"
	"kaas/webhook"
)

// fakeTokens authenticates the secrets of a map, like tokens.Service with its index.
type fakeTokens map[string]*tokens.Live

func (f fakeTokens) AuthenticateLive(_ context.Context, secret, _ string) (*tokens.Live, error) {
	if t, ok := f[secret]; ok {
		return t, nil
	}
	return nil, models.Errorf(models.CodeUnauthenticated, "the token is unknown or was deleted")
}

// fakeIdentities returns identities from a map, like identity.Cache with a warm cache.
type fakeIdentities map[string]models.Identity

func (f fakeIdentities) Get(_ context.Context, userID string) (models.Identity, error) {
	if id, ok := f[userID]; ok {
		return id, nil
	}
	return models.Identity{}, models.Errorf(models.CodeNotFound, "Keystone user %s not found", userID)
}

// fakeClusters knows no webhook credential; the benchmarks send none.
type fakeClusters struct{}

func (fakeClusters) ClusterForCredential(context.Context, string) (string, error) { return "", nil }

const (
	benchSecret  = "kaas_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg000000"
	benchUnknown = "kaas_zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIH000000"
)

// reviewBody is a TokenReview as a kube-apiserver sends it.
func reviewBody(version, token string) string {
	return fmt.Sprintf(`{"apiVersion":"authentication.k8s.io/%s","kind":"TokenReview","metadata":{"creationTimestamp":null},`+
		`"spec":{"token":%q,"audiences":["https://kubernetes.default.svc"]},"status":{"user":{}}}`, version, token)
}

func benchHandler() *webhook.Handler {
	return &webhook.Handler{
		Tokens: fakeTokens{benchSecret: tokens.NewLive(&models.Token{ID: "0b7e6f52-2c55-4b53-9a57-0b1b4d6f2a10", UserID: "u-alice", Username: "alice", ExpiresAt: time.Now().Add(time.Hour)})},
		Identities: fakeIdentities{"u-alice": {
			UserID: "u-alice", Username: "alice", Domain: "Default", DomainID: "default", Enabled: true,
			Roles: []models.Role{{ID: "5f0e5b1c7d2a4c1e9f3b8a6d4e2c1b0a", Name: "member"}, {ID: "9a8b7c6d5e4f40312a1b2c3d4e5f6a7b", Name: "demo-cluster-admin"}, {ID: "c1d2e3f4a5b64c7d8e9f0a1b2c3d4e5f", Name: "reader"}},
		}},
		Clusters:  fakeClusters{},
		Usernames: identity.NewUsernameRule("Default"),
		Log:       slog.New(slog.DiscardHandler),
	}
}

// serve runs one request through h and fails unless it answers 200 with the expected
// authenticated flag.
func serve(b *testing.B, h http.Handler, body string, authenticated bool) {
	req := httptest.NewRequest(http.MethodPost, "/authenticate", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if got := strings.Contains(rec.Body.String(), `"authenticated":true`); got != authenticated {
		b.Fatalf("authenticated = %v, want %v: %s", got, authenticated, rec.Body)
	}
}

func BenchmarkServeHTTP(b *testing.B) {
	h := benchHandler()
	tests := []struct {
		name, version, token string
		authenticated        bool
	}{
		{"v1 known", "v1", benchSecret, true},
		{"v1beta1 known", "v1beta1", benchSecret, true},
		{"v1 unknown", "v1", benchUnknown, false},
	}
	for _, tt := range tests {
		body := reviewBody(tt.version, tt.token)
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				serve(b, h, body, tt.authenticated)
			}
		})
	}
}

// BenchmarkBaselineDecodeEncode is the floor BenchmarkServeHTTP is compared against: the
// same request and recorder, decoding the TokenReview and encoding a canned answer of
// the same shape, without any lookup or check.
func BenchmarkBaselineDecodeEncode(b *testing.B) {
	answer := authv1.TokenReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "authentication.k8s.io/v1", Kind: "TokenReview"},
		Status: authv1.TokenReviewStatus{
			Authenticated: true,
			User: authv1.UserInfo{
				Username: "alice", UID: "u-alice",
				Groups: []string{"5f0e5b1c7d2a4c1e9f3b8a6d4e2c1b0a", "9a8b7c6d5e4f40312a1b2c3d4e5f6a7b", "c1d2e3f4a5b64c7d8e9f0a1b2c3d4e5f"},
				Extra:  map[string]authv1.ExtraValue{"kaas.io/token-id": {"0b7e6f52-2c55-4b53-9a57-0b1b4d6f2a10"}},
			},
			Audiences: []string{"https://kubernetes.default.svc"},
		},
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in authv1.TokenReview
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(&answer)
	})
	body := reviewBody("v1", benchSecret)
	b.ReportAllocs()
	for b.Loop() {
		serve(b, h, body, true)
	}
}

// BenchmarkReview answers TokenReviews for the tokens of one user who holds 10 tokens
// and one who holds 10,000, through the real token service and its index over a real
// database (the identity is the fake above, as after a warm identity cache), cycling
// through all of the user's tokens: no review reads the database.
func BenchmarkReview(b *testing.B) {
	owner := models.Principal{UserID: "u-alice", Username: "alice"}
	for _, d := range testenv.BenchDialects() {
		for _, n := range []int{10, 10000} {
			db := testenv.OpenDB(b, d)
			secrets := testenv.SeedTokens(b, db, owner, n)
			h := benchHandler()
			h.Tokens = testenv.TokenService(b, db, tokens.Options{})
			bodies := make([]string, len(secrets))
			for i, s := range secrets {
				bodies[i] = reviewBody("v1", s)
			}
			b.Run(fmt.Sprintf("%s/%d", d, n), func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					serve(b, h, bodies[i%len(bodies)], true)
					i++
				}
			})
		}
	}
}
