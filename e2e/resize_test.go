package e2e_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kaas/internal/apptest"
	"kaas/internal/openstackfake"
	"kaas/internal/testenv"
	"kaas/kube"
)

// resizeOnAFake resizes the provisioned cluster (2 workers) through the API, as its
// admin and the operator would: ursula requests 3 workers and may not approve her own
// request; oscar approves it into a job that creates exactly one server; then oscar
// resizes it to 1 worker at once, and the job drains the two nodes (registered by the
// test in the played first master, playing their kubelets) before deleting their servers.
func resizeOnAFake(t *testing.T, panel *apptest.Panel, op, ursula *apptest.Client, opToken string, fake *openstackfake.Fake, master bootedNode, clusterID, key string) {
	t.Helper()
	workers := func() []string {
		var names []string
		for _, s := range fake.Resources("servers") {
			if name := s["name"].(string); strings.HasPrefix(name, key+"-worker-") {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		return names
	}
	size := func() int {
		var c struct {
			Cluster struct{ Size struct{ Workers int } }
		}
		op.MustDo(`query($id:ID!){cluster(id:$id){size{workers}}}`, map[string]any{"id": clusterID}, &c)
		return c.Cluster.Size.Workers
	}
	if got := workers(); len(got) != 2 {
		t.Fatalf("workers before the resize: %v", got)
	}

	var req struct {
		RequestResize struct{ ID, Status string }
	}
	ursula.MustDo(`mutation($i:ResizeInput!){requestResize(input:$i){id status}}`, map[string]any{"i": map[string]any{
		"clusterId": clusterID, "workers": 3, "reason": "more room for the batch jobs",
	}}, &req)
	if req.RequestResize.Status != "PENDING" {
		t.Fatalf("request: %+v", req.RequestResize)
	}
	if r := ursula.Do(`mutation($id:ID!){approveResize(id:$id){id}}`, map[string]any{"id": req.RequestResize.ID}, nil); r.Code() != "FORBIDDEN" {
		t.Fatalf("a cluster admin approving: %+v, want FORBIDDEN", r.Errors)
	}
	var pending struct {
		ResizeRequests []struct {
			ID, Reason, RequestedBy string
			From                    struct{ Workers int }
		}
	}
	op.MustDo(`{resizeRequests(status:PENDING){id reason requestedBy from{workers}}}`, nil, &pending)
	if len(pending.ResizeRequests) != 1 || pending.ResizeRequests[0].ID != req.RequestResize.ID || pending.ResizeRequests[0].From.Workers != 2 {
		t.Fatalf("the operator's pending requests: %+v", pending.ResizeRequests)
	}
	var approved struct {
		ApproveResize struct {
			Status string
			Job    struct{ ID, Kind string }
		}
	}
	op.MustDo(`mutation($id:ID!){approveResize(id:$id){status job{id kind}}}`, map[string]any{"id": req.RequestResize.ID}, &approved)
	if approved.ApproveResize.Status != "APPROVED" || approved.ApproveResize.Job.Kind != "cluster.resize" {
		t.Fatalf("approval: %+v", approved.ApproveResize)
	}
	if evs := progress(t, panel, opToken, approved.ApproveResize.Job.ID, 0); evs[len(evs)-1].Status != "succeeded" {
		t.Fatalf("resize to 3: %+v", evs)
	}
	if got, want := workers(), []string{key + "-worker-0", key + "-worker-1", key + "-worker-2"}; !slices.Equal(got, want) {
		t.Fatalf("workers after resizing to 3: %v, want %v", got, want)
	}
	if n := size(); n != 3 {
		t.Errorf("recorded size %d, want 3", n)
	}

	// Down to 1: the nodes of workers 1 and 2 (as their kubelets would register them) run
	// a pod each, which the drain evicts.
	cs, _, err := kube.Client(master.cluster.AdminKubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := cs.CoreV1().ServiceAccounts("default").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	nodes := []string{key + "-worker-0", key + "-worker-1", key + "-worker-2"}
	for _, n := range nodes {
		testenv.RegisterNode(t, cs, n)
		if _, err := cs.CoreV1().Pods("default").Create(ctx, testenv.PodOn("app-"+n[len(n)-1:], "default", n, nil, nil), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	testenv.PlayKubelets(t, cs, nodes...)
	var resized struct{ ResizeCluster struct{ ID string } }
	op.MustDo(`mutation($i:ResizeInput!){resizeCluster(input:$i){id}}`, map[string]any{"i": map[string]any{"clusterId": clusterID, "workers": 1}}, &resized)
	if r := op.Do(`mutation($i:ResizeInput!){resizeCluster(input:$i){id}}`, map[string]any{"i": map[string]any{"clusterId": clusterID, "workers": 2}}, nil); r.Code() != "CONFLICT" {
		t.Errorf("a second resize while one runs: %+v, want CONFLICT", r.Errors)
	}
	evs := progress(t, panel, opToken, resized.ResizeCluster.ID, 0)
	if evs[len(evs)-1].Status != "succeeded" {
		t.Fatalf("resize to 1: %+v", evs)
	}
	var log []string
	for _, e := range evs {
		log = append(log, e.Message)
	}
	joined := strings.Join(log, "\n")
	for _, want := range []string{"evicted default/app-2", key + "-worker-2 is drained and deleted", "evicted default/app-1", "server " + key + "-worker-1 is deleted"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the resize job's log lacks %q:\n%s", want, joined)
		}
	}
	if got := workers(); !slices.Equal(got, []string{key + "-worker-0"}) {
		t.Errorf("workers after resizing to 1: %v", got)
	}
	left, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil || len(left.Items) != 1 || left.Items[0].Name != key+"-worker-0" {
		t.Errorf("nodes after resizing to 1: %v, %v", left, err)
	}
	if n := size(); n != 1 {
		t.Errorf("recorded size %d, want 1", n)
	}
	var trail struct {
		AuditEntries struct {
			Entries []struct{ Action, Result string }
		}
	}
	op.MustDo(`query($c:ID){auditEntries(filter:{clusterId:$c}, first:50){entries{action result}}}`, map[string]any{"c": clusterID}, &trail)
	seen := map[string]string{}
	for _, e := range trail.AuditEntries.Entries {
		if strings.HasPrefix(e.Action, "cluster.resize") {
			seen[e.Action] += e.Result + " "
		}
	}
	for _, a := range []string{"cluster.resize-request", "cluster.resize-approve", "cluster.resize"} {
		if !strings.Contains(seen[a], "ok") {
			t.Errorf("audit of %s: %q (all: %v)", a, seen[a], seen)
		}
	}
}
