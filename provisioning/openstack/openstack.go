// Package openstack is the provisioning driver that builds a cluster in OpenStack: Nova
// servers installed by kubeadm from a PKI the panel makes, a Neutron network and an
// Octavia load balancer in front of the kube-apiservers. It reaches the cloud through
// the cloud adapter.
package openstack

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kaas/cloud"
	"kaas/clusters"
	"kaas/kubeadm"
	"kaas/models"
	"kaas/provisioning"
)

// Name is the driver's name in requests, job arguments and clusters.
const Name = "openstack"

// Driver builds clusters in the cloud.
type Driver struct {
	// Cloud is where the clusters are built; nil or unconfigured disables the driver.
	Cloud  *cloud.Cloud
	Sealer provisioning.Sealer
	// Kubeadm is what the nodes of the clusters are told.
	Kubeadm KubeadmSettings
}

// KubeadmSettings are the panel's settings for the clusters kubeadm builds.
type KubeadmSettings struct {
	KubernetesVersion string
	PodSubnet         string
	ServiceSubnet     string
	// CNIManifest is applied by the first master when set.
	CNIManifest string
	// WebhookURL is where the clusters' kube-apiservers reach the panel's webhook
	// (https: kube-apiserver sends a credential over TLS only); WebhookCAPEM is the CA of
	// its certificate, empty when the system roots verify it.
	WebhookURL   string
	WebhookCAPEM string
}

// Describe names the driver; its clusters outlive the panel.
func (d *Driver) Describe() provisioning.Description {
	return provisioning.Description{Name: Name}
}

// Enabled reports whether the cloud is configured.
func (d *Driver) Enabled() bool { return d != nil && d.Cloud.Enabled() }

// Validate refuses a request when the cloud is not configured.
func (d *Driver) Validate([]byte) error {
	if !d.Enabled() {
		return models.Errorf(models.CodeInvalid, "the openstack driver is not configured on this panel (--openstack-image)")
	}
	return nil
}

// key names a cluster's cloud resources: its name and the start of its ID, so that what
// an abandoned attempt left behind is never taken for a later cluster's.
func key(name, clusterID string) string {
	return name + "-" + strings.ReplaceAll(clusterID, "-", "")[:8]
}

// Prepare makes a new cluster's PKI with its webhook credential, sealed with the cluster
// ID as associated data. It is made once, with the job's arguments, so a step run again
// after a crash hands the nodes the same CA.
func (d *Driver) Prepare(a *provisioning.CreateArgs, _ []byte) error {
	cred, _, err := clusters.NewWebhookCredential()
	if err != nil {
		return err
	}
	p, err := kubeadm.NewPKI(a.Name, cred, time.Now())
	if err != nil {
		return err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("marshal PKI: %w", err)
	}
	sealed, err := d.Sealer.Seal(b, []byte(a.ClusterID))
	if err != nil {
		return fmt.Errorf("seal PKI: %w", err)
	}
	a.SealedPKI = sealed
	return nil
}

func (d *Driver) openPKI(a provisioning.CreateArgs) (*kubeadm.PKI, error) {
	b, err := d.Sealer.Open(a.SealedPKI, []byte(a.ClusterID))
	if err != nil {
		return nil, fmt.Errorf("open PKI: %w", err)
	}
	var p kubeadm.PKI
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("unmarshal PKI: %w", err)
	}
	return &p, nil
}

