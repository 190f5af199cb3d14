// Package auth establishes who is calling the panel's API: a session cookie (browsers)
// or an API token as "Authorization: Bearer" (scripts). It also performs logins against
// Keystone and logouts.
package auth

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"kaas/audit"
	"kaas/models"
	"kaas/session"
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

// SessionStore keeps the live sessions every replica checks (store.DB).
type SessionStore interface {
	CreateSession(ctx context.Context, id, userID string, expires time.Time) error
	SessionLive(ctx context.Context, id, userID string) (bool, error)
	DeleteSession(ctx context.Context, id string) error
	DeleteUserSessions(ctx context.Context, userID string) (int64, error)
}

// Limiter throttles failed logins under one key (throttle.Limiter).
type Limiter interface {
	Attempt(key string) (wait time.Duration, ok bool)
	Succeeded(key string, reset bool)
}

// Service authenticates requests and users.
type Service struct {
	Keystone   Keystone
	Identities Identities
	Tokens     Tokens
	Sessions   Sessions
	// SessionStore holds the live sessions; a session missing there is ended.
	SessionStore SessionStore
	Audit        Auditor
	// Users throttles failed logins per user (name and domain), Addresses per client
	// address; nil turns throttling off.
	Users, Addresses Limiter
	// ClientAddress tells a request's client address (clientip.Resolver.Address); nil
	// means the connection's peer.
	ClientAddress func(r *http.Request) netip.Addr
	// Recheck is how often an open websocket re-checks its caller; default 3 s.
	Recheck time.Duration
}

type ctxKey int

const (
	callerKey ctxKey = iota
	writerKey
	addressKey
)

// caller is who a request comes from. It is a pointer in the context so that a login
// can make the rest of its own response (the viewer's fields) see the new session.
type caller struct {
	p   *models.Principal
	err error
	// secret is the API token p proved itself with, for websocket re-checks.
	secret string
}

// Middleware puts the caller's principal (if any) and the response writer (for login
// and logout cookies) into the request context. A bad credential does not end the
// request here: resolvers that need a caller report UNAUTHENTICATED with its reason.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := context.WithValue(r.Context(), addressKey, s.clientAddress(r))
		ctx := context.WithValue(addr, writerKey, w)
		p, err := s.principal(r.WithContext(ctx))
		secret := ""
		if p != nil && p.TokenID != "" {
			secret, _ = bearerToken(r.Header.Get("Authorization"))
		}
		if r.Header.Get("Upgrade") != "" {
			// A websocket sets no cookie once upgraded, and its context lives as long as
			// the connection: without the writer, the HTTP server's buffers for the
			// request are not kept with it.
			ctx = addr
		}
		ctx = context.WithValue(ctx, callerKey, &caller{p: p, err: err, secret: secret})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Service) principal(r *http.Request) (*models.Principal, error) {
	if bearer, ok := bearerToken(r.Header.Get("Authorization")); ok {
		return s.PrincipalForToken(r.Context(), bearer)
	}
	if c, err := r.Cookie(session.CookieName); err == nil && c.Value != "" {
		p, err := s.Sessions.Verify(c.Value)
		if err != nil {
			return nil, err
		}
		if err := s.checkSession(r.Context(), p); err != nil {
			return nil, err
		}
		return &p, nil
	}
	return nil, nil
}

// checkSession reports whether a verified session still counts: it is live in the
// session store (not logged out or ended by an operator) and its Keystone user still
// exists and is enabled (as of the identity cache, so within its TTL). A session of a
// user Keystone no longer knows is ended for good.
func (s *Service) checkSession(ctx context.Context, p models.Principal) error {
	live, err := s.SessionStore.SessionLive(ctx, p.SessionID, p.UserID)
	if err != nil {
		return err
	}
	if !live {
		return models.Errorf(models.CodeUnauthenticated, "your session has ended; log in again")
	}
	id, err := s.Identities.Get(ctx, p.UserID)
	switch {
	case models.ErrorCode(err) == models.CodeNotFound:
		s.endAll(ctx, p.UserID)
		return models.Errorf(models.CodeUnauthenticated, "your Keystone user no longer exists")
	case err == nil && !id.Enabled:
		s.endAll(ctx, p.UserID)
		return models.Errorf(models.CodeUnauthenticated, "your Keystone user is disabled")
	}
	// Keystone unreachable past the stale window: the session stands; actions that need
	// the identity fail on their own.
	return nil
}

func (s *Service) endAll(ctx context.Context, userID string) {
	_, _ = s.SessionStore.DeleteUserSessions(context.WithoutCancel(ctx), userID)
}

