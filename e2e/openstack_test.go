package e2e_test

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"kaas/config"
	"kaas/internal/apptest"
	"kaas/internal/cloudplay"
	"kaas/internal/openstackfake"
	"kaas/internal/testenv"
	"kaas/localcluster"
)

// TestProvisionOpenStackClusterOnAFake provisions a cluster with the openstack driver.
// The cloud's compute, network and load-balancer APIs are a FAKE (internal/openstackfake),
// found through the real Keystone's catalog; Keystone, the kube-apiserver and kubectl are
// real (TestOpenStackClusterOnRealServices has the real cloud). The fake answers the
// second server's creation with a 500, which no real service does on demand: the job
// fails at infrastructure and, retried, goes on from there without making anything twice. The test plays the first master's cloud-init: it takes the CA, service-account
// key and webhook kubeconfig from the user data the panel gave the server, and starts a
// real etcd and kube-apiserver with them behind the fake load balancer's port. So the
// panel's own admin certificate, its per-cluster webhook credential (required here) and
// the assigned admin's kubectl are all proven against a real API server.
func TestProvisionOpenStackClusterOnAFake(t *testing.T) {
	binDir := testenv.Getenv(t, "KAAS_KUBE_BIN_DIR")
	fake := openstackfake.New(t)
	fake.FloatingIP = "127.0.0.1"
	fake.FailCall("POST /compute/servers", 2, 500)
	lb := testenv.NewLoadBalancer(t)
	region := testenv.RandomName("e2e-region-")
	testenv.NewKeystoneAdmin(t).RegisterEndpoints(region, map[string]string{
		"compute": fake.URL() + "/compute/", "network": fake.URL() + "/network/", "load-balancer": fake.URL() + "/lb/",
	})

	cfg := apptest.Config(t)
	cfg.WebhookAddr = testenv.FreeAddr(t)
	cfg.WebhookTLSCert, cfg.WebhookTLSKey = testenv.SelfSignedCert(t)
	cfg.WebhookRequireClusterCredential = true
	cfg.OpenStack = config.OpenStack{Image: "img-kaas-node", Region: region, ExternalNetworkID: "ext-net", SubnetCIDR: "10.20.0.0/24", Masters: 1, APIPort: lb.Port()}
	cfg.Kubeadm = config.Kubeadm{KubernetesVersion: "v1.37.2", PodSubnet: "10.244.0.0/16", ServiceSubnet: "10.96.0.0/12"}
	panel := apptest.Start(t, cfg)
	op := panel.Client(t)
	op.Login("oscar")
	opToken, _ := op.CreateToken("openstack")

	var drivers struct{ ClusterDrivers []string }
	op.MustDo(`{clusterDrivers}`, nil, &drivers)
	if !reflect.DeepEqual(drivers.ClusterDrivers, []string{"EXISTING", "OPENSTACK"}) {
		t.Errorf("clusterDrivers = %v", drivers.ClusterDrivers)
	}

	name := testenv.RandomName("os-")
	var created struct{ ProvisionCluster struct{ ID string } }
	op.MustDo(`mutation($i:ProvisionClusterInput!){provisionCluster(input:$i){id}}`, map[string]any{"i": map[string]any{
		"name": name, "baseDomain": "kaas.test", "driver": "OPENSTACK", "adminUser": "ursula", "size": map[string]any{"workers": 2},
	}}, &created)
	jobState := func() string {
		var j struct {
			Job struct{ Status, StepName, Error string }
		}
		op.MustDo(`query($id:ID!){job(id:$id){status stepName error}}`, map[string]any{"id": created.ProvisionCluster.ID}, &j)
		return j.Job.Status + " at " + j.Job.StepName + ": " + j.Job.Error
	}
	var job struct {
		Job struct{ ClusterID, ClusterName string }
	}
	op.MustDo(`query($id:ID!){job(id:$id){clusterId clusterName}}`, map[string]any{"id": created.ProvisionCluster.ID}, &job)
	if job.Job.ClusterName != name || job.Job.ClusterID == "" {
		t.Fatalf("job's cluster: %+v", job.Job)
	}
	node := bootFirstMaster(t, fake, name, resourceKey(name, job.Job.ClusterID), binDir, lb, jobState)
	eventually(t, "the injected 500 fails the job", time.Minute, func() error {
		if s := jobState(); !strings.HasPrefix(s, "failed at infrastructure: ") || !strings.Contains(s, "500") {
			return errString(s)
		}
		return nil
	})
	op.MustDo(`mutation($id:ID!){retryJob(id:$id){id}}`, map[string]any{"id": created.ProvisionCluster.ID}, nil)
	evs := progress(t, panel, opToken, created.ProvisionCluster.ID, 0)
	if last := evs[len(evs)-1]; last.Status != "succeeded" {
		t.Fatalf("job ended %+v", evs)
	}

	want := []string{
		"POST /network/v2.0/networks", "PUT /network/v2.0/networks/net-1/tags",
		"POST /network/v2.0/subnets", "PUT /network/v2.0/subnets/subnet-2/tags",
		"POST /network/v2.0/routers", "PUT /network/v2.0/routers/router-3/tags",
		"PUT /network/v2.0/routers/router-3/add_router_interface",
		"POST /network/v2.0/ports", "PUT /network/v2.0/ports/port-5/tags", // the VIP
		"POST /lb/v2.0/lbaas/loadbalancers", "POST /network/v2.0/floatingips", "PUT /network/v2.0/floatingips/fip-7/tags",
		"POST /compute/servers",                          // master-0
		"POST /compute/servers",                          // worker-0: the injected 500
		"POST /compute/servers", "POST /compute/servers", // retried: worker-0, worker-1; master-0 is found
		"POST /lb/v2.0/lbaas/listeners", "POST /lb/v2.0/lbaas/pools", "POST /lb/v2.0/lbaas/pools/pool-15/members",
	}
	if got := fake.Mutations(); !reflect.DeepEqual(got, want) {
		t.Fatalf("cloud calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	worker := string(fake.UserData(resourceKey(name, job.Job.ClusterID) + "-worker-1"))
	if !strings.Contains(worker, "kind: JoinConfiguration") || strings.Contains(worker, "ca.key") || !strings.Contains(worker, "sha256:") {
		t.Errorf("worker user data:\n%s", worker)
	}

	var cs struct {
		Clusters []struct {
			ID, Name, APIURL, CaPEM string
			Size                    struct{ Workers int }
		}
	}
	op.MustDo(`{clusters{id name apiURL caPEM size{workers}}}`, nil, &cs)
	var id string
	for _, c := range cs.Clusters {
		if c.Name != name {
			continue
		}
		id = c.ID
		if c.APIURL != "https://127.0.0.1:"+strconv.Itoa(lb.Port()) || c.Size.Workers != 2 || !strings.Contains(node.ca, strings.TrimSpace(c.CaPEM)) {
			t.Errorf("registered %+v", c)
		}
	}
	if id == "" {
		t.Fatalf("cluster %s not registered", name)
	}

	ursula := panel.Client(t)
	ursula.Login("ursula")
	secret, _ := ursula.CreateToken("openstack")
	kubectl := tokenKubectl(t, binDir, "https://127.0.0.1:"+strconv.Itoa(lb.Port()), node.ca, secret)
	eventually(t, "ursula, the assigned admin, runs kubectl as cluster-admin through the per-cluster webhook credential", 30*time.Second, func() error {
		return kubectl("get", "clusterrolebinding", "kaas:default-cluster-admin")
	})

	resizeOnAFake(t, panel, op, ursula, opToken, fake, node, id, resourceKey(name, id))

	abandonedCreateIsCleanedUp(t, panel, op, opToken, fake)

	deleteClusterByJob(t, panel, op, opToken, id)
	if n := fake.Left(); n != 0 {
		t.Errorf("%d cloud resources left after delete: %v", n, fake.Mutations())
	}
	if _, err := panel.App.Keystone.RoleByName(context.Background(), name+"-cluster-admin"); err == nil {
		t.Error("the Keystone admin role still exists")
	}
}

// resourceKey is how the openstack driver names a cluster's cloud resources: its name
// and the first 8 hex digits of its ID.
func resourceKey(name, clusterID string) string {
	return name + "-" + strings.ReplaceAll(clusterID, "-", "")[:8]
}

// abandonedCreateIsCleanedUp provisions a second cluster whose nodes never boot, so its
// job waits for the API: deleting it is CONFLICT while the job runs; once the job is
// cancelled, deleteCluster with the job's clusterId removes what it made in the cloud and
// in Keystone, and nothing of the other cluster.
func abandonedCreateIsCleanedUp(t *testing.T, panel *apptest.Panel, op *apptest.Client, opToken string, fake *openstackfake.Fake) {
	t.Helper()
	name := testenv.RandomName("os-gone-")
	var created struct{ ProvisionCluster struct{ ID string } }
	op.MustDo(`mutation($i:ProvisionClusterInput!){provisionCluster(input:$i){id}}`, map[string]any{"i": map[string]any{
		"name": name, "baseDomain": "kaas.test", "driver": "OPENSTACK", "adminUser": "ursula", "size": map[string]any{"workers": 1},
	}}, &created)
	jobID := created.ProvisionCluster.ID
	var job struct {
		Job struct{ ClusterID, Status, StepName string }
	}
	get := func() {
		op.MustDo(`query($id:ID!){job(id:$id){clusterId status stepName}}`, map[string]any{"id": jobID}, &job)
	}
	serversBefore := len(fake.Resources("servers"))
	eventually(t, "the second cluster's job waits for its API", time.Minute, func() error {
		if get(); job.Job.StepName != "wait-for-api" {
			return errString("job at " + job.Job.StepName + ", " + job.Job.Status)
		}
		return nil
	})
	if got := len(fake.Resources("servers")); got != serversBefore+2 {
		t.Fatalf("%d servers, want %d", got, serversBefore+2)
	}
	del := func() apptest.Response {
		return op.Do(`mutation($id:ID!){deleteCluster(id:$id){id}}`, map[string]any{"id": job.Job.ClusterID}, nil)
	}
	if r := del(); r.Code() != "CONFLICT" {
		t.Fatalf("deleting a cluster still being created: %+v, want CONFLICT", r.Errors)
	}
	op.MustDo(`mutation($id:ID!){cancelJob(id:$id){id}}`, map[string]any{"id": jobID}, nil)
	eventually(t, "the job is cancelled", time.Minute, func() error {
		if get(); job.Job.Status != "cancelled" {
			return errString("job " + job.Job.Status)
		}
		return nil
	})
	if _, err := panel.App.Keystone.RoleByName(context.Background(), name+"-cluster-admin"); err != nil {
		t.Fatalf("the cancelled job's role: %v", err)
	}
	deleteClusterByJob(t, panel, op, opToken, job.Job.ClusterID)
	for _, s := range fake.Resources("servers") {
		if strings.HasPrefix(s["name"].(string), name) {
			t.Errorf("server %s left", s["name"])
		}
	}
	if got := len(fake.Resources("servers")); got != serversBefore {
		t.Errorf("%d servers after the clean-up, want the other cluster's %d", got, serversBefore)
	}
	if _, err := panel.App.Keystone.RoleByName(context.Background(), name+"-cluster-admin"); err == nil {
		t.Error("the cancelled job's Keystone role is still there")
	}
	if r := del(); r.Code() != "NOT_FOUND" {
		t.Errorf("deleting it again: %+v, want NOT_FOUND", r.Errors)
	}
}

// bootedNode is the first master as the test started it.
type bootedNode struct {
	cluster *localcluster.Cluster
	ca      string
}

// bootFirstMaster waits for the panel to create the cluster's first master, then plays
// it (internal/cloudplay: what its cloud-init would do for the API, with the panel's CA,
// service-account key and webhook kubeconfig from the user data, a real etcd and
// kube-apiserver) and routes the load balancer to it.
func bootFirstMaster(t *testing.T, fake *openstackfake.Fake, name, key, binDir string, lb *testenv.TCPProxy, jobState func() string) bootedNode {
	t.Helper()
	var userData []byte
	eventually(t, "the panel creates "+key+"-master-0", 2*time.Minute, func() error {
		if userData = fake.UserData(key + "-master-0"); len(userData) == 0 {
			return errString("no server yet; the job is " + jobState())
		}
		return nil
	})
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	m, err := cloudplay.BootFirstMaster(ctx, userData, binDir, dir, name)
	if err != nil {
		t.Fatalf("boot the first master: %v", err)
	}
	t.Cleanup(func() {
		m.Cluster.Stop()
		testenv.KeepLogs(t, dir)
	})
	if !strings.Contains(m.WebhookKubeconfig, "/authenticate/"+name) || !strings.Contains(m.WebhookKubeconfig, "kaaswh_") {
		t.Fatalf("webhook kubeconfig of the master:\n%s", m.WebhookKubeconfig)
	}
	lb.SetTarget(strings.TrimPrefix(m.Cluster.APIURL(), "https://"))
	return bootedNode{cluster: m.Cluster, ca: m.CA}
}