// Ensure builds the cluster's servers, network and API load balancer; the nodes' user
// data installs the cluster with kubeadm from the panel's PKI, with the panel as its
// authentication webhook.
func (d *Driver) Ensure(ctx context.Context, a provisioning.CreateArgs, p provisioning.Progress) error {
	pki, err := d.openPKI(a)
	if err != nil {
		return err
	}
	hook, err := clusters.WebhookKubeconfig(d.Kubeadm.WebhookURL, a.Name, d.Kubeadm.WebhookCAPEM, pki.WebhookCredential)
	if err != nil {
		return err
	}
	userData := func(n kubeadm.Node, api cloud.API) ([]byte, error) {
		c := kubeadm.Cluster{
			Name: a.Name, KubernetesVersion: d.Kubeadm.KubernetesVersion, Endpoint: api.VIP, APIPort: d.Cloud.APIPort,
			PodSubnet: d.Kubeadm.PodSubnet, ServiceSubnet: d.Kubeadm.ServiceSubnet, WebhookKube: hook, CNIManifest: d.Kubeadm.CNIManifest,
		}
		if api.Public != api.VIP {
			c.ExtraSANs = []string{api.Public}
		}
		return kubeadm.UserData(pki, c, n)
	}
	inf, err := d.Cloud.Ensure(ctx, key(a.Name, a.ClusterID), a.Size, userData, p.Progress)
	if err != nil {
		return err
	}
	p.Log(models.EventInfo, fmt.Sprintf("%d servers; the API will answer at %s", len(inf.ServerIDs), d.Cloud.APIURL(inf.API)))
	return nil
}

// Access returns the panel's admin kubeconfig of the cluster (the panel's own
// certificate, for the API load balancer's public address) and the hash of the
// cluster's webhook credential.
func (d *Driver) Access(ctx context.Context, a provisioning.CreateArgs) (provisioning.Access, error) {
	pki, err := d.openPKI(a)
	if err != nil {
		return provisioning.Access{}, err
	}
	api, err := d.Cloud.APIAddress(ctx, key(a.Name, a.ClusterID))
	if err != nil {
		return provisioning.Access{}, err
	}
	kc, err := pki.AdminKubeconfig(a.Name, d.Cloud.APIURL(api))
	if err != nil {
		return provisioning.Access{}, err
	}
	sum := sha256.Sum256([]byte(pki.WebhookCredential))
	return provisioning.Access{Kubeconfig: kc, WebhookTokenHash: sum[:]}, nil
}

// Remove deletes the cluster's load balancer, servers, router and network.
func (d *Driver) Remove(ctx context.Context, a provisioning.DeleteArgs, p provisioning.Progress) error {
	if !d.Enabled() {
		return fmt.Errorf("the openstack driver is not configured on this panel (--openstack-image): cannot remove cluster %s", a.Name)
	}
	p.Progress(10, "deleting the load balancer, servers, router and network")
	if err := d.Cloud.Remove(ctx, key(a.Name, a.ClusterID)); err != nil {
		return err
	}
	p.Progress(100, "deleted the load balancer, servers, router and network")
	return nil
}

// Restore is never needed: the cluster's servers do not end with the panel.
func (d *Driver) Restore(context.Context, models.Cluster) ([]byte, error) {
	return nil, models.Errorf(models.CodeInvalid, "an openstack cluster runs in the cloud: nothing to restore")
}

// Resize brings the cluster's workers to size.Workers: workers numbered from there up are
// drained (drain takes the node, named as its server, out of Kubernetes) and deleted,
// highest first; missing ones are created with the smallest flavor that fits size, and
// join the cluster with kubeadm from the create job's PKI. Workers that stay keep their
// flavor. It can run again after a crash: removed servers are not found, made ones are.
func (d *Driver) Resize(ctx context.Context, a provisioning.CreateArgs, size models.ClusterSize, drain provisioning.DrainFunc, p provisioning.Progress) error {
	if !d.Enabled() {
		return fmt.Errorf("the openstack driver is not configured on this panel (--openstack-image): cannot resize cluster %s", a.Name)
	}
	k := key(a.Name, a.ClusterID)
	removed, err := d.Cloud.RemoveWorkers(ctx, k, size.Workers, drain, func(msg string) { p.Log(models.EventInfo, msg) })
	if err != nil {
		return err
	}
	if len(removed) > 0 {
		p.Log(models.EventInfo, fmt.Sprintf("removed %d workers: %s", len(removed), strings.Join(removed, ", ")))
	}
	a.Size = size
	return d.Ensure(ctx, a, p)
}
