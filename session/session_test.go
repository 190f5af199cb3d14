package session

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"kaas/models"
)

func TestSessions(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	key := bytes.Repeat([]byte{7}, 32)
	s, err := New(key, time.Hour, true, clock)
	if err != nil {
		t.Fatal(err)
	}
	p := models.Principal{UserID: "u1", Username: "alice", Domain: "Default", SessionID: NewID()}
	tok, exp, err := s.Issue(p)
	if err != nil || !exp.Equal(now.Add(time.Hour)) {
		t.Fatalf("Issue = %v, %v", exp, err)
	}
	other, _ := New(bytes.Repeat([]byte{8}, 32), time.Hour, true, clock)
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "u1", "name": "alice", "iss": issuer, "exp": now.Add(time.Hour).Unix()})
	noneTok, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)

	tests := []struct {
		name  string
		token string
		at    time.Time
		ok    bool
	}{
		{"valid", tok, now, true},
		{"just before expiry", tok, now.Add(59 * time.Minute), true},
		{"expired", tok, now.Add(2 * time.Hour), false},
		{"tampered", tok[:len(tok)-2] + "xx", now, false},
		{"other key", func() string { t2, _, _ := other.Issue(p); return t2 }(), now, false},
		{"alg none", noneTok, now, false},
		{"garbage", "not.a.jwt", now, false},
		{"empty", "", now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now = tt.at
			defer func() { now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }()
			got, err := s.Verify(tt.token)
			if tt.ok {
				if err != nil || got != p {
					t.Fatalf("Verify = %+v, %v", got, err)
				}
				return
			}
			if models.ErrorCode(err) != models.CodeUnauthenticated {
				t.Fatalf("Verify err = %v, want UNAUTHENTICATED", err)
			}
		})
	}
}

func TestCookieAttributes(t *testing.T) {
	s, _ := New(bytes.Repeat([]byte{7}, 32), time.Hour, true, nil)
	w := httptest.NewRecorder()
	s.SetCookie(w, "v", time.Now().Add(time.Hour))
	h := w.Header().Get("Set-Cookie")
	for _, want := range []string{"kaas_session=v", "HttpOnly", "Secure", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(h, want) {
			t.Errorf("Set-Cookie %q lacks %q", h, want)
		}
	}
	if _, err := New([]byte("short"), time.Hour, false, nil); err == nil {
		t.Error("short key accepted")
	}
}
