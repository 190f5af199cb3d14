package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"kaas/internal/testenv"
	"kaas/models"
	"kaas/store"
)

func TestResizeRequests(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Now().UTC().Truncate(time.Millisecond)
		size := models.DefaultClusterSize
		size.Workers = 5
		first := &models.ResizeRequest{ID: "6f1c1f00-0000-4000-8000-000000000001", ClusterID: "c1", Status: models.ResizePending,
			Size: size, Reason: "more", RequesterID: "u1", RequesterName: "alice", CreatedAt: at}
		if err := db.AddResizeRequest(ctx, first); err != nil {
			t.Fatal(err)
		}
		second := *first
		second.ID = "6f1c1f00-0000-4000-8000-000000000002"
		second.CreatedAt = at.Add(time.Second)
		if err := db.AddResizeRequest(ctx, &second); models.ErrorCode(err) != models.CodeConflict {
			t.Fatalf("a second pending request for c1: %v, want CONFLICT", err)
		}
		other := second
		other.ClusterID = "c2"
		other.ID = "6f1c1f00-0000-4000-8000-000000000003"
		if err := db.AddResizeRequest(ctx, &other); err != nil {
			t.Fatalf("a pending request for another cluster: %v", err)
		}

		// Eight deciders at once: exactly one decision is recorded.
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := *first
				d.Status, d.DeciderName, d.DecidedAt = models.ResizeDeclined, "oscar", &at
				d.DecisionReason = string(rune('a' + i))
				ok, err := db.DecideResizeRequest(ctx, &d, models.ResizePending)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					won++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d decisions recorded, want 1", won)
		}
		got, err := db.ResizeRequest(ctx, first.ID)
		if err != nil || got.Status != models.ResizeDeclined || got.DeciderName != "oscar" || got.Size != size || got.DecidedAt == nil {
			t.Fatalf("decided request = %+v, %v", got, err)
		}
		// Decided, c1 may have a new pending request.
		if err := db.AddResizeRequest(ctx, &second); err != nil {
			t.Fatalf("a new request after the decision: %v", err)
		}
		list, err := db.ResizeRequests(ctx, models.ResizeFilter{ClusterID: "c1"})
		if err != nil || len(list) != 2 || list[0].ID != second.ID {
			t.Fatalf("c1's requests = %+v, %v; want 2, newest first", list, err)
		}
		pending, err := db.ResizeRequests(ctx, models.ResizeFilter{Status: models.ResizePending})
		if err != nil || len(pending) != 2 {
			t.Fatalf("pending = %d, %v; want 2", len(pending), err)
		}
		if _, err := db.ResizeRequest(ctx, "6f1c1f00-0000-4000-8000-00000000dead"); models.ErrorCode(err) != models.CodeNotFound {
			t.Errorf("unknown request: %v, want NOT_FOUND", err)
		}
	})
}
