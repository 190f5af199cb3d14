package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"kaas/audit"
	"kaas/auth"
	"kaas/clusters"
	"kaas/models"
)

// principal returns the caller or UNAUTHENTICATED.
func (r *Resolver) principal(ctx context.Context) (models.Principal, error) {
	return auth.Principal(ctx)
}

// operator returns the caller's identity when they hold the operator role, recomputed
// from Keystone's (cached) assignments on every call.
func (r *Resolver) operator(ctx context.Context) (models.Identity, error) {
	viewer, err := r.Auth.Viewer(ctx)
	if err != nil {
		return models.Identity{}, err
	}
	if !r.Registry.IsOperator(viewer) {
		err := models.Errorf(models.CodeForbidden, "only operators may do this")
		r.Audit.Record(ctx, principalOf(viewer), audit.ActionAccessDenied, "", fieldName(ctx), err)
		return models.Identity{}, err
	}
	return viewer, nil
}

// fieldName is the GraphQL field being resolved, the target of a refused attempt.
func fieldName(ctx context.Context) string {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Field != nil {
		return fc.Field.Name
	}
	return ""
}

func principalOf(id models.Identity) models.Principal {
	return models.Principal{UserID: id.UserID, Username: id.Username, Domain: id.Domain, DomainID: id.DomainID}
}

func clusterID(c *models.Cluster) string {
	if c == nil {
		return ""
	}
	return c.ID
}

func pointers[T any](in []T) []*T {
	out := make([]*T, len(in))
	for i := range in {
		out[i] = &in[i]
	}
	return out
}

// clusterAdmin returns the caller and the cluster (the given one, else the active one)
// when the caller administers it: holds one of its admin roles in Keystone, recomputed on
// every call.
func (r *Resolver) clusterAdmin(ctx context.Context, clusterID *string) (models.Identity, *models.Cluster, error) {
	return r.clusterAccess(ctx, func(viewer models.Identity) (*models.Cluster, error) {
		return r.clusterOrActive(ctx, viewer, clusterID)
	}, false)
}

// operatorOrAdmin returns the caller and the cluster with that ID (never the active one)
// when the caller is an operator or administers it.
func (r *Resolver) operatorOrAdmin(ctx context.Context, clusterID string) (models.Identity, *models.Cluster, error) {
	return r.clusterAccess(ctx, func(models.Identity) (*models.Cluster, error) {
		return r.Registry.Get(ctx, clusterID)
	}, true)
}

// clusterAccess returns the caller and the cluster find gives for them when the caller
// administers it, or is an operator and operators may; a refusal is recorded in the
// audit trail.
func (r *Resolver) clusterAccess(ctx context.Context, find func(viewer models.Identity) (*models.Cluster, error), operators bool) (models.Identity, *models.Cluster, error) {
	viewer, err := r.Auth.Viewer(ctx)
	if err != nil {
		return models.Identity{}, nil, err
	}
	c, err := find(viewer)
	if err != nil {
		return models.Identity{}, nil, err
	}
	if operators && r.Registry.IsOperator(viewer) || r.Registry.IsAdmin(viewer, c) {
		return viewer, c, nil
	}
	who := "admins"
	if operators {
		who = "operators and admins"
	}
	err = models.Errorf(models.CodeForbidden, "only %s of cluster %s may do this", who, c.Name)
	r.Audit.Record(ctx, principalOf(viewer), audit.ActionAccessDenied, c.ID, fieldName(ctx), err)
	return models.Identity{}, nil, err
}

// clusterOrActive returns the cluster by ID, or the viewer's active cluster when the ID
// is absent.
func (r *Resolver) clusterOrActive(ctx context.Context, viewer models.Identity, clusterID *string) (*models.Cluster, error) {
	if clusterID != nil && *clusterID != "" {
		return r.Registry.Get(ctx, *clusterID)
	}
	c, err := r.Registry.Active(ctx, viewer.UserID)
	if err == nil && c == nil {
		err = models.Errorf(models.CodeNotFound, "there is no cluster yet")
	}
	return c, err
}

// auditAccess is the trail's view of who may read what: the operator role, and cluster
// administration as clusterAdmin checks it (a refusal is recorded).
type auditAccess struct{ r *Resolver }

func (a auditAccess) Caller(ctx context.Context) (models.Identity, error) {
	return a.r.Auth.Viewer(ctx)
}

func (a auditAccess) IsOperator(caller models.Identity) bool { return a.r.Registry.IsOperator(caller) }

func (a auditAccess) AdministeredCluster(ctx context.Context, clusterID *string) (string, error) {
	_, c, err := a.r.clusterAdmin(ctx, clusterID)
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

// adminClient is clusterAdmin plus the client that acts on the cluster as the panel.
func (r *Resolver) adminClient(ctx context.Context, clusterID *string) (models.Identity, *models.Cluster, clusters.Client, error) {
	viewer, c, err := r.clusterAdmin(ctx, clusterID)
	if err != nil {
		return models.Identity{}, nil, nil, err
	}
	client, err := r.Registry.Client(c)
	if err != nil {
		return models.Identity{}, nil, nil, err
	}
	return viewer, c, client, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}
