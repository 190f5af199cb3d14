package e2e_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gqlclient "github.com/99designs/gqlgen/client"

	"kaas/internal/apptest"
	"kaas/internal/testenv"
)

type jobEvent struct {
	Seq     int
	Step    string
	Percent int
	Level   string
	Message string
	Status  string
}

// progress subscribes to a job over the websocket and collects events until the job
// ends (the server completes the subscription).
func progress(t *testing.T, panel *apptest.Panel, bearer, jobID string, after int) []jobEvent {
	t.Helper()
	c := gqlclient.New(panel.App.Handler(), gqlclient.Path("/graphql"), gqlclient.AddHeader("Authorization", "Bearer "+bearer))
	sub := c.Websocket(`subscription($id:ID!,$after:Int){jobProgress(jobId:$id,after:$after){seq step percent level message status}}`,
		gqlclient.Var("id", jobID), gqlclient.Var("after", after))
	defer sub.Close()
	done := make(chan []jobEvent, 1)
	go func() {
		var evs []jobEvent
		for {
			var resp struct{ JobProgress jobEvent }
			if err := sub.Next(&resp); err != nil {
				if !strings.Contains(err.Error(), "complete") {
					t.Errorf("subscription: %v", err)
				}
				done <- evs
				return
			}
			evs = append(evs, resp.JobProgress)
		}
	}()
	select {
	case evs := <-done:
		return evs
	case <-time.After(3 * time.Minute):
		t.Fatal("the job did not end within 3 minutes")
		return nil
	}
}

