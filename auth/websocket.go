package auth

import (
	"context"
	"sync"
	"time"

	"kaas/models"
)

// WebsocketInit authenticates a websocket connection from the Authorization value of its
// connection_init payload; without one, the upgrade request's session stays in ctx. The
// returned context ends (closing the connection) as soon as a re-check finds the caller
// gone: the session ended, the token deleted or expired, or the Keystone user disabled or
// deleted.
func (s *Service) WebsocketInit(ctx context.Context, authorization string) (context.Context, error) {
	var secret string
	if authorization != "" {
		token, ok := bearerToken(authorization)
		if !ok {
			token = authorization
		}
		p, err := s.PrincipalForToken(ctx, token)
		if err != nil {
			return ctx, err
		}
		ctx, secret = WithPrincipal(ctx, *p), token
	}
	p, err := Principal(ctx)
	if err != nil {
		return ctx, nil // anonymous: each operation refuses on its own
	}
	if c, ok := ctx.Value(callerKey).(*caller); ok && secret == "" && p.TokenID != "" {
		secret = c.secret // a token on the upgrade request
	}
	return s.watchPrincipal(ctx, p, secret), nil
}

// watchPrincipal returns ctx that is cancelled when p stops being a valid caller,
// checked every Recheck. secret is the API token p proved itself with, empty for a
// session. The checks run on a timer, not a goroutine of their own: a connection that
// waits costs no goroutine.
func (s *Service) watchPrincipal(ctx context.Context, p models.Principal, secret string) context.Context {
	every := s.Recheck
	if every <= 0 {
		every = 3 * time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	var mu sync.Mutex
	var t *time.Timer
	check := func() {
		if ctx.Err() != nil {
			return
		}
		if err := s.recheck(ctx, p, secret); err != nil {
			cancel()
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if ctx.Err() == nil {
			t.Reset(every)
		}
	}
	mu.Lock()
	t = time.AfterFunc(every, check)
	mu.Unlock()
	context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		t.Stop()
	})
	return ctx
}

// recheck returns UNAUTHENTICATED when p is no longer a valid caller. A failing database
// or Keystone does not end the connection: the check runs again.
func (s *Service) recheck(ctx context.Context, p models.Principal, secret string) error {
	var err error
	if secret != "" {
		_, err = s.PrincipalForToken(ctx, secret)
	} else {
		err = s.checkSession(ctx, p)
	}
	if models.ErrorCode(err) == models.CodeUnauthenticated {
		return err
	}
	return nil
}
