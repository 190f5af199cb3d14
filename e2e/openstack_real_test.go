package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/listeners"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"

	"kaas/config"
	"kaas/internal/apptest"
	"kaas/internal/testenv"
)

// realCloud are the service clients of the real OpenStack of the test run.
type realCloud struct {
	compute, network, lb *gophercloud.ServiceClient
}

func newRealCloud(t *testing.T, env testenv.OpenStackEnv) realCloud {
	t.Helper()
	p, err := env.Provider(context.Background())
	if err != nil {
		t.Fatalf("log in to the OpenStack: %v", err)
	}
	eo := gophercloud.EndpointOpts{Region: "RegionOne"}
	var c realCloud
	if c.compute, err = openstack.NewComputeV2(p, eo); err != nil {
		t.Fatal(err)
	}
	if c.network, err = openstack.NewNetworkV2(p, eo); err != nil {
		t.Fatal(err)
	}
	if c.lb, err = openstack.NewLoadBalancerV2(p, eo); err != nil {
		t.Fatal(err)
	}
	return c
}

// panelEnv is the environment of a panel whose Keystone is the OpenStack's own, as in a
// real cloud: its catalog leads the driver to Nova, Neutron and Octavia.
func panelEnv(env testenv.OpenStackEnv) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OS_") {
			out = append(out, kv)
		}
	}
	return append(out, "OS_AUTH_URL="+env.AuthURL, "OS_USERNAME="+env.Username, "OS_PASSWORD="+env.Password,
		"OS_PROJECT_NAME="+env.ProjectName, "OS_DOMAIN_NAME=Default")
}

// realConfig is an in-process panel's configuration for the real OpenStack.
func realConfig(t *testing.T, env testenv.OpenStackEnv) config.Config {
	cfg := apptest.Config(t)
	cfg.Keystone.AuthURL, cfg.Keystone.Username, cfg.Keystone.Password, cfg.Keystone.ProjectName = env.AuthURL, env.Username, env.Password, env.ProjectName
	cfg.Keystone.Timeout = time.Minute // the cloud's requests too: see TestOpenStackClusterOnRealServices
	cfg.WebhookAddr = testenv.FreeAddr(t)
	cfg.WebhookTLSCert, cfg.WebhookTLSKey = testenv.SelfSignedCert(t)
	cfg.OpenStack = config.OpenStack{Image: env.ImageID, Region: "RegionOne", ExternalNetworkID: env.ExternalNetworkID, SubnetCIDR: "10.20.0.0/24", Masters: 1, APIPort: 6443}
	cfg.Kubeadm = config.Kubeadm{KubernetesVersion: "v1.37.2", PodSubnet: "10.244.0.0/16", ServiceSubnet: "10.96.0.0/12"}
	return cfg
}