// tokenKubectl returns a kubectl that talks to apiURL, trusting caPEM, as the token's user.
func tokenKubectl(t *testing.T, binDir, apiURL, caPEM, token string) func(args ...string) error {
	t.Helper()
	caFile := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(caFile, []byte(caPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(args ...string) error {
		out, err := exec.Command(filepath.Join(binDir, "kubectl"), append([]string{"--server", apiURL,
			"--certificate-authority", caFile, "--token", token, "--kubeconfig", os.DevNull}, args...)...).CombinedOutput()
		if err != nil {
			return errString(err.Error() + ": " + string(out))
		}
		return nil
	}
}

// deleteClusterByJob deletes the cluster through its job and waits for the job to succeed.
func deleteClusterByJob(t *testing.T, panel *apptest.Panel, op *apptest.Client, opToken, clusterID string) {
	t.Helper()
	var deleted struct{ DeleteCluster struct{ ID string } }
	op.MustDo(`mutation($id:ID!){deleteCluster(id:$id){id}}`, map[string]any{"id": clusterID}, &deleted)
	if devs := progress(t, panel, opToken, deleted.DeleteCluster.ID, 0); devs[len(devs)-1].Status != "succeeded" {
		t.Fatalf("delete job: %+v", devs)
	}
}

// TestProvisionExistingCluster provisions an existing cluster through a durable job whose
// progress streams over the GraphQL subscription, checks every side effect on the real
// Keystone and kube-apiserver (the assigned user then runs kubectl as cluster-admin), and
// deletes it again.
func TestProvisionExistingCluster(t *testing.T) {
	panel := apptest.Start(t, apptest.Config(t))
	kc := startCluster(t, t.TempDir(), "prov", plainWebhook(t, panel.URL), "")
	if _, stderr, err := kc.Kubectl(context.Background(), "", "apply", "-f", filepath.Join("testdata", "velero-crds.yaml")); err != nil {
		t.Fatalf("apply Velero CRDs: %v %s", err, stderr)
	}
	op := panel.Client(t)
	op.Login("oscar")
	opToken, _ := op.CreateToken("provisioning")
	name := testenv.RandomName("prov-")

	provision := func(input map[string]any) apptest.Response {
		return op.Do(`mutation($i:ProvisionClusterInput!){provisionCluster(input:$i){id status}}`, map[string]any{"i": input}, nil)
	}
	base := map[string]any{"name": name, "baseDomain": "kaas.test", "driver": "EXISTING", "adminUser": "ursula", "kubeconfig": string(kc.AdminKubeconfig())}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for key, val := range base {
			m[key] = val
		}
		m[k] = v
		return m
	}
	for caseName, input := range map[string]map[string]any{
		"invalid name":                    with("name", "Bad_Name"),
		"unknown user":                    with("adminUser", "nobody-"+name),
		"garbage kubeconfig":              with("kubeconfig", "garbage: ["),
		"bad domain":                      with("baseDomain", "not a domain"),
		"zero workers":                    with("size", map[string]any{"workers": 0}),
		"absurd RAM":                      with("size", map[string]any{"workerRamGb": 100000}),
		"openstack driver not configured": with("driver", "OPENSTACK"),
	} {
		if r := provision(input); r.Code() != "INVALID" {
			t.Errorf("%s: %+v, want INVALID", caseName, r.Errors)
		}
	}
	var jobs struct{ Jobs []struct{ ID string } }
	op.MustDo(`{jobs{id}}`, nil, &jobs)
	if len(jobs.Jobs) != 0 {
		t.Fatalf("bad input created jobs: %+v", jobs)
	}

	var created struct{ ProvisionCluster struct{ ID, Status string } }
	op.MustDo(`mutation($i:ProvisionClusterInput!){provisionCluster(input:$i){id status}}`, map[string]any{"i": base}, &created)
	jobID := created.ProvisionCluster.ID

	evs := progress(t, panel, opToken, jobID, 0)
	if len(evs) < 6 {
		t.Fatalf("only %d events: %+v", len(evs), evs)
	}
	for i, ev := range evs {
		if ev.Seq != i+1 {
			t.Fatalf("event %d has seq %d: gaps or duplicates in %+v", i, ev.Seq, evs)
		}
	}
	last := evs[len(evs)-1]
	if last.Status != "succeeded" || last.Percent != 100 {
		t.Fatalf("last event %+v, want succeeded at 100%%", last)
	}
	steps := map[string]bool{}
	for _, ev := range evs {
		steps[ev.Step] = true
	}
	for _, s := range []string{"validate", "keystone-admin-role", "infrastructure", "wait-for-api", "addons", "bootstrap", "register"} {
		if !steps[s] {
			t.Errorf("no event from step %s", s)
		}
	}

	// A subscriber that reconnects after seq 3 gets the rest, replayed.
	if replay := progress(t, panel, opToken, jobID, 3); len(replay) != len(evs)-3 || replay[0].Seq != 4 {
		t.Fatalf("replay after 3: %d events from seq %d, want %d from 4", len(replay), replay[0].Seq, len(evs)-3)
	}

	if r := provision(base); r.Code() != "INVALID" {
		t.Errorf("duplicate name: %+v", r.Errors)
	}

	for what, args := range map[string][]string{
		"system namespace":      {"get", "namespace", "kaas-system"},
		"default admin binding": {"get", "clusterrolebinding", "kaas:default-cluster-admin"},
		"daily backup schedule": {"get", "schedules.velero.io", "-n", "velero", "kaas-daily"},
	} {
		if _, stderr, err := kc.Kubectl(context.Background(), "", args...); err != nil {
			t.Errorf("%s: %v %s", what, err, stderr)
		}
	}

	// ursula was made the cluster's admin: her token works as cluster-admin.
	ursula := panel.Client(t)
	ursula.Login("ursula")
	var clusters struct{ Clusters []struct{ ID, Name string } }
	ursula.MustDo(`{clusters{id name}}`, nil, &clusters)
	clusterID := ""
	for _, c := range clusters.Clusters {
		if c.Name == name {
			clusterID = c.ID
		}
	}
	if clusterID == "" {
		t.Fatalf("the cluster is not registered: %+v", clusters)
	}
	var v struct{ SelectCluster struct{ IsClusterAdmin bool } }
	ursula.MustDo(`mutation($id:ID!){selectCluster(id:$id){isClusterAdmin}}`, map[string]any{"id": clusterID}, &v)
	if !v.SelectCluster.IsClusterAdmin {
		t.Fatal("ursula is not the cluster's admin")
	}
	secret, _ := ursula.CreateToken("kubectl")
	eventually(t, "ursula runs kubectl as cluster-admin", 30*time.Second, func() error {
		_, stderr, err := kc.Kubectl(context.Background(), secret, "get", "clusterrolebindings")
		if err != nil {
			return errorWith(err, stderr)
		}
		return nil
	})

	deleteClusterByJob(t, panel, op, opToken, clusterID)
	ursula.MustDo(`{clusters{id name}}`, nil, &clusters)
	for _, c := range clusters.Clusters {
		if c.Name == name {
			t.Fatal("the cluster is still registered")
		}
	}
	if _, _, err := kc.Kubectl(context.Background(), "", "get", "clusterrolebinding", "kaas:default-cluster-admin"); err == nil {
		t.Error("the default admin binding is still on the cluster")
	}
	if _, err := panel.App.Keystone.RoleByName(context.Background(), name+"-cluster-admin"); err == nil {
		t.Error("the Keystone admin role still exists")
	} else if !strings.Contains(err.Error(), "not found") {
		t.Errorf("role lookup: %v", err)
	}
}

// TestProvisionLocalCluster provisions a cluster with the local driver: the panel starts
// a real etcd and kube-apiserver wired to its own webhook, the assigned admin's token
// runs kubectl there as cluster-admin, and deleting the cluster stops the processes and
// removes the Keystone role.
func TestProvisionLocalCluster(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.KubeBinDir = testenv.Getenv(t, "KAAS_KUBE_BIN_DIR")
	// The cluster reaches the panel's plain-http webhook on loopback.
	cfg.AllowInsecureWebhook = true
	panel := apptest.Start(t, cfg)
	op := panel.Client(t)
	op.Login("oscar")
	opToken, _ := op.CreateToken("provisioning")
	name := testenv.RandomName("loc-")

	var created struct{ ProvisionCluster struct{ ID string } }
	op.MustDo(`mutation($i:ProvisionClusterInput!){provisionCluster(input:$i){id}}`, map[string]any{"i": map[string]any{
		"name": name, "baseDomain": "kaas.test", "driver": "LOCAL", "adminUser": "ursula",
	}}, &created)
	evs := progress(t, panel, opToken, created.ProvisionCluster.ID, 0)
	if last := evs[len(evs)-1]; last.Status != "succeeded" {
		t.Fatalf("job ended %+v", evs)
	}

	ursula := panel.Client(t)
	ursula.Login("ursula")
	var cs struct {
		Clusters []struct{ ID, Name, APIURL, CaPEM string }
	}
	ursula.MustDo(`{clusters{id name apiURL caPEM}}`, nil, &cs)
	var id, apiURL, ca string
	for _, c := range cs.Clusters {
		if c.Name == name {
			id, apiURL, ca = c.ID, c.APIURL, c.CaPEM
		}
	}
	if id == "" {
		t.Fatalf("cluster %s not registered: %+v", name, cs)
	}
	secret, _ := ursula.CreateToken("local")
	kubectl := tokenKubectl(t, cfg.KubeBinDir, apiURL, ca, secret)
	eventually(t, "ursula, the assigned admin, runs kubectl as cluster-admin", 30*time.Second, func() error {
		return kubectl("get", "clusterrolebinding", "kaas:default-cluster-admin")
	})
	viewGrantsReading(t, panel, ursula, id, cfg.KubeBinDir, apiURL, ca)
	addonsApplied(t, ursula, id, evs, kubectl)

	deleteClusterByJob(t, panel, op, opToken, id)
	if err := kubectl("get", "ns", "--request-timeout=3s"); err == nil {
		t.Fatal("the deleted cluster's API still answers")
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "local-clusters", name)); !os.IsNotExist(err) {
		t.Fatalf("the cluster's state is still there: %v", err)
	}
	if _, err := panel.App.Keystone.RoleByName(context.Background(), name+"-cluster-admin"); err == nil {
		t.Error("the Keystone admin role still exists")
	}
}

