package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"kaas/internal/testenv"
	"kaas/models"
	"kaas/store"
)

// TestTokenChangeLog creates and deletes tokens concurrently and reads the change log
// back: every change once, numbered in increasing order, each creation with its token
// while it exists, and LiveTokens current as of the last number.
func TestTokenChangeLog(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		const n = 20
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				h := make([]byte, 32)
				h[0], h[1] = byte(i), 0xc7
				errs <- db.CreateToken(ctx, &models.Token{ID: fmt.Sprintf("t%02d", i), UserID: fmt.Sprintf("u%d", i%3), Username: "x",
					Name: "n", Prefix: "kaas_x", Hash: h, ExpiresAt: now.Add(time.Hour)})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.DeleteToken(ctx, "u0", "t00"); err != nil {
			t.Fatal(err)
		}
		changes, err := db.TokenChanges(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) != n+1 {
			t.Fatalf("%d changes, want %d", len(changes), n+1)
		}
		created := map[string]bool{}
		for i, c := range changes {
			if i > 0 && c.Seq <= changes[i-1].Seq {
				t.Fatalf("change %d numbered %d after %d", i, c.Seq, changes[i-1].Seq)
			}
			if c.Deleted {
				if c.Token.ID != "t00" || len(c.Token.Hash) != 32 || i != n {
					t.Fatalf("deletion %+v at %d", c, i)
				}
				continue
			}
			created[c.Token.ID] = true
			if c.Exists != (c.Token.ID != "t00") || (c.Exists && (c.Token.UserID == "" || !c.Token.ExpiresAt.After(now))) {
				t.Fatalf("creation %+v", c)
			}
		}
		if len(created) != n {
			t.Fatalf("%d tokens created in the log, want %d", len(created), n)
		}
		last := changes[len(changes)-1].Seq
		if later, err := db.TokenChanges(ctx, last, 1000); err != nil || len(later) != 0 {
			t.Fatalf("after the last change: %v, %v", later, err)
		}
		var live int
		seq, err := db.LiveTokens(ctx, now, func(k models.TokenKey) {
			if k.ID == "t00" || len(k.Hash) != 32 {
				t.Errorf("live token %+v", k)
			}
			live++
		})
		if err != nil || seq != last || live != n-1 {
			t.Fatalf("LiveTokens: %d tokens as of %d (%v), want %d as of %d", live, seq, err, n-1, last)
		}
	})
}
