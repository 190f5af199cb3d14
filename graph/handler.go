// Package graph holds the GraphQL schema (split by area in *.graphqls), the code gqlgen
// generates from it, and the configured GraphQL server.
package graph

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"kaas/graph/generated"
	"kaas/models"
)

// Limits on what one operation may ask.
const (
	MaxDepth      = 15 // GraphiQL's introspection query is 13 deep
	MaxComplexity = 1000
)

// Metrics observes GraphQL operations.
type Metrics interface {
	GraphQLOperation(opType, name, code string, d time.Duration)
}

// Options configures the GraphQL server.
type Options struct {
	Resolvers generated.ResolverRoot
	Log       *slog.Logger
	Metrics   Metrics
	// OperationNames are the operation names counted by name in metrics (the SPA's);
	// any other name counts as "other".
	OperationNames []string
	// WebsocketInit authenticates a websocket connection from its connection_init
	// payload (an "Authorization: Bearer" value); the upgrade request's cookie session
	// is already in ctx.
	WebsocketInit func(ctx context.Context, authorization string) (context.Context, error)
	// WebsocketLimits caps each principal's websocket connections and subscriptions.
	WebsocketLimits WebsocketLimits
	// RequestID, when set, gives the ID of the HTTP request an operation came in on
	// (httpapi.RequestID), logged with internal errors and panics so that they can be
	// found next to the request's access log line.
	RequestID func(ctx context.Context) string
	// Jobs streams job events to the shared jobProgress feeds. Without it, or when
	// Resolvers is no JobProgressAuthorizer, every subscription runs on its own.
	Jobs JobEvents
	// WithOperation, when set, gives each query and mutation its context (for memos
	// that last one operation, resolvers.WithLookups); subscriptions keep theirs.
	WithOperation func(context.Context) context.Context
}

// NewServer returns the GraphQL HTTP handler: POST and websocket transports, a depth and
// complexity limit, errors with extensions.code, internal errors logged and hidden.
func NewServer(opts Options) *handler.Server {
	srv, _ := newServer(opts)
	return srv
}

// newServer is NewServer, also returning its websocket transport.
func newServer(opts Options) (*handler.Server, *wsTransport) {
	cfg := generated.Config{Resolvers: opts.Resolvers}
	setComplexity(&cfg.Complexity)
	srv := handler.New(generated.NewExecutableSchema(cfg))
	wsGuard := newWebsocketGuard(opts.WebsocketLimits)
	initFunc := wsGuard.init(func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		if opts.WebsocketInit == nil {
			return ctx, nil, nil
		}
		authz := p.Authorization()
		if authz == "" {
			authz = p.GetString("authorization")
		}
		// Told to the client when the caller's re-check ends the connection.
		ctx = withCloseReason(ctx, "your session or token is no longer valid")
		ctx, err := opts.WebsocketInit(ctx, authz)
		return ctx, nil, err
	})
	presenter := func(ctx context.Context, err error) *gqlerror.Error {
		return presentError(ctx, err, opts.Log, opts.RequestID)
	}
	recoverFunc := func(ctx context.Context, p any) error {
		opts.Log.Error("graphql: panic", "panic", p, "path", pathOf(ctx), "request_id", requestIDOf(ctx, opts.RequestID))
		return models.Errorf(models.CodeInternal, "internal error")
	}
	var metrics *operationMetrics
	if opts.Metrics != nil {
		metrics = &operationMetrics{m: opts.Metrics, names: operationNameSet(opts.OperationNames)}
	}
	ws := &wsTransport{
		legacy: transport.Websocket{
			KeepAlivePingInterval: 15 * time.Second,
			PingPongInterval:      wsGuard.limits.PingInterval,
			InitTimeout:           10 * time.Second,
			InitFunc:              initFunc,
		},
		guard:     wsGuard,
		presenter: presenter,
		metrics:   metrics,
		log:       opts.Log,
	}
	if auth, ok := opts.Resolvers.(JobProgressAuthorizer); ok && opts.Jobs != nil {
		ws.feeds = newFeeds(opts.Jobs, opts.Resolvers, presenter, recoverFunc, opts.Log)
		ws.authorize = auth.AuthorizeJobProgress
	}
	srv.AddTransport(ws)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.Use(depthLimit{max: MaxDepth})
	srv.Use(wsGuard)
	srv.Use(loginLimit{})
	if metrics != nil {
		srv.Use(*metrics)
	}
	if opts.WithOperation != nil {
		srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
			if oc := graphql.GetOperationContext(ctx); oc.Operation != nil && oc.Operation.Operation != ast.Subscription {
				ctx = opts.WithOperation(ctx)
			}
			return next(ctx)
		})
	}
	srv.SetErrorPresenter(presenter)
	srv.SetRecoverFunc(recoverFunc)
	return srv, ws
}

