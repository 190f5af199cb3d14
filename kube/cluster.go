package kube

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"kaas/models"
)

// Cluster acts on one cluster as the panel, in the panel's own types: the cluster
// client the registry (clusters.Client), rbac (rbac.Cluster) and backups
// (backups.Cluster) declare.
type Cluster struct {
	cs kubernetes.Interface
	dc dynamic.Interface
}

// NewCluster returns the Cluster over a clientset and a dynamic client (nil when only
// the typed API is used).
func NewCluster(cs kubernetes.Interface, dc dynamic.Interface) *Cluster {
	return &Cluster{cs: cs, dc: dc}
}

// Connect parses an admin kubeconfig into a Cluster and the endpoint it names.
func Connect(kubeconfig []byte) (*Cluster, Endpoint, error) {
	cfg, ep, err := ParseKubeconfig(kubeconfig)
	if err != nil {
		return nil, Endpoint{}, err
	}
	cs, dc, err := clients(cfg)
	if err != nil {
		return nil, Endpoint{}, err
	}
	return NewCluster(cs, dc), ep, nil
}

// clients makes the typed and the dynamic client of a checked REST configuration.
func clients(cfg *rest.Config) (kubernetes.Interface, dynamic.Interface, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, nil, models.WrapError(models.CodeInvalid, err, "the kubeconfig cannot be used")
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, nil, models.WrapError(models.CodeInvalid, err, "the kubeconfig cannot be used")
	}
	return cs, dc, nil
}

// ServerVersion asks the cluster for its version: the check that it answers.
func (c *Cluster) ServerVersion(ctx context.Context) (string, error) { return ServerVersion(ctx, c.cs) }

// Health asks the cluster's /healthz.
func (c *Cluster) Health(ctx context.Context) (bool, string) { return Health(ctx, c.cs) }

// Nodes lists the cluster's nodes.
func (c *Cluster) Nodes(ctx context.Context) ([]models.KubeNode, error) { return Nodes(ctx, c.cs) }

// Bindings lists every ClusterRoleBinding and RoleBinding.
func (c *Cluster) Bindings(ctx context.Context) ([]models.KubeBinding, error) {
	return Bindings(ctx, c.cs)
}

// ClusterRoles lists the ClusterRoles, without the system ones, by name.
func (c *Cluster) ClusterRoles(ctx context.Context) ([]models.KubeClusterRole, error) {
	return ClusterRoles(ctx, c.cs)
}

// ClusterRoleExists reports whether a ClusterRole exists.
func (c *Cluster) ClusterRoleExists(ctx context.Context, name string) (bool, error) {
	return ClusterRoleExists(ctx, c.cs, name)
}

// NamespaceExists reports whether a namespace exists.
func (c *Cluster) NamespaceExists(ctx context.Context, name string) (bool, error) {
	return NamespaceExists(ctx, c.cs, name)
}

// CreateBinding creates a binding to a ClusterRole, labelled as the panel's.
func (c *Cluster) CreateBinding(ctx context.Context, b models.KubeBinding) error {
	return CreateBinding(ctx, c.cs, b)
}

// GetBinding returns one binding.
func (c *Cluster) GetBinding(ctx context.Context, namespace, name string) (models.KubeBinding, error) {
	return GetBinding(ctx, c.cs, namespace, name)
}

// DeleteBinding deletes a binding.
func (c *Cluster) DeleteBinding(ctx context.Context, namespace, name string) error {
	return DeleteBinding(ctx, c.cs, namespace, name)
}

// VeleroInstalled reports whether the cluster serves Velero's API.
func (c *Cluster) VeleroInstalled(ctx context.Context) (bool, error) { return VeleroInstalled(c.cs) }

// ListVelero lists the Velero objects of a kind (models.VeleroBackup, …), newest first.
func (c *Cluster) ListVelero(ctx context.Context, kind string) ([]models.VeleroObject, error) {
	gvr, err := c.veleroResource(kind)
	if err != nil {
		return nil, err
	}
	return ListVelero(ctx, c.dc, gvr)
}

// CreateVelero creates a Velero object of a kind from its spec, named from prefix.
func (c *Cluster) CreateVelero(ctx context.Context, kind, prefix string, spec map[string]any) (models.VeleroObject, error) {
	gvr, err := c.veleroResource(kind)
	if err != nil {
		return models.VeleroObject{}, err
	}
	return CreateVelero(ctx, c.dc, gvr, kind, prefix, spec)
}

// GetVelero returns one Velero object of a kind.
func (c *Cluster) GetVelero(ctx context.Context, kind, name string) (models.VeleroObject, error) {
	gvr, err := c.veleroResource(kind)
	if err != nil {
		return models.VeleroObject{}, err
	}
	return GetVelero(ctx, c.dc, gvr, name)
}

// veleroResource is the resource of a Velero kind.
func (c *Cluster) veleroResource(kind string) (schema.GroupVersionResource, error) {
	if c.dc == nil {
		return schema.GroupVersionResource{}, errors.New("velero: the cluster client has no dynamic client")
	}
	switch kind {
	case models.VeleroBackup:
		return BackupGVR, nil
	case models.VeleroSchedule:
		return ScheduleGVR, nil
	case models.VeleroRestore:
		return RestoreGVR, nil
	}
	return schema.GroupVersionResource{}, fmt.Errorf("no Velero kind %q", kind)
}
