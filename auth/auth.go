// Package auth establishes who is calling the panel's API: a session cookie (browsers)
// or an API token as "Authorization: Bearer" (scripts). It also performs logins against
// Keystone and logouts.
package auth

import (
	"context"
	"net/http"
	"strings"
	"time"

	"kaas/audit"
	"kaas/models"
)

// Keystone checks passwords.
type Keystone interface {
	Authenticate(ctx context.Context, username, password, domain string) (models.Identity, error)
}

// Identities returns cached identities and accepts fresh ones.
type Identities interface {
	Get(ctx context.Context, userID string) (models.Identity, error)
	Put(id models.Identity)
}

// Tokens authenticates API tokens.
type Tokens interface {
	Authenticate(ctx context.Context, secret, cluster string) (*models.Token, error)
}

// Sessions issues and verifies session cookies.
type Sessions interface {
	Issue(p models.Principal) (string, time.Time, error)
	Verify(token string) (models.Principal, error)
	SetCookie(w http.ResponseWriter, token string, expires time.Time)
	ClearCookie(w http.ResponseWriter)
}

// Auditor records logins.
type Auditor interface {
	Record(ctx context.Context, actor models.Principal, action, clusterID, target string, err error)
}

// Service authenticates requests and users.
type Service struct {
	Keystone   Keystone
	Identities Identities
	Tokens     Tokens
	Sessions   Sessions
	Audit      Auditor
}

type ctxKey int

const (
	callerKey ctxKey = iota
	writerKey
)

// caller is who a request comes from. It is a pointer in the context so that a login
// can make the rest of its own response (the viewer's fields) see the new session.
type caller struct {
	p   *models.Principal
	err error
}

// Middleware puts the caller's principal (if any) and the response writer (for login
// and logout cookies) into the request context. A bad credential does not end the
// request here: resolvers that need a caller report UNAUTHENTICATED with its reason.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), writerKey, w)
		p, err := s.principal(r)
		ctx = context.WithValue(ctx, callerKey, &caller{p: p, err: err})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Service) principal(r *http.Request) (*models.Principal, error) {
	if bearer, ok := bearerToken(r.Header.Get("Authorization")); ok {
		return s.PrincipalForToken(r.Context(), bearer)
	}
	if c, err := r.Cookie("kaas_session"); err == nil && c.Value != "" {
		p, err := s.Sessions.Verify(c.Value)
		if err != nil {
			return nil, err
		}
		return &p, nil
	}
	return nil, nil
}

// PrincipalForToken authenticates an API token (also used on websocket init).
func (s *Service) PrincipalForToken(ctx context.Context, secret string) (*models.Principal, error) {
	tok, err := s.Tokens.Authenticate(ctx, strings.TrimSpace(secret), "")
	if err != nil {
		return nil, err
	}
	id, err := s.Identities.Get(ctx, tok.UserID)
	if err != nil {
		if models.ErrorCode(err) == models.CodeNotFound {
			return nil, models.Errorf(models.CodeUnauthenticated, "the token's user no longer exists")
		}
		return nil, err
	}
	if !id.Enabled {
		return nil, models.Errorf(models.CodeUnauthenticated, "the token's user is disabled")
	}
	return &models.Principal{UserID: id.UserID, Username: id.Username, Domain: id.Domain, TokenID: tok.ID}, nil
}

// bearerToken returns the token of an "Authorization: Bearer" value (scheme in any case).
func bearerToken(authorization string) (string, bool) {
	if len(authorization) < 7 || !strings.EqualFold(authorization[:7], "Bearer ") {
		return "", false
	}
	return authorization[7:], true
}

// WebsocketInit authenticates a websocket connection from the Authorization value of its
// connection_init payload; without one, the upgrade request's session stays in ctx.
func (s *Service) WebsocketInit(ctx context.Context, authorization string) (context.Context, error) {
	if authorization == "" {
		return ctx, nil
	}
	token, ok := bearerToken(authorization)
	if !ok {
		token = authorization
	}
	p, err := s.PrincipalForToken(ctx, token)
	if err != nil {
		return ctx, err
	}
	return WithPrincipal(ctx, *p), nil
}

// WithPrincipal returns ctx carrying p (for websocket connections and tests).
func WithPrincipal(ctx context.Context, p models.Principal) context.Context {
	return context.WithValue(ctx, callerKey, &caller{p: &p})
}

// Principal returns the caller, or UNAUTHENTICATED.
func Principal(ctx context.Context) (models.Principal, error) {
	c, _ := ctx.Value(callerKey).(*caller)
	switch {
	case c != nil && c.p != nil:
		return *c.p, nil
	case c != nil && c.err != nil:
		return models.Principal{}, c.err
	}
	return models.Principal{}, models.Errorf(models.CodeUnauthenticated, "log in first")
}

// Viewer returns the caller's identity with their current roles, or UNAUTHENTICATED.
func (s *Service) Viewer(ctx context.Context) (models.Identity, error) {
	p, err := Principal(ctx)
	if err != nil {
		return models.Identity{}, err
	}
	id, err := s.Identities.Get(ctx, p.UserID)
	switch models.ErrorCode(err) {
	case "":
	case models.CodeNotFound:
		return models.Identity{}, models.Errorf(models.CodeUnauthenticated, "your Keystone user no longer exists")
	default:
		return models.Identity{}, err
	}
	if !id.Enabled {
		return models.Identity{}, models.Errorf(models.CodeUnauthenticated, "your Keystone user is disabled")
	}
	return id, nil
}

// Login checks the credentials with Keystone and starts a session cookie.
func (s *Service) Login(ctx context.Context, username, password, domain string) (models.Identity, error) {
	username = strings.TrimSpace(username)
	domain = strings.TrimSpace(domain)
	if len(username) > 255 || len(password) > 4096 || len(domain) > 255 {
		return models.Identity{}, models.Errorf(models.CodeInvalid, "the username, password or domain is too long")
	}
	id, err := s.Keystone.Authenticate(ctx, username, password, domain)
	actor := models.Principal{UserID: id.UserID, Username: username, Domain: domain}
	if err != nil {
		s.Audit.Record(ctx, actor, audit.ActionLogin, "", "", err)
		return models.Identity{}, err
	}
	p := models.Principal{UserID: id.UserID, Username: id.Username, Domain: id.Domain}
	token, exp, err := s.Sessions.Issue(p)
	if err != nil {
		return models.Identity{}, err
	}
	if w, ok := ctx.Value(writerKey).(http.ResponseWriter); ok {
		s.Sessions.SetCookie(w, token, exp)
	}
	s.Identities.Put(id)
	if c, ok := ctx.Value(callerKey).(*caller); ok {
		c.p, c.err = &p, nil
	}
	s.Audit.Record(ctx, p, audit.ActionLogin, "", "", nil)
	return id, nil
}

// Logout clears the session cookie.
func (s *Service) Logout(ctx context.Context) {
	if w, ok := ctx.Value(writerKey).(http.ResponseWriter); ok {
		s.Sessions.ClearCookie(w)
	}
	if c, ok := ctx.Value(callerKey).(*caller); ok {
		c.p, c.err = nil, nil
	}
}