// viewGrantsReading binds the aggregated ClusterRole view to a fresh Keystone role
// through createBinding, as the cluster's admin: a user holding the role can list
// namespaces and cannot create one. view has rules only where kube-controller-manager
// runs, so this proves the LOCAL cluster runs it.
func viewGrantsReading(t *testing.T, panel *apptest.Panel, admin *apptest.Client, clusterID, binDir, apiURL, ca string) {
	t.Helper()
	ks := testenv.NewKeystoneAdmin(t)
	roleName := testenv.RandomName("viewers-")
	roleID := ks.CreateRole(roleName)
	userName := testenv.RandomName("viewer-")
	userID := ks.CreateUser(userName, userName+"-pass")
	ks.AssignRole(userID, roleID)

	var roles struct{ KubernetesRoles, EmptyKubernetesRoles []string }
	admin.MustDo(`query($c:ID){kubernetesRoles(clusterId:$c) emptyKubernetesRoles(clusterId:$c)}`, map[string]any{"c": clusterID}, &roles)
	if !slices.Contains(roles.KubernetesRoles, "view") || slices.Contains(roles.EmptyKubernetesRoles, "view") {
		t.Fatalf("view is not offered as a role that grants something: %+v", roles)
	}
	admin.MustDo(`mutation($i:CreateBindingInput!){createBinding(input:$i){id}}`, map[string]any{"i": map[string]any{
		"clusterId": clusterID, "name": "viewers", "roleName": "view", "subjectKind": "KEYSTONE_ROLE", "subjectId": roleID,
	}}, nil)

	viewer := panel.Client(t)
	if r := viewer.LoginAs(userName, userName+"-pass", ""); len(r.Errors) > 0 {
		t.Fatalf("viewer login: %+v", r.Errors)
	}
	secret, _ := viewer.CreateToken("view")
	kubectl := tokenKubectl(t, binDir, apiURL, ca, secret)
	eventually(t, "a holder of the role bound to view lists namespaces", 30*time.Second, func() error {
		return kubectl("get", "ns")
	})
	if err := kubectl("create", "ns", "not-allowed"); err == nil || !strings.Contains(err.Error(), "forbidden") {
		t.Fatalf("a viewer created a namespace: %v", err)
	}
}

