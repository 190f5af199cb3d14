package cloud_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"kaas/cloud"
	"kaas/internal/openstackfake"
	"kaas/kubeadm"
	"kaas/models"
)

func fakeCloud(fake *openstackfake.Fake, external string) *cloud.Cloud {
	return &cloud.Cloud{
		Clients: func(context.Context) (cloud.Clients, error) { return fake.Clients(), nil },
		ImageID: "img-1", Poll: time.Millisecond, ExternalNetworkID: external,
	}
}

// testUserData names the node and the API's addresses.
func testUserData(n kubeadm.Node, api cloud.API) ([]byte, error) {
	return fmt.Appendf(nil, "#cloud-config\n# %s %d, API %s, public %s\n", n.Role, n.Index, api.VIP, api.Public), nil
}

func TestOpenStackCloudAgainstAFake(t *testing.T) {
	fake := openstackfake.New(t)
	d := fakeCloud(fake, "")
	ctx := context.Background()
	size := models.ClusterSize{Workers: 2, WorkerVCPU: 4, WorkerRAMGB: 8, WorkerDiskGB: 40}
	var progress []int
	inf, err := d.Ensure(ctx, "blue", size, testUserData, func(p int, _ string) { progress = append(progress, p) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"POST /network/v2.0/networks", "PUT /network/v2.0/networks/net-1/tags",
		"POST /network/v2.0/subnets", "PUT /network/v2.0/subnets/subnet-2/tags",
		"POST /network/v2.0/ports", "PUT /network/v2.0/ports/port-3/tags", // the VIP
		"POST /lb/v2.0/lbaas/loadbalancers",
		"POST /compute/servers", // blue-master-0
		"POST /compute/servers", // blue-worker-0
		"POST /compute/servers", // blue-worker-1
		"POST /lb/v2.0/lbaas/listeners",
		"POST /lb/v2.0/lbaas/pools",
		"POST /lb/v2.0/lbaas/pools/pool-12/members",
	}
	if got := fake.Mutations(); !reflect.DeepEqual(got, want) {
		t.Fatalf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if inf.API != (cloud.API{VIP: "10.20.0.250", Public: "10.20.0.250"}) || len(inf.ServerIDs) != 3 || len(inf.MasterIPs) != 1 || progress[len(progress)-1] != 100 {
		t.Fatalf("infra = %+v, progress %v", inf, progress)
	}
	for _, s := range fake.Resources("servers") {
		if s["flavor"].(map[string]any)["id"] != "f-medium" {
			t.Errorf("server %s has flavor %v, want the smallest that fits (f-medium)", s["name"], s["flavor"])
		}
	}
	ud := fake.UserData("blue-worker-1")
	if !strings.Contains(string(ud), "worker 1, API 10.20.0.250") {
		t.Errorf("user data of blue-worker-1 = %q", ud)
	}
	if api, err := d.APIAddress(ctx, "blue"); err != nil || api != inf.API {
		t.Errorf("APIAddress = %+v, %v; want %+v", api, err, inf.API)
	}
	if _, err := d.APIAddress(ctx, "nope"); models.ErrorCode(err) != models.CodeNotFound {
		t.Errorf("APIAddress of an unknown cluster: %v, want NOT_FOUND", err)
	}

	// Run again, as after a crash: nothing is created twice.
	before := len(fake.Mutations())
	if _, err := d.Ensure(ctx, "blue", size, testUserData, func(int, string) {}); err != nil {
		t.Fatal(err)
	}
	if again := fake.Mutations()[before:]; len(again) != 0 {
		t.Fatalf("a second Ensure created %v", again)
	}

	before = len(fake.Mutations())
	if _, err := d.Ensure(ctx, "huge", models.ClusterSize{Workers: 1, WorkerVCPU: 64, WorkerRAMGB: 512, WorkerDiskGB: 40}, testUserData, func(int, string) {}); models.ErrorCode(err) != models.CodeInvalid {
		t.Errorf("no fitting flavor: %v, want INVALID", err)
	}
	if made := fake.Mutations()[before:]; len(made) != 0 {
		t.Errorf("a size no flavor fits created %v", made)
	}

	before = len(fake.Mutations())
	if err := d.Remove(ctx, "blue"); err != nil {
		t.Fatal(err)
	}
	removed := fake.Mutations()[before:]
	// The VIP port goes before the subnet: Neutron keeps a subnet a port uses.
	wantRemoved := []string{"DELETE /lb/v2.0/lbaas/loadbalancers/lb-4", "DELETE /compute/servers/server-5", "DELETE /compute/servers/server-7", "DELETE /compute/servers/server-9",
		"DELETE /network/v2.0/ports/port-3", "DELETE /network/v2.0/subnets/subnet-2", "DELETE /network/v2.0/networks/net-1"}
	slices.Sort(removed[1:4]) // servers in any order
	if !reflect.DeepEqual(removed, wantRemoved) {
		t.Fatalf("remove calls %v, want %v", removed, wantRemoved)
	}
	if fake.Left() != 0 {
		t.Fatal("resources left after Remove")
	}
	before = len(fake.Mutations())
	if err := d.Remove(ctx, "blue"); err != nil {
		t.Fatalf("second Remove: %v", err)
	}
	if again := fake.Mutations()[before:]; len(again) != 0 {
		t.Fatalf("a second Remove called %v", again)
	}
}

// TestOpenStackCloudExternalNetwork checks the router to the external network and the
// API's floating IP, which the nodes' user data and the panel's address carry.
func TestOpenStackCloudExternalNetwork(t *testing.T) {
	fake := openstackfake.New(t)
	d := fakeCloud(fake, "ext-net")
	d.Masters = 3
	ctx := context.Background()
	inf, err := d.Ensure(ctx, "red", models.ClusterSize{Workers: 1, WorkerVCPU: 2, WorkerRAMGB: 4, WorkerDiskGB: 20}, testUserData, func(int, string) {})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"POST /network/v2.0/networks", "PUT /network/v2.0/networks/net-1/tags",
		"POST /network/v2.0/subnets", "PUT /network/v2.0/subnets/subnet-2/tags",
		"POST /network/v2.0/routers", "PUT /network/v2.0/routers/router-3/tags",
		"PUT /network/v2.0/routers/router-3/add_router_interface",
		"POST /network/v2.0/ports", "PUT /network/v2.0/ports/port-5/tags", // the VIP
		"POST /lb/v2.0/lbaas/loadbalancers",
		"POST /network/v2.0/floatingips", "PUT /network/v2.0/floatingips/fip-7/tags",
		"POST /compute/servers", "POST /compute/servers", "POST /compute/servers", // 3 masters
		"POST /compute/servers", // 1 worker
		"POST /lb/v2.0/lbaas/listeners",
		"POST /lb/v2.0/lbaas/pools",
		"POST /lb/v2.0/lbaas/pools/pool-17/members", "POST /lb/v2.0/lbaas/pools/pool-17/members", "POST /lb/v2.0/lbaas/pools/pool-17/members",
	}
	if got := fake.Mutations(); !reflect.DeepEqual(got, want) {
		t.Fatalf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if inf.API.Public != "198.51.100.7" || inf.API.VIP != "10.20.0.250" || len(inf.MasterIPs) != 3 {
		t.Fatalf("infra = %+v", inf)
	}
	for _, fip := range fake.Resources("fips") {
		if fip["floating_network_id"] != "ext-net" || fip["port_id"] != "port-5" {
			t.Errorf("floating IP %v, want on ext-net at the VIP's port", fip)
		}
	}
	for _, r := range fake.Resources("routers") {
		if r["external_gateway_info"].(map[string]any)["network_id"] != "ext-net" {
			t.Errorf("router gateway %v", r["external_gateway_info"])
		}
	}
	ud := fake.UserData("red-master-2")
	if !strings.Contains(string(ud), "master 2, API 10.20.0.250, public 198.51.100.7") {
		t.Errorf("user data of red-master-2 = %q", ud)
	}
	before := len(fake.Mutations())
	if _, err := d.Ensure(ctx, "red", models.ClusterSize{Workers: 1, WorkerVCPU: 2, WorkerRAMGB: 4, WorkerDiskGB: 20}, testUserData, func(int, string) {}); err != nil {
		t.Fatal(err)
	}
	if again := fake.Mutations()[before:]; len(again) != 0 {
		t.Fatalf("a second Ensure created %v", again)
	}
	if err := d.Remove(ctx, "red"); err != nil {
		t.Fatal(err)
	}
	if n := fake.Left(); n != 0 {
		t.Fatalf("%d resources left after Remove", n)
	}
	if got := fake.Mutations()[before]; got != "DELETE /network/v2.0/floatingips/fip-7" {
		t.Errorf("first removal %s, want the floating IP before the load balancer", got)
	}
}
