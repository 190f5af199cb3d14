package tokens_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"kaas/internal/testenv"
	"kaas/models"
	"kaas/store"
	"kaas/tokens"
)

// benchTokens is how many distinct tokens the Authenticate benchmarks cycle through, so
// that the cache holds more than a handful of entries, as in production.
const benchTokens = 1000

// benchService returns a token service over a real SQLite store, with the usage recorder
// the panel wires in (its flush never runs: Record's cost is part of the hot path, the
// batched write is not).
func benchService(b *testing.B) *tokens.Service {
	b.Helper()
	db, err := store.Open(context.Background(), store.Options{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	usage := tokens.NewUsageRecorder(func(context.Context, []models.TokenUse) error { return nil }, time.Hour, slog.New(slog.DiscardHandler))
	return testenv.TokenService(b, db, tokens.Options{Usage: usage})
}

// generate returns n well-formed secrets that were never stored.
func generate(b *testing.B, n int) []string {
	b.Helper()
	secrets := make([]string, n)
	for i := range secrets {
		s, err := tokens.Generate(nil)
		if err != nil {
			b.Fatal(err)
		}
		secrets[i] = s
	}
	return secrets
}

// authenticateAll runs Authenticate over secrets in b's loop, serially or from
// GOMAXPROCS goroutines, and fails unless each result matches known.
func authenticateAll(b *testing.B, svc *tokens.Service, secrets []string, known, parallel bool) {
	b.Helper()
	ctx := context.Background()
	check := func(secret string) {
		_, err := svc.Authenticate(ctx, secret, "bench")
		if known && err != nil {
			b.Fatalf("known token: %v", err)
		}
		if !known && models.ErrorCode(err) != models.CodeUnauthenticated {
			b.Fatalf("unknown token: err = %v, want UNAUTHENTICATED", err)
		}
	}
	for _, s := range secrets { // warm the cache: the benchmarks measure hits
		check(s)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if !parallel {
		i := 0
		for b.Loop() {
			check(secrets[i%len(secrets)])
			i++
		}
		return
	}
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			check(secrets[i%len(secrets)])
			i++
		}
	})
}

func BenchmarkSHA256(b *testing.B) {
	secret := generate(b, 1)[0]
	b.ReportAllocs()
	var sum [sha256.Size]byte
	for b.Loop() {
		sum = sha256.Sum256([]byte(secret))
	}
	_ = sum
}

func BenchmarkParse(b *testing.B) {
	secret := generate(b, 1)[0]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tokens.Parse(secret); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticateKnown looks up known tokens in the index, with the usage recorder
// the panel wires in.
func BenchmarkAuthenticateKnown(b *testing.B) {
	svc := benchService(b)
	owner := models.Principal{UserID: "u-bench", Username: "bench"}
	secrets := make([]string, benchTokens)
	for i := range secrets {
		s, _, err := svc.Create(context.Background(), owner, "bench", 0)
		if err != nil {
			b.Fatal(err)
		}
		secrets[i] = s
	}
	b.Run("serial", func(b *testing.B) { authenticateAll(b, svc, secrets, true, false) })
	b.Run("parallel", func(b *testing.B) { authenticateAll(b, svc, secrets, true, true) })
}

// BenchmarkAuthenticateUnknown looks up well-formed tokens nobody created, as an
// attacker spraying guesses sends: the index refuses them from memory, as known ones.
func BenchmarkAuthenticateUnknown(b *testing.B) {
	svc := benchService(b)
	secrets := generate(b, benchTokens)
	b.Run("serial", func(b *testing.B) { authenticateAll(b, svc, secrets, false, false) })
	b.Run("parallel", func(b *testing.B) { authenticateAll(b, svc, secrets, false, true) })
}

// BenchmarkTokensList lists the first page of one user's tokens when the user has 10
// and when they have 10,000: the page is served from the (user_id, created_at, id)
// index, so its cost must not follow the number of tokens. Both list a page of 10, so
// that they return the same amount; "10000/first-100" is the SPA's default page, and
// "10000/unpaged" the whole list as it was read before pages (for comparison only).
func BenchmarkTokensList(b *testing.B) {
	owner := models.Principal{UserID: "u-bench", Username: "bench"}
	for _, d := range testenv.BenchDialects() {
		for _, n := range []int{10, 10000} {
			db := testenv.OpenDB(b, d)
			testenv.SeedTokens(b, db, owner, n)
			testenv.SeedTokens(b, db, models.Principal{UserID: "u-other", Username: "other"}, 1000)
			svc := testenv.TokenService(b, db, tokens.Options{})
			ctx := context.Background()
			list := func(b *testing.B, first, want int) {
				b.ReportAllocs()
				for b.Loop() {
					page, err := svc.List(ctx, owner.UserID, nil, first)
					if err != nil || len(page.Tokens) != want {
						b.Fatalf("page of %d tokens, %v; want %d", len(page.Tokens), err, want)
					}
				}
			}
			b.Run(fmt.Sprintf("%s/%d", d, n), func(b *testing.B) { list(b, 10, 10) })
			if n < 10000 {
				continue
			}
			b.Run(fmt.Sprintf("%s/%d/first-100", d, n), func(b *testing.B) { list(b, 100, 100) })
			b.Run(fmt.Sprintf("%s/%d/unpaged", d, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					var ts []models.Token
					if err := db.Gorm().Where("user_id = ?", owner.UserID).Order("created_at DESC, id").Find(&ts).Error; err != nil || len(ts) != n {
						b.Fatalf("%d tokens, %v", len(ts), err)
					}
				}
			})
		}
	}
}
