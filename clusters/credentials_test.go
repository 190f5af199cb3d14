package clusters_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"kaas/clusters"
	"kaas/internal/testenv"
	"kaas/models"
	"kaas/store"
)

// countingStore counts the lookups a real store answers.
type countingStore struct {
	*store.DB
	byHash, all atomic.Int32
}

func (c *countingStore) WebhookClusterName(ctx context.Context, hash []byte) (string, error) {
	c.byHash.Add(1)
	return c.DB.WebhookClusterName(ctx, hash)
}

func (c *countingStore) Clusters(ctx context.Context) ([]models.Cluster, error) {
	c.all.Add(1)
	return c.DB.Clusters(ctx)
}

func TestWebhookCredentialLookupsUnderASpray(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cs := &countingStore{DB: db}
		reg := clusters.New(cs, nil, nil, nil, clusters.Options{})
		c := &models.Cluster{ID: uuid.NewString(), Name: "prod", BaseDomain: "example.com", APIURL: "https://x", Status: models.ClusterReady,
			Driver: "existing", Credential: []byte{1}}
		if err := db.CreateCluster(ctx, c); err != nil {
			t.Fatal(err)
		}
		_, cred, err := reg.IssueWebhookCredential(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if name, err := reg.ClusterForCredential(ctx, cred); err != nil || name != "prod" {
			t.Fatalf("known credential: %q, %v", name, err)
		}
		cs.byHash.Store(0)

		const spray = 3000
		for i := 0; i < spray; i++ {
			b := make([]byte, 32)
			rand.Read(b)
			if name, err := reg.ClusterForCredential(ctx, "kaaswh_"+base64.RawURLEncoding.EncodeToString(b)); err != nil || name != "" {
				t.Fatalf("unknown credential: %q, %v", name, err)
			}
		}
		for _, malformed := range []string{"", "kaaswh_", "kaaswh_short", "kaaswh_" + string(make([]byte, 43)), "Bearer x", cred + "x"} {
			if name, err := reg.ClusterForCredential(ctx, malformed); err != nil || name != "" {
				t.Fatalf("malformed credential %q: %q, %v", malformed, name, err)
			}
		}
		if got := cs.byHash.Load(); got != spray {
			t.Errorf("%d unknown and 6 malformed credentials cost %d indexed lookups, want %d", spray, got, spray)
		}
		if cs.all.Load() != 0 {
			t.Errorf("the clusters table was loaded %d times", cs.all.Load())
		}
		cs.byHash.Store(0)
		if name, err := reg.ClusterForCredential(ctx, cred); err != nil || name != "prod" || cs.byHash.Load() != 0 {
			t.Errorf("after the spray: %q, %v, %d lookups; want prod from the cache", name, err, cs.byHash.Load())
		}
	})
}
