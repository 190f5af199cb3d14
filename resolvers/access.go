package resolvers

import (
	"context"

	"kaas/auth"
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
		return models.Identity{}, models.Errorf(models.CodeForbidden, "only operators may do this")
	}
	return viewer, nil
}

func principalOf(id models.Identity) models.Principal {
	return models.Principal{UserID: id.UserID, Username: id.Username, Domain: id.Domain}
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
