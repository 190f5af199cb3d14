package clusters

import (
	"context"
	"fmt"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"kaas/kube"
)

// ClientGo is the Kube implementation over client-go.
type ClientGo struct{}

// Connect parses an admin kubeconfig into a clientset.
func (ClientGo) Connect(kubeconfig []byte) (kubernetes.Interface, Endpoint, error) {
	_, ep, err := kube.ParseKubeconfig(kubeconfig)
	if err != nil {
		return nil, Endpoint{}, err
	}
	cs, _, err := kube.Client(kubeconfig)
	if err != nil {
		return nil, Endpoint{}, err
	}
	return cs, Endpoint{APIURL: ep.APIURL, CAPEM: ep.CAPEM}, nil
}

// Clients returns a clientset and a dynamic client for an admin kubeconfig.
func (ClientGo) Clients(kubeconfig []byte) (kubernetes.Interface, dynamic.Interface, error) {
	cs, cfg, err := kube.Client(kubeconfig)
	if err != nil {
		return nil, nil, err
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("dynamic client: %w", err)
	}
	return cs, dc, nil
}

// ServerVersion asks the cluster for its version.
func (ClientGo) ServerVersion(ctx context.Context, cs kubernetes.Interface) (string, error) {
	return kube.ServerVersion(ctx, cs)
}
