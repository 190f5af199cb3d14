package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"kaas/graph/generated"
	"kaas/models"
)

// UpstreamCost is what a field that calls Keystone or a cluster costs in the complexity
// budget (an in-memory field costs 1): MaxComplexity/UpstreamCost of them fit in one
// operation, so a request of hundreds of aliases is refused before anything runs.
const UpstreamCost = 50

// MaxLogins is how many login fields one request may carry.
const MaxLogins = 1

// setComplexity prices the fields that call Keystone or a cluster.
func setComplexity(c *generated.ComplexityRoot) {
	upstream := func(child int) int { return UpstreamCost + child }
	byCluster := func(child int, _ *string) int { return UpstreamCost + child }
	c.Query.KeystoneRoles = byCluster
	c.Query.KeystoneUsers = func(child int, _ *string, _ string, _ *int, _ *int) int { return UpstreamCost + child }
	c.Query.KubernetesRoles = byCluster
	c.Query.EmptyKubernetesRoles = byCluster
	c.Query.Bindings = byCluster
	c.Query.Backups = byCluster
	c.Cluster.AdminRoles = upstream
	c.Cluster.Health = upstream
	c.Cluster.Version = upstream
	c.Cluster.Nodes = upstream
	c.Cluster.Services = upstream
	c.Mutation.Login = func(child int, _ string, _ string, _ *string) int { return UpstreamCost + child }
}

// loginLimit refuses an operation that holds more than MaxLogins login fields (aliases,
// fragments and all) before any of them runs, so one request cannot carry a batch of
// password guesses.
type loginLimit struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = loginLimit{}

func (loginLimit) ExtensionName() string                   { return "LoginLimit" }
func (loginLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (loginLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
		return nil
	}
	if n := countField(oc.Operation.SelectionSet, oc.Doc.Fragments, "login", 0); n > MaxLogins {
		err := gqlerror.Errorf("one request may hold at most %d login; this one holds %d", MaxLogins, n)
		setCode(err, models.CodeInvalid)
		return err
	}
	return nil
}

// countField counts the top-level fields called name, through fragments (depth-bounded:
// invalid documents may cycle).
func countField(set ast.SelectionSet, frags ast.FragmentDefinitionList, name string, depth int) int {
	if depth > MaxDepth {
		return 0
	}
	n := 0
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if s.Name == name {
				n++
			}
		case *ast.InlineFragment:
			n += countField(s.SelectionSet, frags, name, depth+1)
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				n += countField(f.SelectionSet, frags, name, depth+1)
			}
		}
	}
	return n
}
