package resolvers

import (
	"context"
	"sync"

	"kaas/models"
)

// clusterMemo remembers the clusters one GraphQL operation read by ID, so that the rows
// of a list naming the same clusters (audit entries, resize requests) read each cluster
// once, not once per row and field.
type clusterMemo struct {
	mu   sync.Mutex
	byID map[string]clusterRead
}

type clusterRead struct {
	cluster *models.Cluster
	err     error
}

type clusterMemoKey struct{}

// WithLookups returns ctx with a memo for the clusters its operation reads by ID. It is
// for one query or mutation (graph.Options.WithOperation): a subscription would see a
// cluster as its first event found it.
func WithLookups(ctx context.Context) context.Context {
	return context.WithValue(ctx, clusterMemoKey{}, &clusterMemo{byID: map[string]clusterRead{}})
}

// cluster returns the cluster with that ID through the operation's memo when ctx has
// one. Concurrent fields asking for the same cluster wait for one read.
func (r *Resolver) cluster(ctx context.Context, id string) (*models.Cluster, error) {
	m, _ := ctx.Value(clusterMemoKey{}).(*clusterMemo)
	if m == nil {
		return r.Registry.Get(ctx, id)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if got, ok := m.byID[id]; ok {
		return got.cluster, got.err
	}
	c, err := r.Registry.Get(ctx, id)
	if err == nil || models.ErrorCode(err) == models.CodeNotFound {
		m.byID[id] = clusterRead{c, err} // an unavailable database is asked again
	}
	return c, err
}
