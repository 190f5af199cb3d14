package graph

import (
	"context"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"kaas/models"
)

// Websocket limits: no caller can hold the panel's memory with idle or half-dead
// connections or with subscriptions.
const (
	// WebsocketPingInterval is how often the server pings a graphql-transport-ws client;
	// one that does not answer within twice this is disconnected.
	WebsocketPingInterval = 20 * time.Second
	// DefaultMaxWebsockets is the default cap on one principal's websocket connections.
	DefaultMaxWebsockets = 20
	// DefaultMaxSubscriptions is the default cap on one principal's live subscriptions.
	DefaultMaxSubscriptions = 100
)

// WebsocketLimits caps what one principal may hold open. Anonymous callers share one
// allowance. Zero values mean the defaults.
type WebsocketLimits struct {
	MaxConnections   int
	MaxSubscriptions int
	PingInterval     time.Duration
	// Principal names the caller of ctx ("" when anonymous).
	Principal func(ctx context.Context) string
}

func (l WebsocketLimits) withDefaults() WebsocketLimits {
	if l.MaxConnections <= 0 {
		l.MaxConnections = DefaultMaxWebsockets
	}
	if l.MaxSubscriptions <= 0 {
		l.MaxSubscriptions = DefaultMaxSubscriptions
	}
	if l.PingInterval <= 0 {
		l.PingInterval = WebsocketPingInterval
	}
	if l.Principal == nil {
		l.Principal = func(context.Context) string { return "" }
	}
	return l
}

// principalCounts counts what each principal holds, up to a cap.
type principalCounts struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

func newPrincipalCounts(max int) *principalCounts {
	return &principalCounts{max: max, n: map[string]int{}}
}

// acquire takes one of key's slots and returns its release (idempotent), or false at the cap.
func (c *principalCounts) acquire(key string) (release func(), ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[key] >= c.max {
		return nil, false
	}
	c.n[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.n[key]--; c.n[key] <= 0 {
				delete(c.n, key)
			}
		})
	}, true
}

// websocketGuard enforces WebsocketLimits: connections are counted from a successful
// init until the connection ends, subscriptions while they stream.
type websocketGuard struct {
	limits WebsocketLimits
	conns  *principalCounts
	subs   *principalCounts
}

func newWebsocketGuard(l WebsocketLimits) *websocketGuard {
	l = l.withDefaults()
	return &websocketGuard{limits: l, conns: newPrincipalCounts(l.MaxConnections), subs: newPrincipalCounts(l.MaxSubscriptions)}
}

// init wraps a websocket InitFunc: once it has established the caller, the connection
// takes one of the caller's slots until its context (the upgrade request's) ends.
func (g *websocketGuard) init(next transport.WebsocketInitFunc) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		ctx, payload, err := next(ctx, p)
		if err != nil {
			return ctx, payload, err
		}
		release, ok := g.conns.acquire(g.limits.Principal(ctx))
		if !ok {
			return ctx, payload, models.Errorf(models.CodeConflict, "too many open websocket connections (at most %d per user)", g.limits.MaxConnections)
		}
		context.AfterFunc(ctx, release)
		return ctx, payload, nil
	}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = (*websocketGuard)(nil)

func (*websocketGuard) ExtensionName() string                   { return "WebsocketLimits" }
func (*websocketGuard) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation counts a subscription against its caller until it ends (its
// context is cancelled when the stream completes or is stopped).
func (g *websocketGuard) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
		return next(ctx)
	}
	release, ok := g.subs.acquire(g.limits.Principal(ctx))
	if !ok {
		err := gqlerror.Errorf("too many live subscriptions (at most %d per user)", g.limits.MaxSubscriptions)
		setCode(err, models.CodeConflict)
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{err}})
	}
	context.AfterFunc(ctx, release)
	return next(ctx)
}