// addonsApplied checks that the create job's addons step applied the whole catalog: every
// add-on at its latest version, Velero's API there in time
// for the bootstrap's daily schedule, and (no nodes) none of them UP.
func addonsApplied(t *testing.T, admin *apptest.Client, clusterID string, evs []jobEvent, kubectl func(args ...string) error) {
	t.Helper()
	stepped := false
	for _, ev := range evs {
		stepped = stepped || (ev.Step == "addons" && strings.HasPrefix(ev.Message, "ingress 1.12.1: "))
	}
	if !stepped {
		t.Errorf("no addons step event for ingress: %+v", evs)
	}
	as := addonsOf(t, admin, clusterID)
	if len(as) != 7 {
		t.Errorf("%d add-ons: %+v", len(as), as)
	}
	for name, a := range as {
		if a.InstalledVersion == nil || (a.Status != "DOWN" && a.Status != "PROGRESSING") {
			t.Errorf("%s on a cluster without nodes: %+v", name, a)
		}
	}
	if err := kubectl("get", "schedules.velero.io", "-n", "velero", "kaas-daily"); err != nil {
		t.Errorf("the daily backup schedule: %v", err)
	}
	if err := kubectl("get", "deployment", "-n", "kaas-ingress", "ingress-nginx-controller"); err != nil {
		t.Errorf("the ingress controller: %v", err)
	}
}
