package models

import "time"

// Kubernetes subject kinds of an RBAC binding.
const (
	KubeUserKind  = "User"
	KubeGroupKind = "Group"
)

// KubeSubject is a subject of an RBAC binding on a cluster: a user or group name (or a
// service account).
type KubeSubject struct {
	Kind string
	Name string
}

// KubeBinding is a ClusterRoleBinding (Namespace "") or RoleBinding on a cluster, as the
// kube adapter reads and writes it.
type KubeBinding struct {
	Name      string
	Namespace string
	RoleKind  string
	RoleName  string
	Subjects  []KubeSubject
	Labels    map[string]string
	// Annotations hold what the panel noted on a binding it made (the Keystone user ID).
	Annotations map[string]string
	// Created is zero for a binding not read from the cluster.
	Created time.Time
}

// BindingID is how the panel names a binding: namespace/name for a RoleBinding, the name
// alone for a ClusterRoleBinding. It is the GraphQL RoleBinding.id and the audit target.
func BindingID(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

// KubeClusterRole is a ClusterRole a binding may grant.
type KubeClusterRole struct {
	Name string
	// Rules is how many rules it holds: 0 for an aggregated role (view, edit, admin) that
	// no controller manager has filled in, which grants nothing.
	Rules int
}

// KubeNode is a node's facts.
type KubeNode struct {
	Name           string
	Ready          bool
	Roles          []string
	KubeletVersion string
	VCPU           int
	MemoryBytes    float64
	StorageBytes   float64
}

// Velero kinds the panel reads and creates.
const (
	VeleroBackup   = "Backup"
	VeleroSchedule = "Schedule"
	VeleroRestore  = "Restore"
)

// VeleroObject is the part of a Velero Backup, Schedule or Restore the panel shows.
type VeleroObject struct {
	Name               string
	Phase              string
	IncludedNamespaces []string
	Schedule           string
	BackupName         string
	Created            *time.Time
	Started            *time.Time
	Completed          *time.Time
	Expires            *time.Time
	LastBackup         *time.Time
	Errors             int
	Warnings           int
}

// ManagedService is a service every cluster comes with, reached at
// https://<label>.<cluster>.<base domain>.
type ManagedService struct {
	// Label is the service's DNS label.
	Label string
	// Name is how the panel shows it.
	Name string
}

// ManagedServices are the managed services of every cluster, in the order shown.
var ManagedServices = []ManagedService{
	{"kibana", "Kibana"}, {"grafana", "Grafana"}, {"prometheus", "Prometheus"}, {"harbor", "Harbor"},
}

// URL returns https://<label>.<cluster>.<domain>.
func (s ManagedService) URL(c *Cluster) string {
	return "https://" + s.Label + "." + c.Name + "." + c.BaseDomain
}
