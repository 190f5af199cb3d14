package kube

import (
	"context"
)

// EnsureNamespace creates a namespace unless it exists.
func (c *Cluster) EnsureNamespace(ctx context.Context, name string) error {
	return EnsureNamespace(ctx, c.cs, name)
}

// EnsureGroupClusterRoleBinding makes the ClusterRoleBinding name bind the group to the
// ClusterRole, creating or correcting it.
func (c *Cluster) EnsureGroupClusterRoleBinding(ctx context.Context, name, group, clusterRole string) error {
	return EnsureGroupClusterRoleBinding(ctx, c.cs, name, group, clusterRole)
}

// EnsureVeleroSchedule creates a Velero Schedule of every namespace unless one with the
// name exists.
func (c *Cluster) EnsureVeleroSchedule(ctx context.Context, name, cron, ttl string) error {
	return EnsureVeleroSchedule(ctx, c.dc, name, cron, ttl)
}

// Drain takes a node out of the cluster (see Drain).
func (c *Cluster) Drain(ctx context.Context, node string, say func(string)) error {
	return Drain(ctx, c.cs, node, say)
}
