package provisioning_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"kaas/internal/testenv"
	"kaas/jobs"
	"kaas/models"
	"kaas/provisioning"
	"kaas/provisioning/existing"
	"kaas/store"
)

// TestAbandonedCreateOlderThanAPageIsFound cancels a cluster.create job, queues 60 newer
// ones (more than a page of the job list), and still finds what the old one left to delete.
func TestAbandonedCreateOlderThanAPageIsFound(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := jobs.New(db, "a", jobs.Options{Lease: time.Minute, PollInterval: 20 * time.Millisecond})
		cj := &provisioning.ClusterJobs{Store: db}
		cj.Register(e)
		old, err := e.Enqueue(ctx, provisioning.CreateArgs{ClusterID: "old-cluster-id", Name: "old", Driver: existing.Name}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Cancel(ctx, old.ID); err != nil {
			t.Fatal(err)
		}
		for i := range 60 {
			id := fmt.Sprintf("newer-%02d", i)
			if _, err := e.Enqueue(ctx, provisioning.CreateArgs{ClusterID: id, Name: id, Driver: existing.Name}, "oscar"); err != nil {
				t.Fatal(err)
			}
		}
		if page, err := e.List(ctx, models.JobFilter{Kind: provisioning.KindClusterCreate, Limit: 1000}); err != nil || len(page) != 61 {
			t.Fatalf("a list asking for 1000 jobs got %d (%v), want all 61", len(page), err)
		}
		args, err := cj.DeleteArgsFor(ctx, e, "old-cluster-id")
		if err != nil || args.ClusterID != "old-cluster-id" || args.Name != "old" {
			t.Fatalf("delete args of the abandoned create = %+v, %v", args, err)
		}
		// A create still queued is a conflict, however many jobs are newer.
		if _, err := cj.DeleteArgsFor(ctx, e, "newer-00"); models.ErrorCode(err) != models.CodeConflict {
			t.Fatalf("a queued create: %v, want CONFLICT", err)
		}
		if _, err := cj.DeleteArgsFor(ctx, e, "never-created"); models.ErrorCode(err) != models.CodeNotFound {
			t.Fatalf("an unknown cluster: %v, want NOT_FOUND", err)
		}
	})
}
