package provisioning_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"kaas/models"
	"kaas/provisioning"
	"kaas/store"
)

// fakeDriver is a named fake Driver: it records the clusters it restores and hands out
// a kubeconfig that fakeKube understands.
type fakeDriver struct {
	name      string
	enabled   bool
	transient bool
	restored  []string
}

func (d *fakeDriver) Describe() provisioning.Description {
	return provisioning.Description{Name: d.name, Transient: d.transient}
}
func (d *fakeDriver) Enabled() bool                                  { return d.enabled }
func (d *fakeDriver) Validate([]byte) error                          { return nil }
func (d *fakeDriver) Prepare(*provisioning.CreateArgs, []byte) error { return nil }
func (d *fakeDriver) Ensure(context.Context, provisioning.CreateArgs, provisioning.Progress) error {
	return errors.New("not in this test")
}
func (d *fakeDriver) Access(context.Context, provisioning.CreateArgs) (provisioning.Access, error) {
	return provisioning.Access{}, errors.New("not in this test")
}
func (d *fakeDriver) Remove(context.Context, provisioning.DeleteArgs, provisioning.Progress) error {
	return errors.New("not in this test")
}
func (d *fakeDriver) Restore(_ context.Context, c models.Cluster) ([]byte, error) {
	d.restored = append(d.restored, c.Name)
	return []byte("https://" + c.Name + ".restored:6443"), nil
}

// fakeKube reads the API URL of fakeDriver's kubeconfigs.
type fakeKube struct{}

func (fakeKube) Connect([]byte) (provisioning.ClusterAPI, error) {
	return nil, errors.New("not in this test")
}
func (fakeKube) Endpoint(kc []byte) (string, string, error) {
	return string(kc), "CA of " + string(kc), nil
}

// plainSealer seals nothing: the test reads what Restore recorded.
type plainSealer struct{}

func (plainSealer) Seal(p, _ []byte) ([]byte, error) { return p, nil }
func (plainSealer) Open(s, _ []byte) ([]byte, error) { return s, nil }

func TestDriverRegistry(t *testing.T) {
	existing := &fakeDriver{name: "existing", enabled: true}
	local := &fakeDriver{name: "local"}
	cloud := &fakeDriver{name: "openstack", enabled: true}
	r := provisioning.NewDriverRegistry(existing, local, cloud)
	if got, want := r.Enabled(), []string{"existing", "openstack"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Enabled() = %v, want %v in the order added, without the disabled one", got, want)
	}
	local.enabled = true
	if got, want := r.Enabled(), []string{"existing", "local", "openstack"}; !reflect.DeepEqual(got, want) {
		t.Errorf("once local is enabled, Enabled() = %v, want %v", got, want)
	}
	cases := []struct {
		name string
		want provisioning.Driver
	}{
		{"existing", existing},
		{"local", local},
		{"openstack", cloud},
		{"", nil},
		{"OPENSTACK", nil},
	}
	for _, tc := range cases {
		d, ok := r.Lookup(tc.name)
		if ok != (tc.want != nil) || (ok && d != tc.want) {
			t.Errorf("Lookup(%q) = %v, %v; want %v", tc.name, d, ok, tc.want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("a second driver named local did not panic")
		}
	}()
	provisioning.NewDriverRegistry(existing, local, &fakeDriver{name: "local"})
}

// TestRestoreRestartsOnlyTransientClusters restores the registered clusters of a
// transient driver whose API does not answer, records their new endpoints, and leaves
// the clusters of other drivers, of disabled drivers and being deleted alone.
func TestRestoreRestartsOnlyTransientClusters(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	transient := &fakeDriver{name: "local", enabled: true, transient: true}
	durable := &fakeDriver{name: "existing", enabled: true}
	off := &fakeDriver{name: "off", transient: true}
	cj := &provisioning.ClusterJobs{Store: db, Sealer: plainSealer{}, Kube: fakeKube{},
		Drivers: provisioning.NewDriverRegistry(durable, transient, off)}
	all := []models.Cluster{
		{ID: "1", Name: "blue", Driver: "local", Status: models.ClusterReady},
		{ID: "2", Name: "green", Driver: "existing", Status: models.ClusterReady},
		{ID: "3", Name: "gone", Driver: "local", Status: models.ClusterDeleting},
		{ID: "4", Name: "dark", Driver: "off", Status: models.ClusterReady},
		{ID: "5", Name: "odd", Driver: "unknown", Status: models.ClusterReady},
	}
	for i := range all {
		all[i].BaseDomain, all[i].Credential, all[i].AdminRoleIDs = "example.com", []byte{byte(i)}, []string{"r"}
		if err := db.CreateCluster(ctx, &all[i]); err != nil {
			t.Fatal(err)
		}
	}
	n, err := cj.Restore(ctx, all)
	if err != nil || n != 1 {
		t.Fatalf("Restore = %d, %v; want 1 restored", n, err)
	}
	if !reflect.DeepEqual(transient.restored, []string{"blue"}) || durable.restored != nil || off.restored != nil {
		t.Errorf("restored: local %v, existing %v, off %v; want only blue", transient.restored, durable.restored, off.restored)
	}
	c, err := db.Cluster(ctx, "1")
	if err != nil || c.APIURL != "https://blue.restored:6443" || c.CAPEM != "CA of https://blue.restored:6443" || string(c.Credential) != "https://blue.restored:6443" {
		t.Errorf("restored cluster = %+v, %v", c, err)
	}
}
