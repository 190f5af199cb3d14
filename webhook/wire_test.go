package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	authv1beta1 "k8s.io/api/authentication/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kaas/identity"
	"kaas/models"
	"kaas/tokens"
	"kaas/webhook"
)

// failingTokens answers every lookup with an error that is not a rejection.
type failingTokens struct{}

func (failingTokens) AuthenticateLive(context.Context, string, string) (*tokens.Live, error) {
	return nil, models.Errorf(models.CodeUnavailable, "the database is unreachable")
}

// failingIdentities answers as an unreachable Keystone past the stale window.
type failingIdentities struct{}

func (failingIdentities) Get(context.Context, string) (models.Identity, error) {
	return models.Identity{}, models.Errorf(models.CodeUnavailable, "Keystone is unreachable")
}

// encoded is what encoding/json makes of the k8s.io/api TokenReview of version with st.
func encoded(t *testing.T, version string, st authv1.TokenReviewStatus) string {
	t.Helper()
	var obj any = &authv1.TokenReview{TypeMeta: metav1.TypeMeta{APIVersion: "authentication.k8s.io/" + version, Kind: "TokenReview"}, Status: st}
	if version == "v1beta1" {
		var extra map[string]authv1beta1.ExtraValue
		for k, v := range st.User.Extra {
			if extra == nil {
				extra = map[string]authv1beta1.ExtraValue{}
			}
			extra[k] = authv1beta1.ExtraValue(v)
		}
		obj = &authv1beta1.TokenReview{TypeMeta: metav1.TypeMeta{APIVersion: "authentication.k8s.io/" + version, Kind: "TokenReview"},
			Status: authv1beta1.TokenReviewStatus{Authenticated: st.Authenticated, Audiences: st.Audiences, Error: st.Error,
				User: authv1beta1.UserInfo{Username: st.User.Username, UID: st.User.UID, Groups: st.User.Groups, Extra: extra}}}
	}
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(obj); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestAnswersAreTheEncodedKubernetesTypes compares the handler's bytes, rendered once and
// served from memory, with the k8s.io/api structs encoded by encoding/json, for v1 and
// v1beta1 and every kind of answer, twice each (rendered, then kept).
func TestAnswersAreTheEncodedKubernetesTypes(t *testing.T) {
	const tokenID = "0b7e6f52-2c55-4b53-9a57-0b1b4d6f2a10"
	live := func(user string) *tokens.Live {
		return tokens.NewLive(&models.Token{ID: tokenID, UserID: user, ExpiresAt: time.Now().Add(time.Hour)})
	}
	alice := models.Identity{UserID: "u-alice", Username: "alice", Domain: "Default", DomainID: "default", Enabled: true,
		Roles: []models.Role{{ID: "5f0e5b1c7d2a4c1e9f3b8a6d4e2c1b0a", Name: "member"}, {ID: "system:masters", Name: "sneaky"}, {ID: "r<&>", Name: "odd"}}}
	ids := fakeIdentities{
		"u-alice": alice,
		"u-off":   {UserID: "u-off", Username: "off", Domain: "Default", DomainID: "default", Enabled: false},
		"u-other": {UserID: "u-other", Username: "system:kube-controller-manager", Domain: "Default", DomainID: "default", Enabled: true},
	}
	aliceUser := authv1.UserInfo{Username: "alice", UID: "u-alice", Groups: []string{"5f0e5b1c7d2a4c1e9f3b8a6d4e2c1b0a", "r<&>"},
		Extra: map[string]authv1.ExtraValue{"kaas.io/token-id": {tokenID}}}
	_, refusal := identity.NewUsernameRule("Default").Of(ids["u-other"])
	if refusal == nil {
		t.Fatal("a system: user name is not refused: the case below would test nothing")
	}
	tests := []struct {
		name       string
		tokens     webhook.TokenAuthenticator
		identities webhook.Identities
		audiences  []string
		code       int
		want       authv1.TokenReviewStatus
	}{
		{"authenticated", fakeTokens{"s": live("u-alice")}, ids, nil, 200, authv1.TokenReviewStatus{Authenticated: true, User: aliceUser}},
		{"authenticated with audiences", fakeTokens{"s": live("u-alice")}, ids, []string{"https://kubernetes.default.svc", "b"}, 200,
			authv1.TokenReviewStatus{Authenticated: true, User: aliceUser, Audiences: []string{"https://kubernetes.default.svc", "b"}}},
		{"authenticated with an audience to escape", fakeTokens{"s": live("u-alice")}, ids, []string{`a<b>&"c"é`}, 200,
			authv1.TokenReviewStatus{Authenticated: true, User: aliceUser, Audiences: []string{`a<b>&"c"é`}}},
		{"unknown token", fakeTokens{}, ids, []string{"x"}, 200, authv1.TokenReviewStatus{}},
		{"disabled user", fakeTokens{"s": live("u-off")}, ids, nil, 200, authv1.TokenReviewStatus{Error: "the user is disabled"}},
		{"deleted user", fakeTokens{"s": live("u-gone")}, ids, nil, 200, authv1.TokenReviewStatus{Error: "the user no longer exists"}},
		{"refused user name", fakeTokens{"s": live("u-other")}, ids, nil, 200, authv1.TokenReviewStatus{Error: models.ErrorMessage(refusal)}},
		{"token store error", failingTokens{}, ids, nil, 503, authv1.TokenReviewStatus{Error: "the token store is unavailable"}},
		{"identity service error", fakeTokens{"s": live("u-alice")}, failingIdentities{}, nil, 503, authv1.TokenReviewStatus{Error: "the identity service is unavailable"}},
	}
	for _, tt := range tests {
		for _, version := range []string{"v1", "v1beta1"} {
			t.Run(tt.name+"/"+version, func(t *testing.T) {
				h := &webhook.Handler{Tokens: tt.tokens, Identities: tt.identities, Clusters: fakeClusters{},
					Usernames: identity.NewUsernameRule("Default"), Log: slog.New(slog.DiscardHandler)}
				req := map[string]any{"apiVersion": "authentication.k8s.io/" + version, "kind": "TokenReview",
					"spec": map[string]any{"token": "s", "audiences": tt.audiences}}
				body, _ := json.Marshal(req)
				want := encoded(t, version, tt.want)
				for i := range 2 {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/authenticate", bytes.NewReader(body)))
					if rec.Code != tt.code {
						t.Fatalf("request %d: status %d, want %d", i, rec.Code, tt.code)
					}
					if got := rec.Body.String(); got != want {
						t.Fatalf("request %d:\n got %s\nwant %s", i, got, want)
					}
					if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
						t.Fatalf("Content-Type %q", ct)
					}
				}
			})
		}
	}
}

