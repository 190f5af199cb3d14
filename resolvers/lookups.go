package resolvers

import (
	"context"
	"time"

	"kaas/memo"
	"kaas/models"
)

// clusterMemoKey holds the clusters one GraphQL operation read by ID (a memo.Cache), so
// that the rows of a list naming the same clusters (audit entries, resize requests) read
// each cluster once, not once per row and field. A cluster that is gone is remembered as
// nil.
type clusterMemoKey struct{}

// operationTTL outlasts any one query or mutation.
const operationTTL = time.Hour

// WithLookups returns ctx with a memo for the clusters its operation reads by ID. It is
// for one query or mutation (graph.Options.WithOperation): a subscription would see a
// cluster as its first event found it.
func WithLookups(ctx context.Context) context.Context {
	return context.WithValue(ctx, clusterMemoKey{}, memo.New[string, *models.Cluster](memo.Options{TTL: operationTTL}))
}

// cluster returns the cluster with that ID, nil when it is gone, through the
// operation's memo when ctx has one. Concurrent fields asking for one cluster share a
// read.
func (r *Resolver) cluster(ctx context.Context, id string) (*models.Cluster, error) {
	read := func(ctx context.Context) (*models.Cluster, error) {
		c, err := r.Registry.Get(ctx, id)
		if models.ErrorCode(err) == models.CodeNotFound {
			return nil, nil
		}
		return c, err
	}
	if m, ok := ctx.Value(clusterMemoKey{}).(*memo.Cache[string, *models.Cluster]); ok {
		return m.Get(ctx, id, read)
	}
	return read(ctx)
}
