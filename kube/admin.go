package kube

import (
	"context"
	"fmt"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// Admin is the panel's admin access to a cluster, from the cluster's admin kubeconfig:
// what provisioning does in the clusters it makes.
type Admin struct {
	cs kubernetes.Interface
	dc dynamic.Interface
}

// Connect returns admin access to the cluster of an admin kubeconfig. A kubeconfig that
// cannot be used is INVALID (see ParseKubeconfig); nothing is sent to the cluster yet.
func Connect(kubeconfig []byte) (*Admin, error) {
	cs, cfg, err := Client(kubeconfig)
	if err != nil {
		return nil, err
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	return &Admin{cs: cs, dc: dc}, nil
}

// APIEndpoint returns the API URL and CA of an admin kubeconfig (see ParseKubeconfig).
func APIEndpoint(kubeconfig []byte) (apiURL, caPEM string, err error) {
	_, ep, err := ParseKubeconfig(kubeconfig)
	return ep.APIURL, ep.CAPEM, err
}

// ServerVersion asks the cluster for its version: the check that it answers.
func (a *Admin) ServerVersion(ctx context.Context) (string, error) {
	return ServerVersion(ctx, a.cs)
}

// EnsureNamespace creates a namespace unless it exists.
func (a *Admin) EnsureNamespace(ctx context.Context, name string) error {
	return EnsureNamespace(ctx, a.cs, name)
}

// EnsureGroupClusterRoleBinding makes the ClusterRoleBinding name bind the group to the
// ClusterRole, creating or correcting it.
func (a *Admin) EnsureGroupClusterRoleBinding(ctx context.Context, name, group, clusterRole string) error {
	return EnsureGroupClusterRoleBinding(ctx, a.cs, name, group, clusterRole)
}

// DeleteBinding deletes a ClusterRoleBinding (namespace "") or a RoleBinding.
func (a *Admin) DeleteBinding(ctx context.Context, namespace, name string) error {
	return DeleteBinding(ctx, a.cs, namespace, name)
}

// VeleroInstalled reports whether the cluster serves Velero's API.
func (a *Admin) VeleroInstalled() (bool, error) { return VeleroInstalled(a.cs) }

// EnsureVeleroSchedule creates a Velero Schedule of every namespace unless one with the
// name exists.
func (a *Admin) EnsureVeleroSchedule(ctx context.Context, name, cron, ttl string) error {
	return EnsureVeleroSchedule(ctx, a.dc, name, cron, ttl)
}