// TestOpenStackClusterOnRealServices provisions an OPENSTACK cluster in the real
// OpenStack (scripts/openstack.sh: Nova with its fake virt driver, Neutron ML2, Octavia
// with noop backends), killing the panel with SIGKILL inside the infrastructure step and
// restarting it: the network, subnet, router, VIP port, floating IP, load balancer with
// listener, pool and member, and the servers of the smallest fitting flavor each exist
// once. The nodes cannot boot, so the job waits for the API; it is cancelled and the
// cluster deleted, with another SIGKILL inside remove-infrastructure: nothing of it is
// left in Nova, Neutron or Octavia, by name or by tag.
func TestOpenStackClusterOnRealServices(t *testing.T) {
	t.Parallel() // minutes of waiting on the cloud, with the test below
	env := testenv.OpenStack(t)
	cloud := newRealCloud(t, env)
	dir := t.TempDir()
	bin := buildPanel(t, dir)
	addr := testenv.FreeAddr(t)
	cert, key := testenv.SelfSignedCert(t)
	logFile, err := os.Create(filepath.Join(dir, "panel.log"))
	if err != nil {
		t.Fatal(err)
	}
	p := &panelProcess{t: t, bin: bin, log: logFile, url: "http://" + addr, env: panelEnv(env), args: []string{
		"--addr", addr, "--data-dir", filepath.Join(dir, "data"), "--public-url", "http://" + addr,
		"--job-lease", "2s", "--fault-pause-after-step", "3s", "--role-scope", "project:demo@Default",
		"--webhook-addr", testenv.FreeAddr(t), "--webhook-tls-cert", cert, "--webhook-tls-key", key,
		"--openstack-image", env.ImageID, "--openstack-region", "RegionOne", "--openstack-external-network", env.ExternalNetworkID,
		"--kubernetes-version", "v1.37.2",
		// One cloud request may take over 10 s on a loaded machine (Neutron's router create).
		"--keystone-timeout", "1m",
	}}
	p.start()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.kill()
		}
		if t.Failed() {
			b, _ := os.ReadFile(logFile.Name())
			t.Logf("panel log:\n%s", b)
		}
	})

	op := (&apptest.Panel{URL: p.url}).Client(t)
	op.Login("oscar")
	name := testenv.RandomName("os-real-")
	var created struct{ ProvisionCluster struct{ ID string } }
	start := time.Now()
	op.MustDo(`mutation($i:ProvisionClusterInput!){provisionCluster(input:$i){id}}`, map[string]any{"i": map[string]any{
		"name": name, "baseDomain": "kaas.test", "driver": "OPENSTACK", "adminUser": "ursula",
		"size": map[string]any{"workers": 2, "workerVcpu": 2, "workerRamGb": 4, "workerDiskGb": 20},
	}}, &created)
	jobID := created.ProvisionCluster.ID
	var job struct {
		Job struct {
			ClusterID, Status, StepName, Error string
			Events                             []struct{ Step, Message string }
		}
	}
	read := func(id string) {
		op.MustDo(`query($id:ID!){job(id:$id){clusterId status stepName error events{step message}}}`, map[string]any{"id": id}, &job)
	}
	killInside := func(id, step string) {
		t.Helper()
		eventually(t, "step "+step+" paused after its work", 5*time.Minute, func() error {
			read(id)
			for _, ev := range job.Job.Events {
				if ev.Step == step && strings.Contains(ev.Message, "paused before recording") {
					return nil
				}
			}
			if job.Job.Status == "failed" {
				t.Fatalf("the job failed at %s: %s", job.Job.StepName, job.Job.Error)
			}
			return errString("not yet: " + job.Job.Status + " at " + job.Job.StepName + ": " + job.Job.Error)
		})
		p.kill()
		t.Logf("killed with SIGKILL in step %s after %v", step, time.Since(start).Round(time.Second))
		p.start()
	}
	killInside(jobID, "infrastructure")
	eventually(t, "the job waits for the API the nodes never start", 5*time.Minute, func() error {
		read(jobID)
		if job.Job.StepName != "wait-for-api" || job.Job.Status != "running" {
			return errString(job.Job.Status + " at " + job.Job.StepName + ": " + job.Job.Error)
		}
		return nil
	})
	t.Logf("at wait-for-api after %v", time.Since(start).Round(time.Second))
	clusterID := job.Job.ClusterID
	rkey := resourceKey(name, clusterID)
	ctx := context.Background()
	have, err := env.CloudLeft(ctx, rkey)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		"servers by name": 3, "servers by tag": 3, "load balancers by name": 1, "load balancers by tag": 1,
		"networks by name": 1, "networks by tag": 1, "subnets by name": 1, "subnets by tag": 1,
		"routers by name": 1, "routers by tag": 1, "ports by name": 1, "ports by tag": 1, // the VIP
		"floatingips by name": 1, "floatingips by tag": 1,
	}
	if !reflect.DeepEqual(have, want) {
		t.Errorf("in the cloud after a SIGKILL inside infrastructure:\n%v\nwant each once:\n%v", have, want)
	}
	checkRealCluster(t, cloud, rkey, env.ExternalNetworkID)

	del := func() apptest.Response {
		return op.Do(`mutation($id:ID!){deleteCluster(id:$id){id}}`, map[string]any{"id": clusterID}, nil)
	}
	if r := del(); r.Code() != "CONFLICT" {
		t.Fatalf("deleting a cluster still being created: %+v, want CONFLICT", r.Errors)
	}
	op.MustDo(`mutation($id:ID!){cancelJob(id:$id){id}}`, map[string]any{"id": jobID}, nil)
	eventually(t, "the job is cancelled", time.Minute, func() error {
		if read(jobID); job.Job.Status != "cancelled" {
			return errString("job " + job.Job.Status)
		}
		return nil
	})
	var deleted struct{ DeleteCluster struct{ ID string } }
	op.MustDo(`mutation($id:ID!){deleteCluster(id:$id){id}}`, map[string]any{"id": clusterID}, &deleted)
	start = time.Now()
	killInside(deleted.DeleteCluster.ID, "remove-infrastructure")
	eventually(t, "the delete job finishes", 5*time.Minute, func() error {
		read(deleted.DeleteCluster.ID)
		if job.Job.Status != "succeeded" {
			return errString(job.Job.Status + " at " + job.Job.StepName + ": " + job.Job.Error)
		}
		return nil
	})
	t.Logf("deleted in %v", time.Since(start).Round(time.Second))
	left, err := env.CloudLeft(ctx, rkey)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("left in the cloud after delete: %v", left)
	}
	if r := del(); r.Code() != "NOT_FOUND" {
		t.Errorf("deleting it again: %+v, want NOT_FOUND", r.Errors)
	}
}

