package store_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"kaas/internal/testenv"
	"kaas/models"
	"kaas/store"
)

// seedTokens stores n tokens of user, one a second from start, newest last; every
// third shares its creation time with the one before, so the ID breaks ties.
func seedTokens(t *testing.T, db *store.DB, user string, n int, start time.Time) []models.Token {
	t.Helper()
	rows := make([]models.Token, n)
	at := start
	for i := range rows {
		if i%3 != 2 {
			at = at.Add(time.Second)
		}
		h := sha256.Sum256([]byte(fmt.Sprintf("%s-%d", user, i)))
		rows[i] = models.Token{ID: fmt.Sprintf("%s-%05d", user, i), UserID: user, Username: user, Name: "n",
			Prefix: "kaas_x", Hash: h[:], CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
	}
	if err := db.Gorm().CreateInBatches(rows, 200).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// recordStatements collects the SQL of every query gorm runs on db until the test ends.
func recordStatements(t *testing.T, db *store.DB) func() []string {
	t.Helper()
	var mu sync.Mutex
	var stmts []string
	name := "test:record-" + strings.ReplaceAll(t.Name(), "/", "-")
	err := db.Gorm().Callback().Query().After("gorm:query").Register(name, func(tx *gorm.DB) {
		mu.Lock()
		defer mu.Unlock()
		stmts = append(stmts, tx.Statement.SQL.String())
	})
	if err != nil {
		t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := stmts
		stmts = nil
		return out
	}
}

func TestTokenPagesWalkTheListOnce(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start := time.Date(2026, 1, 1, 0, 0, 0, 123456000, time.UTC)
		rows := seedTokens(t, db, "u1", 250, start)
		seedTokens(t, db, "u2", 5, start)
		var got []string
		var after *models.TokenCursor
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatal("more pages than 250 tokens need")
			}
			page, err := db.Tokens(ctx, "u1", after, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, tok := range page {
				got = append(got, tok.ID)
			}
			if len(page) < 100 {
				break
			}
			c := page[len(page)-1].Cursor()
			after = &c
			if pages == 0 { // a deleted cursor token still marks the place
				if _, err := db.DeleteToken(ctx, "u1", c.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if len(got) != 250 {
			t.Fatalf("listed %d tokens, want 250 (each once)", len(got))
		}
		for i, id := range got {
			if want := rows[249-i].ID; id != want { // newest first, ID DESC on ties
				t.Fatalf("token %d is %s, want %s", i, id, want)
			}
		}
	})
}

func TestTokenPageIsOneLimitedStatementOnTheIndex(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedTokens(t, db, "u1", 1000, time.Now().UTC())
		statements := recordStatements(t, db)
		page, err := db.Tokens(ctx, "u1", nil, 101)
		if err != nil || len(page) != 101 {
			t.Fatalf("page = %d tokens, %v; want 101", len(page), err)
		}
		stmts := statements()
		if len(stmts) != 1 || !strings.Contains(stmts[0], "LIMIT") || !strings.Contains(stmts[0], "ORDER BY created_at DESC, id DESC") {
			t.Fatalf("statements = %q, want one SELECT … ORDER BY created_at DESC, id DESC LIMIT", stmts)
		}
		if db.Dialect() != store.SQLite {
			return
		}
		// The plan reads the index in order: no sort of the user's tokens.
		var plan []struct {
			ID, Parent, Notused int
			Detail              string
		}
		sql := "EXPLAIN QUERY PLAN SELECT * FROM tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT 101"
		if err := db.Gorm().Raw(sql, "u1").Scan(&plan).Error; err != nil {
			t.Fatal(err)
		}
		var details []string
		for _, p := range plan {
			details = append(details, p.Detail)
		}
		all := strings.Join(details, "; ")
		if !strings.Contains(all, "idx_tokens_user_created") || strings.Contains(all, "TEMP B-TREE") {
			t.Errorf("query plan %q: want a walk of idx_tokens_user_created without a sort", all)
		}
	})
}

func TestCreateTokenCappedHoldsUnderConcurrency(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const limit, tries = 5, 12
		var wg sync.WaitGroup
		errs := make([]error, tries)
		for i := range tries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h := sha256.Sum256([]byte(fmt.Sprint("cap", i)))
				errs[i] = db.CreateTokenCapped(ctx, &models.Token{ID: fmt.Sprintf("cap-%d", i), UserID: "u1", Username: "u", Name: "n",
					Prefix: "p", Hash: h[:], ExpiresAt: time.Now().Add(time.Hour)}, limit)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch models.ErrorCode(err) {
			case "":
				ok++
			case models.CodeConflict:
				if !strings.Contains(models.ErrorMessage(err), "the most this panel allows per user") {
					t.Errorf("conflict message %q does not say why", models.ErrorMessage(err))
				}
			default:
				t.Errorf("create: %v", err)
			}
		}
		if ok != limit {
			t.Fatalf("%d creations succeeded, want exactly %d", ok, limit)
		}
		h := sha256.Sum256([]byte("other user"))
		if err := db.CreateTokenCapped(ctx, &models.Token{ID: "other", UserID: "u2", Username: "u", Name: "n", Prefix: "p", Hash: h[:],
			ExpiresAt: time.Now().Add(time.Hour)}, limit); err != nil {
			t.Errorf("another user's first token: %v", err)
		}
	})
}

