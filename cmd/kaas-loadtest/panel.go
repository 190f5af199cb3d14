package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	authv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kaas/app"
	"kaas/models"
	"kaas/store"
	"kaas/tokens"
)

// demoUser is a user of the test Keystone (cmd/keystone-seed).
type demoUser struct{ name, password string }

var demoUsers = []demoUser{{"alice", "alice-pass"}, {"oscar", "oscar-pass"}, {"ursula", "ursula-pass"}}

// lookUpUsers logs the first n demo users in through Keystone and returns their
// identities.
func lookUpUsers(ctx context.Context, a *app.App, n int) ([]models.Identity, error) {
	if n < 1 || n > len(demoUsers) {
		return nil, fmt.Errorf("-users must be between 1 and %d (the demo users)", len(demoUsers))
	}
	ids := make([]models.Identity, n)
	for i, u := range demoUsers[:n] {
		id, err := a.Keystone.Authenticate(ctx, u.name, u.password, "")
		if err != nil {
			return nil, fmt.Errorf("log in %s: %w", u.name, err)
		}
		ids[i] = id
	}
	return ids, nil
}

// insertTokens stores n tokens spread round-robin over users directly in the database,
// in batches, and returns the secrets of the first keep of them.
func insertTokens(ctx context.Context, db *store.DB, users []models.Identity, n, keep int) ([]string, error) {
	const batch = 1000 // 10 columns: well under SQLite's and PostgreSQL's parameter limits
	secrets := make([]string, 0, min(n, keep))
	now := time.Now().UTC()
	rows := make([]models.Token, 0, batch)
	for i := 0; i < n; {
		rows = rows[:0]
		for ; i < n && len(rows) < batch; i++ {
			secret, err := tokens.Generate(nil)
			if err != nil {
				return nil, fmt.Errorf("generate token: %w", err)
			}
			h, err := tokens.Parse(secret)
			if err != nil {
				return nil, fmt.Errorf("parse generated token: %w", err)
			}
			u := users[i%len(users)]
			rows = append(rows, models.Token{
				ID: uuid.NewString(), UserID: u.UserID, Username: u.Username, Name: "loadtest-" + strconv.Itoa(i),
				Prefix: tokens.DisplayPrefix(secret), Hash: h[:], CreatedAt: now, ExpiresAt: now.Add(models.MaxTokenLifetime),
			})
			if len(secrets) < keep {
				secrets = append(secrets, secret)
			}
		}
		if err := db.CreateTokens(ctx, rows); err != nil {
			return nil, fmt.Errorf("insert tokens: %w", err)
		}
	}
	return secrets, nil
}

// startBaseline serves the floor of HTTP + JSON on this machine: decode a TokenReview,
// answer a canned authenticated one of the panel's shape, on 127.0.0.1:0.
func startBaseline() (url string, stop func(), err error) {
	answer := authv1.TokenReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "authentication.k8s.io/v1", Kind: "TokenReview"},
		Status: authv1.TokenReviewStatus{
			Authenticated: true,
			User: authv1.UserInfo{
				Username: "alice", UID: "0f3c2b4a9d8e4f6a8b7c6d5e4f3a2b1c",
				Groups: []string{"5f0e5b1c7d2a4c1e9f3b8a6d4e2c1b0a", "9a8b7c6d5e4f40312a1b2c3d4e5f6a7b", "c1d2e3f4a5b64c7d8e9f0a1b2c3d4e5f"},
				Extra:  map[string]authv1.ExtraValue{"kaas.io/token-id": {"0b7e6f52-2c55-4b53-9a57-0b1b4d6f2a10"}},
			},
			Audiences: []string{"https://kubernetes.default.svc"},
		},
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in authv1.TokenReview
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, "the body is not a JSON TokenReview", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(&answer)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen: %w", err)
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	go func() { _ = s.Serve(l) }()
	return "http://" + l.Addr().String() + "/authenticate", func() { s.Close() }, nil
}
