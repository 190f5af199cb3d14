// Package session issues and verifies panel sessions: JWTs signed with HMAC-SHA256
// (golang-jwt v5) carried in an HttpOnly, SameSite=Strict cookie. Each names its session
// ID (jti), which the caller checks against the shared session store, so a session can
// be ended on the server.
package session

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"kaas/models"
)

// CookieName is the session cookie's name.
const CookieName = "kaas_session"

const issuer = "kaas-panel"

// claims is the session's JWT body.
type claims struct {
	jwt.RegisteredClaims
	Name     string `json:"name"`
	Domain   string `json:"domain"`
	DomainID string `json:"did,omitempty"`
}

// Sessions issues and verifies session tokens.
type Sessions struct {
	key    []byte
	ttl    time.Duration
	secure bool
	now    func() time.Time
	parser *jwt.Parser
}

// New returns Sessions signing with key; secure marks cookies Secure (panel behind TLS).
// now may be nil for the wall clock.
func New(key []byte, ttl time.Duration, secure bool, now func() time.Time) (*Sessions, error) {
	if len(key) < 32 {
		return nil, errors.New("session key must have at least 32 bytes")
	}
	if now == nil {
		now = time.Now
	}
	s := &Sessions{key: key, ttl: ttl, secure: secure, now: now}
	s.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return s.now() }),
		jwt.WithLeeway(5*time.Second),
	)
	return s, nil
}

// NewID returns a new random session ID (256 bits).
func NewID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Issue returns a signed session for p (whose SessionID names it) and when it expires.
func (s *Sessions) Issue(p models.Principal) (string, time.Time, error) {
	if p.SessionID == "" {
		return "", time.Time{}, errors.New("sign session: no session ID")
	}
	now := s.now()
	exp := now.Add(s.ttl)
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   p.UserID,
			ID:        p.SessionID,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now.Add(-time.Second)),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
		Name:     p.Username,
		Domain:   p.Domain,
		DomainID: p.DomainID,
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign session: %w", err)
	}
	return signed, exp, nil
}

// Verify returns the principal of a valid session; anything else is UNAUTHENTICATED.
func (s *Sessions) Verify(token string) (models.Principal, error) {
	var c claims
	if _, err := s.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.key, nil }); err != nil {
		return models.Principal{}, models.WrapError(models.CodeUnauthenticated, err, "the session is invalid or has expired; log in again")
	}
	if c.Subject == "" || c.Name == "" || c.ID == "" {
		return models.Principal{}, models.Errorf(models.CodeUnauthenticated, "the session is invalid; log in again")
	}
	return models.Principal{UserID: c.Subject, Username: c.Name, Domain: c.Domain, DomainID: c.DomainID, SessionID: c.ID}, nil
}

// SetCookie puts a session in the response.
func (s *Sessions) SetCookie(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: token, Path: "/", Expires: expires, MaxAge: int(s.ttl.Seconds()),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode,
	})
}

// ClearCookie removes the session cookie.
func (s *Sessions) ClearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode,
	})
}

// FromRequest returns the session cookie's value, empty when absent.
func FromRequest(r *http.Request) string {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return ""
	}
	return c.Value
}
