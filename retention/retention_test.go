package retention_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"kaas/internal/testenv"
	"kaas/models"
	"kaas/retention"
	"kaas/store"
)

func TestPruneKeepsWhatIsWithinRetentionAndGrace(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
		const day = 24 * time.Hour
		audit := map[string]time.Time{
			"older than the retention":  now.Add(-401 * day),
			"just past the retention":   now.Add(-400*day - time.Minute),
			"just within the retention": now.Add(-400*day + time.Minute),
			"recent":                    now.Add(-time.Hour),
		}
		for what, at := range audit {
			if err := db.AddAudit(ctx, &models.AuditEntry{At: at, ActorID: "u", ActorName: "n", Action: "login", Target: what, Result: "ok"}); err != nil {
				t.Fatal(err)
			}
		}
		expiries := map[string]time.Time{
			"expired beyond the grace": now.Add(-31 * day),
			"just beyond the grace":    now.Add(-30*day - time.Minute),
			"expired within the grace": now.Add(-29 * day),
			"expired a moment ago":     now.Add(-time.Minute),
			"live":                     now.Add(200 * day),
		}
		for what, exp := range expiries {
			h := sha256.Sum256([]byte(what))
			if err := db.CreateToken(ctx, &models.Token{ID: what, UserID: "u", Username: "u", Name: what, Prefix: "p", Hash: h[:],
				CreatedAt: exp.Add(-24 * time.Hour), ExpiresAt: exp}); err != nil {
				t.Fatal(err)
			}
		}

		p := retention.New(db, retention.Options{AuditRetention: 400 * day, ExpiredTokenGrace: 30 * day, Now: func() time.Time { return now }})
		res, err := p.PruneOnce(ctx)
		if err != nil || !res.Ran || res.AuditEntries != 2 || res.Tokens != 2 {
			t.Fatalf("PruneOnce = %+v, %v; want it to run and delete 2 audit entries and 2 tokens", res, err)
		}
		var kept []string
		db.Gorm().Model(&models.AuditEntry{}).Order("target").Pluck("target", &kept)
		if fmt.Sprint(kept) != "[just within the retention recent]" {
			t.Errorf("audit entries kept: %q", kept)
		}
		var names []string
		db.Gorm().Model(&models.Token{}).Order("name").Pluck("name", &names)
		if fmt.Sprint(names) != "[expired a moment ago expired within the grace live]" {
			t.Errorf("tokens kept: %q", names)
		}

		forever := retention.New(db, retention.Options{ExpiredTokenGrace: 30 * day, Now: func() time.Time { return now.Add(10000 * day) }})
		if res, err := forever.PruneOnce(ctx); err != nil || res.AuditEntries != 0 {
			t.Errorf("retention 0 pruned audit entries: %+v, %v", res, err)
		}
	})
}

func TestPruneRunsOnOneReplicaAtATime(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := retention.New(db, retention.Options{AuditRetention: time.Hour})
		held := make(chan struct{})
		release := make(chan struct{})
		done := make(chan error)
		go func() {
			_, err := db.RunExclusive(ctx, "retention-prune", func(context.Context) error {
				close(held)
				<-release
				return nil
			})
			done <- err
		}()
		<-held
		res, err := p.PruneOnce(ctx)
		close(release)
		if err != nil || res.Ran {
			t.Errorf("while another replica prunes: %+v, %v; want no run", res, err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if res, err := p.PruneOnce(ctx); err != nil || !res.Ran {
			t.Errorf("alone: %+v, %v; want a run", res, err)
		}
	})
}

// countingStore counts pruning passes over a real store.
type countingStore struct {
	*store.DB
	passes chan struct{}
}

func (c countingStore) DeleteExpiredTokens(ctx context.Context, cutoff time.Time) (int64, error) {
	c.passes <- struct{}{}
	return c.DB.DeleteExpiredTokens(ctx, cutoff)
}

func TestRunPrunesAtOnceThenEveryIntervalUntilStopped(t *testing.T) {
	db := testenv.OpenDB(t, store.SQLite)
	cs := countingStore{DB: db, passes: make(chan struct{}, 100)}
	p := retention.New(cs, retention.Options{Interval: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { p.Run(ctx); close(stopped) }()
	for i := 0; i < 3; i++ {
		select {
		case <-cs.passes:
		case <-time.After(5 * time.Second):
			t.Fatalf("pass %d did not come", i+1)
		}
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}
