package e2e_test

import (
	"testing"
	"time"

	"kaas/internal/apptest"
	"kaas/internal/testenv"
)

// TestKeystoneFrontClosingIdleConnections points the panel at a front of the real test
// Keystone that closes connections idle for 1 s (testenv.IdleFront: the close crosses the
// panel's next request), then runs a LOCAL cluster's create and delete jobs while users
// log in, one login every 1.2 s so that connections go idle between them (the pauses are
// the load, not a wait). The panel keeps its default Keystone idle timeout (4 s, below
// Apache's 5 s but above this front's 1 s), so requests do meet expired connections, and
// each must be re-sent on a new one: no login and no job step may fail.
//
// The LOCAL cluster reaches the webhook's TLS listener, so no --allow-insecure-webhook.
func TestKeystoneFrontClosingIdleConnections(t *testing.T) {
	front := testenv.NewIdleFront(t, testenv.Keystone(t).AuthURL, time.Second)
	cfg := apptest.Config(t)
	cfg.Keystone.AuthURL = front.URL()
	cfg.KubeBinDir = testenv.Getenv(t, "KAAS_KUBE_BIN_DIR")
	cfg.WebhookAddr = testenv.FreeAddr(t)
	cfg.WebhookTLSCert, cfg.WebhookTLSKey = testenv.SelfSignedCert(t)
	panel := apptest.Start(t, cfg)

	const minLogins = 15
	logins, errs := 0, 0
	users := []string{"alice", "ursula", "oscar"}
	login := func() {
		time.Sleep(1200 * time.Millisecond)
		user := users[logins%len(users)]
		logins++
		if r := panel.Client(t).LoginAs(user, user+"-pass", ""); len(r.Errors) > 0 {
			errs++
			t.Errorf("login %d as %s: %+v", logins, user, r.Errors)
		}
	}
	op := panel.Client(t)
	op.Login("oscar")
	type job struct {
		ID, Status, Error, ClusterID string
		Events                       []struct{ Level, Message string }
	}
	// runJob logs users in until the job has ended and returns it.
	runJob := func(what, id string) job {
		deadline := time.Now().Add(3 * time.Minute)
		for {
			login()
			var out struct{ Job job }
			op.MustDo(`query($id:ID!){job(id:$id){id status error clusterId events(first:500){level message}}}`, map[string]any{"id": id}, &out)
			switch out.Job.Status {
			case "succeeded", "failed", "cancelled":
				for _, ev := range out.Job.Events {
					if ev.Level == "error" {
						errs++
						t.Errorf("%s job: %s", what, ev.Message)
					}
				}
				if out.Job.Status != "succeeded" {
					errs++
					t.Errorf("%s job %s: %s", what, out.Job.Status, out.Job.Error)
				}
				return out.Job
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s job still %s after 3 minutes", what, out.Job.Status)
			}
		}
	}

	name := testenv.RandomName("idle-")
	var created struct{ ProvisionCluster struct{ ID string } }
	op.MustDo(`mutation($i:ProvisionClusterInput!){provisionCluster(input:$i){id}}`, map[string]any{"i": map[string]any{
		"name": name, "baseDomain": "kaas.test", "driver": "LOCAL", "adminUser": "ursula",
	}}, &created)
	createJob := runJob("create", created.ProvisionCluster.ID)
	jobs := 1
	if createJob.ClusterID != "" {
		var deleted struct{ DeleteCluster struct{ ID string } }
		op.MustDo(`mutation($id:ID!){deleteCluster(id:$id){id}}`, map[string]any{"id": createJob.ClusterID}, &deleted)
		runJob("delete", deleted.DeleteCluster.ID)
		jobs++
	}
	for logins < minLogins {
		login()
	}
	t.Logf("behind a front closing idle connections after 1 s: %d logins and %d jobs, %d errors; the front accepted %d connections, %d requests met an expired one (each to be re-sent)",
		logins, jobs, errs, front.Accepted(), front.Expired())
	if front.Expired() == 0 {
		t.Fatal("no request met an expired connection: the front did not test the re-send")
	}
}