func TestWebhookClusterName(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sum := sha256.Sum256([]byte("kaaswh_known"))
		for i, c := range []models.Cluster{
			{ID: "c1", Name: "prod", WebhookTokenHash: sum[:]},
			{ID: "c2", Name: "adopted"}, // no credential
			{ID: "c3", Name: "other"},
		} {
			c.BaseDomain, c.APIURL, c.Status, c.Driver, c.Credential = "example.com", "https://x", models.ClusterReady, "existing", []byte{byte(i)}
			if err := db.CreateCluster(ctx, &c); err != nil {
				t.Fatal(err)
			}
		}
		if name, err := db.WebhookClusterName(ctx, sum[:]); err != nil || name != "prod" {
			t.Errorf("known credential: %q, %v", name, err)
		}
		unknown := sha256.Sum256([]byte("kaaswh_unknown"))
		if name, err := db.WebhookClusterName(ctx, unknown[:]); err != nil || name != "" {
			t.Errorf("unknown credential: %q, %v", name, err)
		}
		dup, _ := db.Cluster(ctx, "c3")
		dup.WebhookTokenHash = sum[:]
		if err := db.UpdateCluster(ctx, dup); models.ErrorCode(err) != models.CodeConflict {
			t.Errorf("a second cluster with the same credential hash: %v, want CONFLICT", err)
		}
	})
}

// TestMigration4BackfillsWebhookHashes rewinds a database to before migration 4, with a
// cluster row as older versions could leave it (an empty hash), and migrates again.
func TestMigration4BackfillsWebhookHashes(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			opts := store.Options{DataDir: t.TempDir()}
			if d == store.Postgres {
				opts.DSN = testenv.PostgresDSN(t)
			}
			ctx := context.Background()
			db, err := store.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			g := db.Gorm()
			for _, stmt := range []string{
				"DROP INDEX idx_clusters_webhook_hash", "DROP INDEX idx_tokens_user_created", "DROP INDEX idx_tokens_expires",
				"CREATE INDEX idx_clusters_webhook ON clusters (webhook_token_hash)", "CREATE INDEX idx_tokens_user ON tokens (user_id)",
				"DELETE FROM schema_migrations WHERE version = 4",
			} {
				if err := g.Exec(stmt).Error; err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			sum := sha256.Sum256([]byte("kaaswh_x"))
			for i, h := range [][]byte{{}, {}, sum[:]} {
				c := models.Cluster{ID: fmt.Sprint("c", i), Name: fmt.Sprint("c", i), BaseDomain: "example.com", APIURL: "https://x",
					Status: models.ClusterReady, Driver: "existing", Credential: []byte{1}}
				if err := db.CreateCluster(ctx, &c); err != nil {
					t.Fatal(err)
				}
				if err := g.Exec("UPDATE clusters SET webhook_token_hash = ? WHERE id = ?", h, c.ID).Error; err != nil {
					t.Fatal(err)
				}
			}
			db.Close()

			db, err = store.Open(ctx, opts)
			if err != nil {
				t.Fatalf("migrate again: %v", err)
			}
			defer db.Close()
			if v, _ := db.SchemaVersion(ctx); v < 4 {
				t.Fatalf("schema version %d, want at least 4", v)
			}
			var empty, null int64
			db.Gorm().Raw("SELECT count(*) FROM clusters WHERE webhook_token_hash IS NOT NULL AND length(webhook_token_hash) = 0").Scan(&empty)
			db.Gorm().Raw("SELECT count(*) FROM clusters WHERE webhook_token_hash IS NULL").Scan(&null)
			if empty != 0 || null != 2 {
				t.Errorf("after the back-fill: %d empty hashes, %d NULL; want 0 and 2", empty, null)
			}
			if name, err := db.WebhookClusterName(ctx, sum[:]); err != nil || name != "c2" {
				t.Errorf("lookup after migration: %q, %v", name, err)
			}
		})
	}
}

func TestDeleteOldAuditAndExpiredTokensInBatches(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cutoff := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		const old, young = 5003, 7 // more than one batch of old rows
		entries := make([]models.AuditEntry, 0, old+young)
		for i := range old + young {
			at := cutoff.Add(-time.Duration(i+1) * time.Minute)
			if i >= old {
				at = cutoff.Add(time.Duration(i) * time.Minute)
			}
			entries = append(entries, models.AuditEntry{At: at, ActorID: "u", ActorName: "n", Action: "login", Result: "ok"})
		}
		if err := db.Gorm().CreateInBatches(entries, 500).Error; err != nil {
			t.Fatal(err)
		}
		n, err := db.DeleteAuditBefore(ctx, cutoff)
		if err != nil || n != old {
			t.Fatalf("DeleteAuditBefore = %d, %v; want %d", n, err, old)
		}
		var left int64
		db.Gorm().Model(&models.AuditEntry{}).Count(&left)
		if left != young {
			t.Errorf("%d audit entries left, want %d", left, young)
		}

		rows := seedTokens(t, db, "u1", 4, cutoff.Add(-3*time.Hour)) // expire 1 h after creation
		if n, err := db.DeleteExpiredTokens(ctx, rows[3].ExpiresAt); err != nil || n != 3 {
			t.Fatalf("DeleteExpiredTokens = %d, %v; want 3 (those that expired before the cutoff)", n, err)
		}
	})
}
