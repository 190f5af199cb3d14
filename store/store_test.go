package store_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"kaas/internal/testenv"
	"kaas/models"
	"kaas/store"
)

func TestMigrationsAreIdempotent(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			opts := store.Options{DataDir: t.TempDir()}
			if d == store.Postgres {
				opts.DSN = testenv.PostgresDSN(t)
			}
			ctx := context.Background()
			for i := 0; i < 2; i++ {
				db, err := store.Open(ctx, opts)
				if err != nil {
					t.Fatalf("open #%d: %v", i, err)
				}
				v, err := db.SchemaVersion(ctx)
				if err != nil || v < 1 {
					t.Fatalf("schema version = %d, %v", v, err)
				}
				db.Close()
			}
		})
	}
}

func TestTokens(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Millisecond)
		tok := &models.Token{ID: "t1", UserID: "u1", Username: "alice", Name: "laptop", Prefix: "kaas_abc",
			Hash: bytes.Repeat([]byte{1}, 32), ExpiresAt: now.Add(time.Hour)}
		if err := db.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		dup := *tok
		dup.ID = "t2"
		if err := db.CreateToken(ctx, &dup); models.ErrorCode(err) != models.CodeConflict {
			t.Errorf("duplicate hash: got %v, want CONFLICT", err)
		}
		if got := liveToken(t, db, tok.Hash); got == nil || got.ID != "t1" || got.UserID != "u1" || !got.ExpiresAt.Equal(tok.ExpiresAt) {
			t.Fatalf("live token = %+v", got)
		}
		if got := liveToken(t, db, bytes.Repeat([]byte{2}, 32)); got != nil {
			t.Errorf("unknown hash: %+v", got)
		}
		later := now.Add(time.Minute)
		if err := db.RecordTokenUses(ctx, []models.TokenUse{{TokenID: "t1", At: later, Cluster: "prod"}, {TokenID: "t1", At: now, Cluster: "old"}}); err != nil {
			t.Fatal(err)
		}
		list, err := db.Tokens(ctx, "u1", nil, 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("Tokens = %v, %v", list, err)
		}
		if list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(later) || list[0].LastUsedCluster == nil || *list[0].LastUsedCluster != "prod" {
			t.Errorf("last use = %v %v, want %v prod", list[0].LastUsedAt, list[0].LastUsedCluster, later)
		}
		if _, err := db.DeleteToken(ctx, "u2", "t1"); models.ErrorCode(err) != models.CodeNotFound {
			t.Errorf("delete by another user: %v, want NOT_FOUND", err)
		}
		if _, err := db.DeleteToken(ctx, "u1", "t1"); err != nil {
			t.Fatal(err)
		}
		if got := liveToken(t, db, tok.Hash); got != nil {
			t.Errorf("after delete: %+v", got)
		}
	})
}

// liveToken returns the live token with hash h as LiveTokens reads it, nil when none.
func liveToken(t *testing.T, db *store.DB, h []byte) *models.TokenKey {
	t.Helper()
	var found *models.TokenKey
	if _, err := db.LiveTokens(context.Background(), time.Now(), func(k models.TokenKey) {
		if bytes.Equal(k.Hash, h) {
			found = &k
		}
	}); err != nil {
		t.Fatal(err)
	}
	return found
}

func TestClustersAndActiveCluster(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &models.Cluster{ID: "c1", Name: "prod", BaseDomain: "example.com", APIURL: "https://1.2.3.4:6443",
			Status: models.ClusterReady, Driver: "existing", AdminRoleIDs: []string{"r1", "r2"},
			Size: models.DefaultClusterSize, Credential: []byte{1, 2, 3}}
		if err := db.CreateCluster(ctx, c); err != nil {
			t.Fatal(err)
		}
		again := *c
		again.ID = "c2"
		if err := db.CreateCluster(ctx, &again); models.ErrorCode(err) != models.CodeConflict {
			t.Errorf("duplicate name: %v", err)
		}
		got, err := db.ClusterByName(ctx, "prod")
		if err != nil || len(got.AdminRoleIDs) != 2 || got.Size.Workers != 3 {
			t.Fatalf("ClusterByName = %+v, %v", got, err)
		}
		if id, err := db.ActiveClusterID(ctx, "u1"); err != nil || id != "" {
			t.Errorf("initial active = %q, %v", id, err)
		}
		if err := db.SetActiveClusterID(ctx, "u1", "c1"); err != nil {
			t.Fatal(err)
		}
		if id, _ := db.ActiveClusterID(ctx, "u1"); id != "c1" {
			t.Errorf("active = %q", id)
		}
		if err := db.DeleteCluster(ctx, "c1"); err != nil {
			t.Fatal(err)
		}
		if id, _ := db.ActiveClusterID(ctx, "u1"); id != "" {
			t.Errorf("active after delete = %q", id)
		}
		if err := db.DeleteCluster(ctx, "c1"); models.ErrorCode(err) != models.CodeNotFound {
			t.Errorf("second delete: %v", err)
		}
	})
}

func TestAuditPaging(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := 0; i < 5; i++ {
			cl := "a"
			if i%2 == 1 {
				cl = "b"
			}
			if err := db.AddAudit(ctx, &models.AuditEntry{At: time.Now().UTC(), ActorID: "u", ActorName: "n", Action: "login", ClusterID: cl, Result: "ok"}); err != nil {
				t.Fatal(err)
			}
		}
		page, err := db.Audit(ctx, models.AuditFilter{ClusterID: "a", Limit: 2})
		if err != nil || len(page) != 2 || page[0].ID < page[1].ID {
			t.Fatalf("page 1 = %+v, %v", page, err)
		}
		rest, err := db.Audit(ctx, models.AuditFilter{ClusterID: "a", Before: page[1].ID})
		if err != nil || len(rest) != 1 {
			t.Fatalf("page 2 = %+v, %v", rest, err)
		}
	})
}

func TestRecordTokenUsesInChunks(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 650 // more than one statement's worth
		now := time.Now().UTC().Truncate(time.Millisecond)
		rows := make([]models.Token, n)
		uses := make([]models.TokenUse, n)
		for i := range rows {
			id := fmt.Sprintf("t%04d", i)
			h := make([]byte, 32)
			copy(h, id)
			rows[i] = models.Token{ID: id, UserID: "u", Username: "u", Name: "n", Prefix: "p", Hash: h, ExpiresAt: now.Add(time.Hour)}
			uses[i] = models.TokenUse{TokenID: id, At: now, Cluster: "c"}
		}
		if err := db.Gorm().WithContext(ctx).CreateInBatches(rows, 200).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.RecordTokenUses(ctx, uses); err != nil {
			t.Fatal(err)
		}
		var used int64
		db.Gorm().Model(&models.Token{}).Where("last_used_at IS NOT NULL AND last_used_cluster = ?", "c").Count(&used)
		if used != n {
			t.Fatalf("%d of %d tokens recorded", used, n)
		}
	})
}
