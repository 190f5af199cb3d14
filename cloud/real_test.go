package cloud_test

import (
	"context"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"kaas/cloud"
	"kaas/internal/testenv"
	"kaas/kube"
	"kaas/localcluster"
	"kaas/models"
)

// realCloud is the cloud adapter on the real OpenStack of the test run.
func realCloud(env testenv.OpenStackEnv) *cloud.Cloud {
	return &cloud.Cloud{
		Clients:           cloud.CatalogClients(env.Provider, "RegionOne"),
		ImageID:           env.ImageID,
		ExternalNetworkID: env.ExternalNetworkID,
		Poll:              500 * time.Millisecond,
	}
}

// TestOpenStackCloudAgainstRealServices builds a cluster's network, router, load
// balancer and servers in the real OpenStack (Nova's fake virt driver, Octavia's noop
// backends) and removes them: nothing of it is left, by name or by tag.
func TestOpenStackCloudAgainstRealServices(t *testing.T) {
	env := testenv.OpenStack(t)
	d := realCloud(env)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	key := testenv.RandomName("real-")
	size := models.ClusterSize{Workers: 2, WorkerVCPU: 2, WorkerRAMGB: 4, WorkerDiskGB: 20}
	start := time.Now()
	inf, err := d.Ensure(ctx, key, size, testUserData, func(p int, msg string) { t.Logf("%3d%% %s", p, msg) })
	if err != nil {
		t.Fatalf("ensure: %v", err)
	}
	t.Logf("ensure took %v: %+v", time.Since(start), inf)
	start = time.Now()
	if err := d.Remove(ctx, key); err != nil {
		t.Fatalf("remove: %v", err)
	}
	t.Logf("remove took %v", time.Since(start))
	left, err := env.CloudLeft(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("left in the cloud after Remove: %v", left)
	}
}

// TestResizeWorkersAgainstRealServices resizes a cluster's workers in the real OpenStack:
// from 2 to 3 creates exactly one server; from 3 to 1 drains and deletes two, the
// highest first. The drains run against a real kube-apiserver whose nodes (named as the
// servers) the test registers, playing their kubelets, since nothing boots on the fake
// virt driver.
func TestResizeWorkersAgainstRealServices(t *testing.T) {
	env := testenv.OpenStack(t)
	d := realCloud(env)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	key := testenv.RandomName("resize-")
	t.Cleanup(func() {
		if err := d.Remove(context.Background(), key); err != nil {
			t.Errorf("remove: %v", err)
		}
	})
	servers := func() int {
		left, err := env.CloudLeft(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return left["servers by name"]
	}
	say := func(p int, msg string) { t.Logf("%3d%% %s", p, msg) }
	size := models.ClusterSize{Workers: 2, WorkerVCPU: 2, WorkerRAMGB: 4, WorkerDiskGB: 20}
	if _, err := d.Ensure(ctx, key, size, testUserData, say); err != nil {
		t.Fatalf("ensure 2 workers: %v", err)
	}
	if n := servers(); n != 3 {
		t.Fatalf("%d servers for 1 master and 2 workers", n)
	}

	size.Workers = 3
	if _, err := d.Ensure(ctx, key, size, testUserData, say); err != nil {
		t.Fatalf("ensure 3 workers: %v", err)
	}
	if n := servers(); n != 4 {
		t.Fatalf("resizing from 2 to 3 workers left %d servers, want 4: exactly one created", n)
	}
	workers, err := d.Workers(ctx, key)
	want := []string{key + "-worker-0", key + "-worker-1", key + "-worker-2"}
	if err != nil || !slices.Equal(workers, want) {
		t.Fatalf("workers = %v, %v; want %v", workers, err, want)
	}

	cs := kubeAPIServer(t)
	for _, w := range workers {
		testenv.RegisterNode(t, cs, w)
		if _, err := cs.CoreV1().Pods("default").Create(ctx, testenv.PodOn("app-"+w[len(w)-1:], "default", w, nil, nil), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	testenv.PlayKubelets(t, cs, workers...)
	var drained []string
	removed, err := d.RemoveWorkers(ctx, key, 1, func(ctx context.Context, node string) error {
		drained = append(drained, node)
		return kube.Drain(ctx, cs, node, func(msg string) { t.Log(msg) })
	}, func(msg string) { t.Log(msg) })
	if err != nil {
		t.Fatalf("remove workers: %v", err)
	}
	if want := []string{key + "-worker-2", key + "-worker-1"}; !slices.Equal(removed, want) || !slices.Equal(drained, want) {
		t.Errorf("removed %v after draining %v, want %v for both", removed, drained, want)
	}
	if n := servers(); n != 2 {
		t.Errorf("resizing from 3 to 1 worker left %d servers, want 2", n)
	}
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil || len(nodes.Items) != 1 || nodes.Items[0].Name != key+"-worker-0" {
		t.Errorf("nodes after the resize: %v, %v; want only %s-worker-0", nodes, err, key)
	}
	pods, err := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
	if err != nil || len(pods.Items) != 1 || pods.Items[0].Name != "app-0" {
		t.Errorf("pods after the resize: %d, %v; want only app-0", len(pods.Items), err)
	}
	// Run again (a retried step): nothing more goes.
	if again, err := d.RemoveWorkers(ctx, key, 1, func(context.Context, string) error { return nil }, func(string) {}); err != nil || len(again) != 0 {
		t.Errorf("removing again: %v, %v; want nothing", again, err)
	}
}

// kubeAPIServer starts a real etcd and kube-apiserver for the test.
func kubeAPIServer(t *testing.T) kubernetes.Interface {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := localcluster.Start(ctx, localcluster.Options{BinDir: testenv.Getenv(t, "KAAS_KUBE_BIN_DIR"), Dir: t.TempDir(), Name: "resize", ControllerManager: true})
	if err != nil {
		t.Fatalf("start a kube-apiserver: %v", err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	cs, _, err := kube.Client(c.AdminKubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}
