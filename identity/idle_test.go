package identity_test

import (
	"context"
	"testing"
	"time"

	"kaas/identity"
	"kaas/internal/testenv"
)

// TestKeystoneBehindAFrontThatClosesIdleConnections logs in and looks users up through a
// front of the real test Keystone that closes connections idle for 1 s, with a pause of
// more than 1 s before each call (what makes connections idle is the point, so the pauses
// are the load, not a wait for anything). With the idle timeout below the front's, no
// request ever meets an expired connection; above it (the default 4 s against this
// short-fused front), requests meet them and are re-sent on a new connection. Either
// way: no error.
func TestKeystoneBehindAFrontThatClosesIdleConnections(t *testing.T) {
	env := testenv.Keystone(t)
	const rounds = 6
	cases := []struct {
		name        string
		idle        time.Duration
		wantExpired bool
	}{
		{"idle timeout below the front's", 500 * time.Millisecond, false},
		{"default idle timeout above the front's: re-sent", 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			front := testenv.NewIdleFront(t, env.AuthURL, time.Second)
			k, err := identity.New(identity.Options{AuthURL: front.URL(), Username: env.Username, Password: env.Password,
				ProjectName: env.ProjectName, Timeout: 10 * time.Second, IdleTimeout: tc.idle})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			errs := 0
			for i := range rounds {
				time.Sleep(1200 * time.Millisecond)
				id, err := k.Authenticate(ctx, "ursula", "ursula-pass", "")
				if err != nil {
					errs++
					t.Errorf("login %d: %v", i, err)
					continue
				}
				time.Sleep(1200 * time.Millisecond)
				if _, err := k.User(ctx, id.UserID); err != nil {
					errs++
					t.Errorf("user lookup %d: %v", i, err)
				}
			}
			t.Logf("%d logins and %d lookups: %d errors; the front accepted %d connections, %d requests met an expired one",
				rounds, rounds, errs, front.Accepted(), front.Expired())
			if got := front.Expired() > 0; got != tc.wantExpired {
				want := map[bool]string{true: "some", false: "none"}[tc.wantExpired]
				t.Fatalf("%d requests met an expired connection, want %s", front.Expired(), want)
			}
		})
	}
}