// presentError gives every error a code in extensions.code. Application errors show
// their public message; anything else is logged with its path and shown as "internal
// error", with the request's ID when requestID is set.
func presentError(ctx context.Context, err error, log *slog.Logger, requestID func(context.Context) string) *gqlerror.Error {
	gerr := graphql.DefaultErrorPresenter(ctx, err)
	var app *models.Error
	switch {
	case errors.As(err, &app) && app.Code != models.CodeInternal:
		gerr.Message = app.Message
		setCode(gerr, app.Code)
		if n := models.RetryAfterSeconds(err); n > 0 {
			gerr.Extensions["retryAfterSeconds"] = n
		}
	case errors.As(err, &app) || !isParseOrValidation(gerr):
		log.Error("graphql: internal error", "err", err, "path", gerr.Path.String(), "request_id", requestIDOf(ctx, requestID))
		gerr.Message = "internal error"
		setCode(gerr, models.CodeInternal)
	default:
		setCode(gerr, models.CodeInvalid)
	}
	return gerr
}

// isParseOrValidation reports whether gqlgen itself rejected the request (syntax,
// validation, variables, limits): the caller's fault, so INVALID. Errors from resolvers
// always carry the path of their field.
func isParseOrValidation(e *gqlerror.Error) bool {
	return len(e.Path) == 0
}

func setCode(e *gqlerror.Error, code models.Code) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = string(code)
}

func requestIDOf(ctx context.Context, requestID func(context.Context) string) string {
	if requestID == nil {
		return ""
	}
	return requestID(ctx)
}

func pathOf(ctx context.Context) string {
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		return fc.Path().String()
	}
	return ""
}

// depthLimit rejects operations nested deeper than max.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (d depthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth := selectionDepth(oc.Operation.SelectionSet, oc.Doc.Fragments, 0, d.max); depth > d.max {
		err := gqlerror.Errorf("the operation is nested %d levels deep; at most %d are allowed", depth, d.max)
		setCode(err, models.CodeInvalid)
		return err
	}
	return nil
}

func selectionDepth(set ast.SelectionSet, frags ast.FragmentDefinitionList, depth, max int) int {
	if depth > max {
		return depth // stop early: fragments may cycle in invalid documents
	}
	deepest := depth
	for _, s := range set {
		var d int
		switch s := s.(type) {
		case *ast.Field:
			d = depth + 1
			if len(s.SelectionSet) > 0 {
				d = selectionDepth(s.SelectionSet, frags, depth+1, max)
			}
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, frags, depth, max)
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				d = selectionDepth(f.SelectionSet, frags, depth, max)
			}
		}
		if d > deepest {
			deepest = d
		}
	}
	return deepest
}

// operationMetrics counts operations by type, name and first error code. Only names in
// the fixed set are counted by name: a caller-chosen name must not become a label.
type operationMetrics struct {
	m     Metrics
	names map[string]bool
}

// otherOperation is the metric name of operations outside the known set.
const otherOperation = "other"

// introspectionOperation is GraphiQL's schema query, counted by name.
const introspectionOperation = "IntrospectionQuery"

func operationNameSet(names []string) map[string]bool {
	set := map[string]bool{introspectionOperation: true, "": true}
	for _, n := range names {
		set[n] = true
	}
	return set
}

func (operationMetrics) ExtensionName() string                   { return "OperationMetrics" }
func (operationMetrics) Validate(graphql.ExecutableSchema) error { return nil }
func (o operationMetrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := time.Now()
	resp := next(ctx)
	if !graphql.HasOperationContext(ctx) {
		return resp
	}
	code := ""
	if resp != nil && len(resp.Errors) > 0 {
		if c, ok := resp.Errors[0].Extensions["code"].(string); ok {
			code = c
		}
	}
	o.observe(graphql.GetOperationContext(ctx), code, time.Since(start))
	return resp
}

// observe counts one operation (a response; for a shared subscription, its joining).
func (o operationMetrics) observe(oc *graphql.OperationContext, code string, d time.Duration) {
	opType, name := "unknown", oc.OperationName
	if oc.Operation != nil {
		opType = string(oc.Operation.Operation)
		if name == "" {
			name = oc.Operation.Name
		}
	}
	if !o.names[name] {
		name = otherOperation
	}
	o.m.GraphQLOperation(opType, name, code, d)
}
