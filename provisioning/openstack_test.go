package provisioning_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"kaas/models"
	"kaas/provisioning"
)

func TestOpenStackDriverAgainstAFake(t *testing.T) {
	fake := newFakeOpenStack(t)
	d := &provisioning.OpenStackDriver{
		Clients: func(context.Context) (provisioning.OpenStackClients, error) { return fake.clients(), nil },
		ImageID: "img-1", Poll: time.Millisecond,
		UserData: func(cluster, role string, i int) []byte {
			return []byte(fmt.Sprintf("#cloud-config\n# kaas cluster %s, %s %d\n", cluster, role, i))
		},
	}
	ctx := context.Background()
	size := models.ClusterSize{Workers: 2, WorkerVCPU: 4, WorkerRAMGB: 8, WorkerDiskGB: 40}
	var progress []int
	inf, err := d.Ensure(ctx, "blue", size, func(p int, _ string) { progress = append(progress, p) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"POST /network/v2.0/networks",
		"POST /network/v2.0/subnets",
		"POST /compute/servers", // blue-master-0
		"POST /compute/servers", // blue-worker-0
		"POST /compute/servers", // blue-worker-1
		"POST /lb/v2.0/lbaas/loadbalancers",
		"POST /lb/v2.0/lbaas/listeners",
		"POST /lb/v2.0/lbaas/pools",
		"POST /lb/v2.0/lbaas/pools/pool-8/members",
	}
	if got := fake.mutations(); !reflect.DeepEqual(got, want) {
		t.Fatalf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if inf.APIAddress != "203.0.113.10" || len(inf.ServerIDs) != 3 || len(inf.MasterIPs) != 1 || progress[len(progress)-1] != 100 {
		t.Fatalf("infra = %+v, progress %v", inf, progress)
	}
	for _, s := range fake.servers {
		if s["flavor"].(map[string]any)["id"] != "f-medium" {
			t.Errorf("server %s has flavor %v, want the smallest that fits (f-medium)", s["name"], s["flavor"])
		}
	}
	ud, _ := base64.StdEncoding.DecodeString(fake.userData["blue-worker-1"])
	if !strings.Contains(string(ud), "worker 1") {
		t.Errorf("user data of blue-worker-1 = %q", ud)
	}

	// Run again, as after a crash: nothing is created twice.
	before := len(fake.mutations())
	if _, err := d.Ensure(ctx, "blue", size, func(int, string) {}); err != nil {
		t.Fatal(err)
	}
	if again := fake.mutations()[before:]; len(again) != 0 {
		t.Fatalf("a second Ensure created %v", again)
	}

	before = len(fake.mutations())
	if _, err := d.Ensure(ctx, "huge", models.ClusterSize{Workers: 1, WorkerVCPU: 64, WorkerRAMGB: 512, WorkerDiskGB: 40}, func(int, string) {}); models.ErrorCode(err) != models.CodeInvalid {
		t.Errorf("no fitting flavor: %v, want INVALID", err)
	}
	if made := fake.mutations()[before:]; len(made) != 0 {
		t.Errorf("a size no flavor fits created %v", made)
	}

	before = len(fake.mutations())
	if err := d.Remove(ctx, "blue"); err != nil {
		t.Fatal(err)
	}
	removed := fake.mutations()[before:]
	wantRemoved := []string{"DELETE /lb/v2.0/lbaas/loadbalancers/lb-6", "DELETE /compute/servers/server-3", "DELETE /compute/servers/server-4", "DELETE /compute/servers/server-5", "DELETE /network/v2.0/subnets/subnet-2", "DELETE /network/v2.0/networks/net-1"}
	if len(removed) != len(wantRemoved) || removed[0] != wantRemoved[0] || removed[len(removed)-1] != wantRemoved[len(wantRemoved)-1] {
		t.Fatalf("remove calls %v, want %v (servers in any order)", removed, wantRemoved)
	}
	if len(fake.servers)+len(fake.lbs)+len(fake.networks)+len(fake.subnets) != 0 {
		t.Fatal("resources left after Remove")
	}
}
