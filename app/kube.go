package app

import (
	"kaas/clusters"
	"kaas/kube"
)

// clusterKube is the registry's Kube seam over client-go (kube.Connect).
type clusterKube struct{}

// Connect returns the cluster client and endpoint of an admin kubeconfig.
func (clusterKube) Connect(kubeconfig []byte) (clusters.Client, clusters.Endpoint, error) {
	c, ep, err := kube.Connect(kubeconfig)
	if err != nil {
		return nil, clusters.Endpoint{}, err
	}
	return c, clusters.Endpoint{APIURL: ep.APIURL, CAPEM: ep.CAPEM}, nil
}
