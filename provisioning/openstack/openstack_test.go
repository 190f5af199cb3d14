package openstack_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"kaas/cloud"
	"kaas/internal/openstackfake"
	"kaas/kubeadm"
	"kaas/models"
	"kaas/provisioning"
	"kaas/provisioning/openstack"
)

// plainSealer seals nothing, so the test can read the PKI the driver made.
type plainSealer struct{}

func (plainSealer) Seal(p, _ []byte) ([]byte, error) { return bytes.Clone(p), nil }
func (plainSealer) Open(s, _ []byte) ([]byte, error) { return bytes.Clone(s), nil }

// progress records a step's progress.
type progress struct{ percents []int }

func (p *progress) Progress(percent int, _ string) { p.percents = append(p.percents, percent) }
func (p *progress) Log(models.EventLevel, string)  {}
func (p *progress) last() int                      { return p.percents[len(p.percents)-1] }

// TestDriverBuildsReachesAndRemovesACluster runs the driver's part of a cluster's life
// against the fake cloud: the PKI made once with the arguments, kubeadm user data on the
// servers named after the cluster and its ID, the panel's kubeconfig for the API load
// balancer with the hash of the cluster's webhook credential, and removal of it all.
func TestDriverBuildsReachesAndRemovesACluster(t *testing.T) {
	fake := openstackfake.New(t)
	d := &openstack.Driver{
		Cloud: &cloud.Cloud{
			Clients: func(context.Context) (cloud.Clients, error) { return fake.Clients(), nil },
			ImageID: "img-1", Poll: time.Millisecond,
		},
		Sealer:  plainSealer{},
		Kubeadm: openstack.KubeadmSettings{KubernetesVersion: "v1.31.0", PodSubnet: "10.244.0.0/16", ServiceSubnet: "10.96.0.0/12", WebhookURL: "https://panel.example:8443"},
	}
	if err := (&openstack.Driver{Sealer: plainSealer{}}).Validate(nil); models.ErrorCode(err) != models.CodeInvalid {
		t.Errorf("a driver without a cloud: Validate = %v, want INVALID", err)
	}
	if err := d.Validate(nil); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	ctx := context.Background()
	a := provisioning.CreateArgs{ClusterID: "0123abcd-ef45-6789-abcd-ef0123456789", Name: "blue", Driver: openstack.Name,
		Size: models.ClusterSize{Workers: 1, WorkerVCPU: 2, WorkerRAMGB: 4, WorkerDiskGB: 20}}
	if err := d.Prepare(&a, nil); err != nil || len(a.SealedPKI) == 0 {
		t.Fatalf("Prepare: %v, sealed PKI of %d bytes", err, len(a.SealedPKI))
	}
	var pki kubeadm.PKI
	if err := json.Unmarshal(a.SealedPKI, &pki); err != nil || pki.WebhookCredential == "" {
		t.Fatalf("the sealed PKI: %v, webhook credential %q", err, pki.WebhookCredential)
	}
	var p progress
	if err := d.Ensure(ctx, a, &p); err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	if p.last() != 100 {
		t.Errorf("Ensure's progress %v does not end at 100", p.percents)
	}
	for _, server := range []string{"blue-0123abcd-master-0", "blue-0123abcd-worker-0"} {
		if ud := fake.UserData(server); !strings.HasPrefix(string(ud), "#cloud-config") {
			t.Errorf("user data of %s = %.60q…, want cloud-config", server, ud)
		}
	}
	acc, err := d.Access(ctx, a)
	if err != nil {
		t.Fatalf("Access: %v", err)
	}
	if !strings.Contains(string(acc.Kubeconfig), "server: https://10.20.0.250:6443") {
		t.Errorf("the admin kubeconfig does not name the API load balancer:\n%s", acc.Kubeconfig)
	}
	if sum := sha256.Sum256([]byte(pki.WebhookCredential)); !bytes.Equal(acc.WebhookTokenHash, sum[:]) {
		t.Errorf("webhook token hash %x, want the SHA-256 of the PKI's credential", acc.WebhookTokenHash)
	}
	p = progress{}
	if err := d.Remove(ctx, provisioning.DeleteArgs{ClusterID: a.ClusterID, Name: a.Name, Driver: openstack.Name}, &p); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if n := fake.Left(); n != 0 || p.last() != 100 {
		t.Errorf("%d resources left after Remove, progress %v", n, p.percents)
	}
	if err := (&openstack.Driver{}).Remove(ctx, provisioning.DeleteArgs{ClusterID: a.ClusterID, Name: a.Name}, &p); err == nil {
		t.Error("a driver without a cloud removed a cluster")
	}
}
