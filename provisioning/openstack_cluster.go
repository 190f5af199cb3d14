package provisioning

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kaas/clusters"
	"kaas/kubeadm"
	"kaas/models"
)

// openStackKey names a cluster's cloud resources: its name and the start of its ID, so
// that what an abandoned attempt left behind is never taken for a later cluster's.
func openStackKey(name, clusterID string) string {
	return name + "-" + strings.ReplaceAll(clusterID, "-", "")[:8]
}

// newSealedPKI makes a new cluster's PKI with its webhook credential, sealed with the
// cluster ID as associated data. It is made once, with the job's arguments, so a step
// run again after a crash hands the nodes the same CA.
func (cj *ClusterJobs) newSealedPKI(a CreateArgs) ([]byte, error) {
	cred, _, err := clusters.NewWebhookCredential()
	if err != nil {
		return nil, err
	}
	p, err := kubeadm.NewPKI(a.Name, cred, time.Now())
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("marshal PKI: %w", err)
	}
	sealed, err := cj.Sealer.Seal(b, []byte(a.ClusterID))
	if err != nil {
		return nil, fmt.Errorf("seal PKI: %w", err)
	}
	return sealed, nil
}

func (cj *ClusterJobs) openPKI(a CreateArgs) (*kubeadm.PKI, error) {
	b, err := cj.Sealer.Open(a.SealedPKI, []byte(a.ClusterID))
	if err != nil {
		return nil, fmt.Errorf("open PKI: %w", err)
	}
	var p kubeadm.PKI
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("unmarshal PKI: %w", err)
	}
	return &p, nil
}

// openStackInfrastructure builds the cluster's servers, network and API load balancer;
// the nodes' user data installs the cluster with kubeadm from the panel's PKI, with the
// panel as its authentication webhook.
func (cj *ClusterJobs) openStackInfrastructure(ctx context.Context, j *JobRun, a CreateArgs) error {
	pki, err := cj.openPKI(a)
	if err != nil {
		return err
	}
	hook, err := clusters.WebhookKubeconfig(cj.Kubeadm.WebhookURL, a.Name, cj.Kubeadm.WebhookCAPEM, pki.WebhookCredential)
	if err != nil {
		return err
	}
	userData := func(n kubeadm.Node, api OpenStackAPI) ([]byte, error) {
		c := kubeadm.Cluster{
			Name: a.Name, KubernetesVersion: cj.Kubeadm.KubernetesVersion, Endpoint: api.VIP, APIPort: cj.OpenStack.APIPort,
			PodSubnet: cj.Kubeadm.PodSubnet, ServiceSubnet: cj.Kubeadm.ServiceSubnet, WebhookKube: hook, CNIManifest: cj.Kubeadm.CNIManifest,
		}
		if api.Public != api.VIP {
			c.ExtraSANs = []string{api.Public}
		}
		return kubeadm.UserData(pki, c, n)
	}
	inf, err := cj.OpenStack.Ensure(ctx, openStackKey(a.Name, a.ClusterID), a.Size, userData, j.Progress)
	if err != nil {
		return err
	}
	j.Log(models.EventInfo, fmt.Sprintf("%d servers; the API will answer at %s", len(inf.ServerIDs), cj.OpenStack.APIURL(inf.API)))
	return nil
}

// openStackKubeconfig returns the panel's admin kubeconfig of a cluster the openstack
// driver built: the panel's own certificate, for the API load balancer's public address.
func (cj *ClusterJobs) openStackKubeconfig(ctx context.Context, a CreateArgs) ([]byte, error) {
	pki, err := cj.openPKI(a)
	if err != nil {
		return nil, err
	}
	api, err := cj.OpenStack.APIAddress(ctx, openStackKey(a.Name, a.ClusterID))
	if err != nil {
		return nil, err
	}
	return pki.AdminKubeconfig(a.Name, cj.OpenStack.APIURL(api))
}

// webhookHash returns the hash of the cluster's webhook credential the registry keeps,
// nil for a cluster whose credential the panel did not make.
func (cj *ClusterJobs) webhookHash(a CreateArgs) ([]byte, error) {
	if len(a.SealedPKI) == 0 {
		return nil, nil
	}
	pki, err := cj.openPKI(a)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(pki.WebhookCredential))
	return sum[:], nil
}