// checkRealCluster checks what the cloud holds of a cluster waiting for its API: servers
// of the smallest flavor that fits a worker (2 vCPU, 4 GB, 20 GB), a router to the
// external network, and a load balancer routing the API port to the one master.
func checkRealCluster(t *testing.T, c realCloud, key, external string) {
	t.Helper()
	ctx := context.Background()
	fpage, err := flavors.ListDetail(c.compute, nil).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := flavors.ExtractFlavors(fpage)
	smallest := ""
	for _, f := range all {
		if f.Name == "kaas.small" {
			smallest = f.ID
		}
	}
	spage, err := servers.List(c.compute, servers.ListOpts{Name: "^" + key + "-"}).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ss, _ := servers.ExtractServers(spage)
	names := map[string]bool{}
	for _, s := range ss {
		names[s.Name] = true
		if s.Status != "ACTIVE" || s.Flavor["id"] != smallest {
			t.Errorf("server %s is %s of flavor %v, want ACTIVE of kaas.small (%s)", s.Name, s.Status, s.Flavor["id"], smallest)
		}
	}
	for _, n := range []string{"master-0", "worker-0", "worker-1"} {
		if !names[key+"-"+n] {
			t.Errorf("no server %s-%s: %v", key, n, names)
		}
	}
	rpage, err := routers.List(c.network, routers.ListOpts{Name: "kaas-" + key}).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := routers.ExtractRouters(rpage)
	if len(rs) != 1 || rs[0].GatewayInfo.NetworkID != external {
		t.Errorf("routers %+v, want one with its gateway on %s", rs, external)
	}
	lpage, err := loadbalancers.List(c.lb, loadbalancers.ListOpts{Name: "kaas-" + key + "-api"}).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lbs, _ := loadbalancers.ExtractLoadBalancers(lpage)
	if len(lbs) != 1 || lbs[0].ProvisioningStatus != "ACTIVE" {
		t.Fatalf("load balancers %+v, want one ACTIVE", lbs)
	}
	lspage, err := listeners.List(c.lb, listeners.ListOpts{LoadbalancerID: lbs[0].ID}).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := listeners.ExtractListeners(lspage)
	ppage, err := pools.List(c.lb, pools.ListOpts{LoadbalancerID: lbs[0].ID}).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := pools.ExtractPools(ppage)
	if len(ls) != 1 || ls[0].ProtocolPort != 6443 || len(ps) != 1 {
		t.Fatalf("listeners %+v and pools %+v, want one of each on 6443", ls, ps)
	}
	mpage, err := pools.ListMembers(c.lb, ps[0].ID, nil).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := pools.ExtractMembers(mpage)
	if len(ms) != 1 || ms[0].ProtocolPort != 6443 {
		t.Errorf("members %+v, want the master on 6443", ms)
	}
}

// TestOpenStackFlavorTooLargeOnRealServices asks for workers no host of the real Nova
// can hold: the only flavor that fits them (kaas.huge, 2 TB of RAM) is larger than the
// fake virt driver's host, so Nova's scheduler fails the servers, and the job ends with
// Nova's own reason. Deleting the cluster then removes what was made.
func TestOpenStackFlavorTooLargeOnRealServices(t *testing.T) {
	t.Parallel()
	env := testenv.OpenStack(t)
	panel := apptest.Start(t, realConfig(t, env))
	op := panel.Client(t)
	op.Login("oscar")
	opToken, _ := op.CreateToken("openstack")
	name := testenv.RandomName("os-huge-")
	var created struct{ ProvisionCluster struct{ ID string } }
	op.MustDo(`mutation($i:ProvisionClusterInput!){provisionCluster(input:$i){id}}`, map[string]any{"i": map[string]any{
		"name": name, "baseDomain": "kaas.test", "driver": "OPENSTACK", "adminUser": "ursula",
		"size": map[string]any{"workers": 1, "workerVcpu": 8, "workerRamGb": 1024, "workerDiskGb": 40},
	}}, &created)
	var job struct {
		Job struct{ ClusterID, Status, StepName, Error string }
	}
	eventually(t, "the job fails", 5*time.Minute, func() error {
		op.MustDo(`query($id:ID!){job(id:$id){clusterId status stepName error}}`, map[string]any{"id": created.ProvisionCluster.ID}, &job)
		if job.Job.Status != "failed" {
			return errString(job.Job.Status + " at " + job.Job.StepName)
		}
		return nil
	})
	t.Logf("the job failed: %s", job.Job.Error)
	if job.Job.StepName != "infrastructure" || !strings.Contains(job.Job.Error, "No valid host was found") {
		t.Errorf("job failed at %s with %q, want infrastructure with Nova's reason (No valid host was found)", job.Job.StepName, job.Job.Error)
	}
	deleteClusterByJob(t, panel, op, opToken, job.Job.ClusterID)
	left, err := env.CloudLeft(context.Background(), resourceKey(name, job.Job.ClusterID))
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("left in the cloud after delete: %v", left)
	}
}
