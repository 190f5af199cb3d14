package auth

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"kaas/models"
	"kaas/session"
)

// fakeKeystone accepts one password; the real Keystone is exercised in identity's and
// app's tests.
type fakeKeystone struct{}

func (fakeKeystone) Authenticate(_ context.Context, user, password, _ string) (models.Identity, error) {
	if user == "alice" && password == "right" {
		return models.Identity{UserID: "u1", Username: "alice", Domain: "Default", Enabled: true}, nil
	}
	return models.Identity{}, models.Errorf(models.CodeUnauthenticated, "wrong username, password or domain")
}

type fakeIdentities struct{}

func (fakeIdentities) Get(context.Context, string) (models.Identity, error) {
	return models.Identity{}, nil
}
func (fakeIdentities) Put(models.Identity) {}

// fakeSessions is an in-memory session store.
type fakeSessions map[string]string

func (f fakeSessions) CreateSession(_ context.Context, id, userID string, _ time.Time) error {
	f[id] = userID
	return nil
}
func (f fakeSessions) SessionLive(_ context.Context, id, userID string) (bool, error) {
	return f[id] == userID, nil
}
func (f fakeSessions) DeleteSession(_ context.Context, id string) error { delete(f, id); return nil }
func (f fakeSessions) DeleteUserSessions(_ context.Context, userID string) (int64, error) {
	n := int64(0)
	for id, u := range f {
		if u == userID {
			delete(f, id)
			n++
		}
	}
	return n, nil
}

type fakeAudit struct{ n int }

func (a *fakeAudit) Record(context.Context, models.Principal, string, string, string, error) { a.n++ }

func TestLoginMakesTheCallerKnownToTheRestOfTheRequest(t *testing.T) {
	sessions, _ := session.New(bytes.Repeat([]byte{1}, 32), time.Hour, false, nil)
	audit := &fakeAudit{}
	s := &Service{Keystone: fakeKeystone{}, Identities: fakeIdentities{}, Sessions: sessions, SessionStore: fakeSessions{}, Audit: audit}
	var before, after error
	var who models.Principal
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, before = Principal(r.Context())
		if _, err := s.Login(r.Context(), "alice", "right", ""); err != nil {
			t.Fatal(err)
		}
		who, after = Principal(r.Context())
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if models.ErrorCode(before) != models.CodeUnauthenticated || after != nil || who.Username != "alice" {
		t.Fatalf("before = %v, after = %v %+v", before, after, who)
	}
	if rec.Header().Get("Set-Cookie") == "" || audit.n != 1 {
		t.Fatalf("cookie %q, audit entries %d", rec.Header().Get("Set-Cookie"), audit.n)
	}
}
