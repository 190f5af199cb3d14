package cloud_test

import (
	"context"
	"testing"
	"time"

	"kaas/cloud"
	"kaas/internal/testenv"
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
