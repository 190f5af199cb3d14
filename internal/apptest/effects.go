package apptest

import (
	"context"
	"strings"
	"testing"

	"kaas/internal/testenv"
	"kaas/localcluster"
)

// CreateSteps are the steps of a cluster.create job, in order.
var CreateSteps = []string{"validate", "keystone-admin-role", "infrastructure", "wait-for-api", "addons", "bootstrap", "register"}

// CheckCreatedOnce checks what a finished cluster.create job of the named cluster left,
// after any number of crashes and resumptions: every step recorded done once (done counts
// the "step done" events by step), one Keystone admin role, one registered cluster, and on
// the cluster kc one default admin binding and one daily Velero schedule.
func CheckCreatedOnce(t testing.TB, op *Client, kc *localcluster.Cluster, name string, done map[string]int) {
	t.Helper()
	for _, step := range CreateSteps {
		if done[step] != 1 {
			t.Errorf("step %s recorded done %d times", step, done[step])
		}
	}
	if n := testenv.NewKeystoneAdmin(t).RolesNamed(name + "-cluster-admin"); n != 1 {
		t.Errorf("%d Keystone roles named %s-cluster-admin, want 1", n, name)
	}
	var cs struct{ Clusters []struct{ Name string } }
	op.MustDo(`{clusters{name}}`, nil, &cs)
	registered := 0
	for _, c := range cs.Clusters {
		if c.Name == name {
			registered++
		}
	}
	if registered != 1 {
		t.Errorf("cluster registered %d times", registered)
	}
	for what, args := range map[string][]string{
		"one default admin binding": {"get", "clusterrolebindings", "-l", "app.kubernetes.io/managed-by=kaas-panel", "-o", "name"},
		"one daily schedule":        {"get", "schedules.velero.io", "-n", "velero", "-o", "name"},
	} {
		out, stderr, err := kc.Kubectl(context.Background(), "", args...)
		if err != nil || len(strings.Fields(out)) != 1 {
			t.Errorf("%s: %q %v %s", what, out, err, stderr)
		}
	}
}