func (s *Service) clientAddress(r *http.Request) netip.Addr {
	if s.ClientAddress != nil {
		return s.ClientAddress(r)
	}
	a, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return a.Addr().Unmap()
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
	return &models.Principal{UserID: id.UserID, Username: id.Username, Domain: id.Domain, DomainID: id.DomainID, TokenID: tok.ID}, nil
}

// bearerToken returns the token of an "Authorization: Bearer" value (scheme in any case).
func bearerToken(authorization string) (string, bool) {
	if len(authorization) < 7 || !strings.EqualFold(authorization[:7], "Bearer ") {
		return "", false
	}
	return authorization[7:], true
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

// Login checks the credentials with Keystone and starts a session: a cookie naming a
// session ID that the session store keeps. Failed logins are throttled per user and per
// client address: past the allowance the answer is RATE_LIMITED, before Keystone is
// asked.
func (s *Service) Login(ctx context.Context, username, password, domain string) (models.Identity, error) {
	username = strings.TrimSpace(username)
	domain = strings.TrimSpace(domain)
	if len(username) > 255 || len(password) > 4096 || len(domain) > 255 {
		return models.Identity{}, models.Errorf(models.CodeInvalid, "the username, password or domain is too long")
	}
	actor := models.Principal{Username: username, Domain: domain}
	userKey, addrKey := throttleKeys(ctx, username, domain)
	if err := s.admit(userKey, addrKey); err != nil {
		s.Audit.Record(ctx, actor, audit.ActionLogin, "", "", err)
		return models.Identity{}, err
	}
	id, err := s.Keystone.Authenticate(ctx, username, password, domain)
	actor.UserID = id.UserID
	if err != nil {
		if models.ErrorCode(err) != models.CodeUnauthenticated {
			// Not a wrong password (Keystone down, empty fields): not the caller's guess.
			s.refund(userKey, false)
			s.refund(addrKey, false)
		}
		s.Audit.Record(ctx, actor, audit.ActionLogin, "", "", err)
		return models.Identity{}, err
	}
	s.refund(userKey, true)
	s.refund(addrKey, false)
	p := models.Principal{UserID: id.UserID, Username: id.Username, Domain: id.Domain, DomainID: id.DomainID, SessionID: session.NewID()}
	token, exp, err := s.Sessions.Issue(p)
	if err != nil {
		return models.Identity{}, err
	}
	if err := s.SessionStore.CreateSession(ctx, p.SessionID, p.UserID, exp); err != nil {
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

// throttleKeys are the limiter keys of a login: the user (name and domain, without case:
// Keystone may compare either way) and the client address.
func throttleKeys(ctx context.Context, username, domain string) (user, address string) {
	if domain == "" {
		domain = "default"
	}
	addr, _ := ctx.Value(addressKey).(netip.Addr)
	return "user:" + strings.ToLower(domain) + "\x00" + strings.ToLower(username), "addr:" + addr.String()
}

// admit counts a login attempt under both keys, or refuses it with RATE_LIMITED when
// either must wait.
func (s *Service) admit(userKey, addrKey string) error {
	if s.Users == nil || s.Addresses == nil {
		return nil
	}
	wait, ok := s.Users.Attempt(userKey)
	if !ok {
		return models.RateLimited(wait, "too many failed logins for this user; try again later")
	}
	if wait, ok = s.Addresses.Attempt(addrKey); !ok {
		s.Users.Succeeded(userKey, false) // this attempt did not happen
		return models.RateLimited(wait, "too many failed logins from this address; try again later")
	}
	return nil
}

func (s *Service) refund(key string, reset bool) {
	if key == "" {
		return
	}
	switch {
	case strings.HasPrefix(key, "user:") && s.Users != nil:
		s.Users.Succeeded(key, reset)
	case strings.HasPrefix(key, "addr:") && s.Addresses != nil:
		s.Addresses.Succeeded(key, reset)
	}
}

// Logout ends the caller's session on the server and clears its cookie.
func (s *Service) Logout(ctx context.Context) error {
	if c, ok := ctx.Value(callerKey).(*caller); ok && c.p != nil && c.p.SessionID != "" {
		if err := s.SessionStore.DeleteSession(ctx, c.p.SessionID); err != nil {
			return err
		}
	}
	if w, ok := ctx.Value(writerKey).(http.ResponseWriter); ok {
		s.Sessions.ClearCookie(w)
	}
	if c, ok := ctx.Value(callerKey).(*caller); ok {
		c.p, c.err = nil, nil
	}
	return nil
}

// EndSessions ends every session of a user (an operator's action) and returns how many
// there were. Open websockets of those sessions close at their next re-check.
func (s *Service) EndSessions(ctx context.Context, userID string) (int, error) {
	n, err := s.SessionStore.DeleteUserSessions(ctx, userID)
	return int(n), err
}