// switchingIdentities returns the identity of the moment.
type switchingIdentities struct{ id *models.Identity }

func (s switchingIdentities) Get(context.Context, string) (models.Identity, error) { return *s.id, nil }

// TestAnswerIsRenderedAgainWhenTheIdentityChanges: the answer kept with the token follows
// a refreshed identity (new roles, disabled) at once.
func TestAnswerIsRenderedAgainWhenTheIdentityChanges(t *testing.T) {
	id := models.Identity{UserID: "u-alice", Username: "alice", Domain: "Default", DomainID: "default", Enabled: true,
		Roles: []models.Role{{ID: "r1", Name: "member"}}}
	h := &webhook.Handler{Tokens: fakeTokens{"s": tokens.NewLive(&models.Token{ID: "t1", UserID: "u-alice", ExpiresAt: time.Now().Add(time.Hour)})},
		Identities: switchingIdentities{&id}, Clusters: fakeClusters{}, Usernames: identity.NewUsernameRule("Default"), Log: slog.New(slog.DiscardHandler)}
	ask := func() string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/authenticate",
			strings.NewReader(`{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"s"}}`)))
		return rec.Body.String()
	}
	if got := ask(); !strings.Contains(got, `"groups":["r1"]`) {
		t.Fatalf("first answer %s", got)
	}
	id.Roles = []models.Role{{ID: "r1", Name: "member"}, {ID: "r2", Name: "admin"}}
	if got := ask(); !strings.Contains(got, `"groups":["r1","r2"]`) {
		t.Fatalf("after a role was added: %s", got)
	}
	id.Enabled = false
	if got := ask(); strings.Contains(got, `"authenticated":true`) {
		t.Fatalf("after the user was disabled: %s", got)
	}
}
