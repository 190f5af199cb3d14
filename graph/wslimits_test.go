package graph

import (
	"context"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
)

type userKey struct{}

func asUser(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, userKey{}, id)
}

func testLimits() WebsocketLimits {
	return WebsocketLimits{MaxConnections: 2, MaxSubscriptions: 3, Principal: func(ctx context.Context) string {
		id, _ := ctx.Value(userKey{}).(string)
		return id
	}}
}

func TestWebsocketConnectionCap(t *testing.T) {
	g := newWebsocketGuard(testLimits())
	init := g.init(func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		return asUser(ctx, p.GetString("user")), nil, nil
	})
	open := func(user string) (context.CancelFunc, error) {
		ctx, cancel := context.WithCancel(context.Background())
		_, _, err := init(ctx, transport.InitPayload{"user": user})
		return cancel, err
	}
	closeA1, err := open("alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := open("alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := open("alice"); err == nil {
		t.Fatal("a third connection of alice was accepted, cap is 2")
	}
	if _, err := open("bob"); err != nil {
		t.Fatalf("bob is not limited by alice's connections: %v", err)
	}
	closeA1() // the connection ends: its slot is free again
	waitFor(t, func() bool { _, err := open("alice"); return err == nil })
}

func TestWebsocketSubscriptionCap(t *testing.T) {
	g := newWebsocketGuard(testLimits())
	subscribe := func(user string, op ast.Operation) (context.CancelFunc, *graphql.Response) {
		ctx, cancel := context.WithCancel(asUser(context.Background(), user))
		ctx = graphql.WithOperationContext(ctx, &graphql.OperationContext{Operation: &ast.OperationDefinition{Operation: op}})
		h := g.InterceptOperation(ctx, func(context.Context) graphql.ResponseHandler {
			return func(context.Context) *graphql.Response { return &graphql.Response{} }
		})
		return cancel, h(ctx)
	}
	var cancels []context.CancelFunc
	for range 3 {
		cancel, resp := subscribe("alice", ast.Subscription)
		if len(resp.Errors) > 0 {
			t.Fatalf("subscription within the cap: %v", resp.Errors)
		}
		cancels = append(cancels, cancel)
	}
	_, resp := subscribe("alice", ast.Subscription)
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "CONFLICT" {
		t.Fatalf("fourth subscription: %+v, want a CONFLICT error", resp)
	}
	if _, resp := subscribe("alice", ast.Query); len(resp.Errors) > 0 {
		t.Fatalf("queries are not capped: %v", resp.Errors)
	}
	if _, resp := subscribe("bob", ast.Subscription); len(resp.Errors) > 0 {
		t.Fatalf("bob is not limited by alice's subscriptions: %v", resp.Errors)
	}
	cancels[0]() // one subscription ends
	waitFor(t, func() bool {
		cancel, resp := subscribe("alice", ast.Subscription)
		defer cancel()
		return len(resp.Errors) == 0
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 1000 {
		if cond() {
			return
		}
		yield()
	}
	t.Fatal("condition not met")
}

// yield lets context.AfterFunc callbacks run.
func yield() { time.Sleep(time.Millisecond) }
