package replicas_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"kaas/internal/replicaset"
)

// refusedWithin polls r until it refuses token and returns how long that took.
func refusedWithin(t *testing.T, r *replicaset.Replica, token string, timeout time.Duration) time.Duration {
	t.Helper()
	return eventually(t, "replica "+r.Name+" refuses the deleted token", timeout, func() error {
		ok, err := review(r, token)
		if err != nil {
			return err
		}
		if ok {
			return errors.New("still authenticated")
		}
		return nil
	})
}

// TestRevocationReachesEveryReplica deletes a token through replica A and checks that B
// and C, whose caches hold it, refuse it; then cuts B's LISTEN connection over and over
// (its backend terminated, as an administrator or a failover would) while a cached token
// is deleted, and checks that B still refuses it within the documented bound (the
// listener's reconnection backoff, at most 5 s: README, "Several replicas").
func TestRevocationReachesEveryReplica(t *testing.T) {
	rs := startReplicas(t, []string{"a", "b", "c"})
	a, b, c := rs[0], rs[1], rs[2]
	browser := client(t, a)
	browser.Login("ursula")
	mustAccept := func(token string) {
		t.Helper()
		for _, r := range rs {
			if ok, err := review(r, token); !ok || err != nil {
				t.Fatalf("replica %s: authenticated=%v err=%v before deletion", r.Name, ok, err)
			}
		}
	}
	del := func(id string) {
		browser.MustDo(`mutation($id:ID!){deleteToken(id:$id)}`, map[string]any{"id": id}, nil)
	}

	secret, id := browser.CreateToken("everywhere")
	mustAccept(secret) // now in every replica's cache
	del(id)
	if ok, err := review(a, secret); ok || err != nil {
		t.Fatalf("replica a (the deleting one): authenticated=%v err=%v", ok, err)
	}
	for _, r := range []*replicaset.Replica{b, c} {
		d := refusedWithin(t, r, secret, 3*time.Second)
		t.Logf("replica %s refused the deleted token %s after the deletion returned", r.Name, d.Round(time.Millisecond))
	}

	// B's listener loses its connection again and again for a while.
	gapped, gappedID := browser.CreateToken("during-the-gap")
	mustAccept(gapped)
	ctx, stopCutting := context.WithCancel(context.Background())
	var cutting sync.WaitGroup
	cuts := 0
	cutting.Go(func() {
		for ctx.Err() == nil {
			n, err := pg.Terminate(context.Background(), "kaas-b/token-revocations")
			if err != nil {
				t.Errorf("terminate: %v", err)
				return
			}
			cuts += n
			time.Sleep(10 * time.Millisecond)
		}
	})
	eventually(t, "the first cut", 5*time.Second, func() error {
		if ok, err := review(b, gapped); !ok || err != nil { // B re-reads it after the flush
			return errors.New("token not accepted by b")
		}
		return nil
	})
	time.Sleep(300 * time.Millisecond)
	del(gappedID)
	time.Sleep(time.Second)
	stopCutting()
	cutting.Wait()
	if cuts == 0 {
		t.Fatal("no listener connection of b was cut")
	}
	d := refusedWithin(t, b, gapped, 8*time.Second)
	t.Logf("after %d cuts of b's listener, b refused the token deleted during the gap %s after the cuts stopped", cuts, d.Round(time.Millisecond))
	refusedWithin(t, c, gapped, time.Second)

	// Notices flow again on b's new connection.
	again, againID := browser.CreateToken("after-the-gap")
	mustAccept(again)
	del(againID)
	refusedWithin(t, b, again, 3*time.Second)
}
