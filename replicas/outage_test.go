package replicas_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"kaas/internal/replicaset"
	"kaas/internal/testenv"
	"kaas/tokens"
)

// TestPostgresRestart stops the database server while three replicas serve and a job
// runs, checks that every replica reports not ready while it is away (while a token known
// before keeps authenticating from memory), starts it again,
// and checks that every replica recovers by itself: ready again, the job finished with
// every event and side effect once, revocation notices flowing again.
func TestPostgresRestart(t *testing.T) {
	kc := startKube(t)
	rs := startReplicas(t, []string{"a", "b", "c"}, "--fault-pause-after-step", "2s", "--job-lease", "3s")
	a, b, c := rs[0], rs[1], rs[2]
	op := client(t, a)
	op.Login("oscar")
	secret, tokenID := op.CreateToken("across-the-restart")
	name := testenv.RandomName("restart-")
	id := provision(t, op, kc, name)
	eventually(t, "the job is past its Keystone step", 2*time.Minute, func() error {
		job, err := readJob(op, id)
		if err != nil {
			return err
		}
		for _, ev := range job.Events {
			if ev.Step == "keystone-admin-role" && ev.Message == "step done" {
				return nil
			}
		}
		return fmt.Errorf("job %s", job.Status)
	})

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			_ = pg.Start() // for the package's next tests
		}
	})
	for _, r := range rs {
		d := eventually(t, "replica "+r.Name+" not ready while the database is down", 15*time.Second, func() error {
			if ready, _ := r.Ready(); ready {
				return errors.New("still ready")
			}
			return nil
		})
		t.Logf("replica %s not ready %s after the stop", r.Name, d.Round(time.Millisecond))
	}
	// A token known before the outage authenticates from memory (--token-store-stale-window);
	// one never seen cannot be checked: an error, which kube-apiserver does not cache.
	if ok, err := review(b, secret); !ok || err != nil {
		t.Fatalf("review of a known token with the database down: authenticated=%v err=%v; want it authenticated from memory", ok, err)
	}
	unknown, err := tokens.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := review(b, unknown); ok || err == nil {
		t.Fatalf("review of a never-seen token with the database down: authenticated=%v err=%v; want an error (not cached by kube-apiserver)", ok, err)
	}
	time.Sleep(3 * time.Second) // the job's lease runs out meanwhile
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	restarted = true
	started := time.Now()
	var wg sync.WaitGroup
	for _, r := range rs {
		wg.Go(func() {
			if err := r.WaitReady(time.Minute); err != nil {
				t.Errorf("after the restart: %v", err)
				return
			}
			t.Logf("replica %s ready %s after the server started again", r.Name, time.Since(started).Round(time.Millisecond))
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	var job *jobState
	eventually(t, "the job finishes after the restart", 2*time.Minute, func() error {
		var err error
		if job, err = readJob(op, id); err != nil || job.Status != "succeeded" {
			return fmt.Errorf("job %+v %v", job, err)
		}
		return nil
	})
	checkSideEffectsOnce(t, op, kc, name, job)

	for _, r := range rs {
		if ok, err := review(r, secret); !ok || err != nil {
			t.Fatalf("replica %s after the restart: authenticated=%v err=%v", r.Name, ok, err)
		}
	}
	op.MustDo(`mutation($id:ID!){deleteToken(id:$id)}`, map[string]any{"id": tokenID}, nil)
	for _, r := range []*replicaset.Replica{b, c} {
		refusedWithin(t, r, secret, 8*time.Second)
	}
}

// TestLocalClustersRestoredByOneReplica provisions a LOCAL cluster, kills every replica
// (the cluster's processes end with the one that ran them), starts all three at once and
// checks that exactly one of them restarts the cluster while the other two, waiting for
// the lock, find it running.
func TestLocalClustersRestoredByOneReplica(t *testing.T) {
	rs := startReplicas(t, []string{"a", "b", "c"}, "--kube-bin-dir", kubeBinDir(t), "--allow-insecure-webhook") // the LOCAL cluster reaches the replicas over loopback http
	op := client(t, rs[0])
	op.Login("oscar")
	name := testenv.RandomName("local-")
	var created struct{ ProvisionCluster struct{ ID string } }
	op.MustDo(`mutation($i:ProvisionClusterInput!){provisionCluster(input:$i){id}}`, map[string]any{"i": map[string]any{
		"name": name, "baseDomain": "kaas.test", "driver": "LOCAL", "adminUser": "ursula",
	}}, &created)
	eventually(t, "the LOCAL cluster is provisioned", 3*time.Minute, func() error {
		if job, err := readJob(op, created.ProvisionCluster.ID); err != nil || job.Status != "succeeded" {
			return fmt.Errorf("job %+v %v", job, err)
		}
		return nil
	})
	for _, r := range rs {
		r.Kill()
	}
	for _, r := range rs {
		if err := r.Launch(); err != nil {
			t.Fatal(err)
		}
	}
	const checked = `"msg":"local clusters checked"`
	for _, r := range rs {
		eventually(t, "replica "+r.Name+" has checked the local clusters after the restart", 3*time.Minute, func() error {
			if n := r.CountLog(checked); n < 2 {
				return fmt.Errorf("%d checks", n)
			}
			return nil
		})
	}
	restorers := 0
	for _, r := range rs {
		if r.CountLog(checked, `"restored":1`) == 1 {
			restorers++
			t.Logf("replica %s restored the cluster", r.Name)
		}
	}
	if restorers != 1 {
		t.Fatalf("%d replicas restored the LOCAL cluster, want exactly 1", restorers)
	}
	var cs struct {
		Clusters []struct {
			Name   string
			Health struct{ Healthy bool }
		}
	}
	eventually(t, "the restored cluster is healthy", time.Minute, func() error {
		op.MustDo(`{clusters{name health{healthy}}}`, nil, &cs)
		for _, c := range cs.Clusters {
			if c.Name == name && c.Health.Healthy {
				return nil
			}
		}
		return fmt.Errorf("clusters %+v", cs.Clusters)
	})
	for _, r := range rs { // the local cluster's processes end with their replica
		r.Stop()
	}
}
