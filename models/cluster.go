package models

import (
	"regexp"
	"strings"
	"time"
)

// ClusterStatus is where a cluster is in its life.
type ClusterStatus string

// The cluster statuses.
const (
	ClusterProvisioning ClusterStatus = "PROVISIONING"
	ClusterReady        ClusterStatus = "READY"
	ClusterDeleting     ClusterStatus = "DELETING"
	ClusterFailed       ClusterStatus = "FAILED"
)

// WebhookCacheTTL is how long the kube-apiservers of the clusters the panel provisions
// cache a TokenReview answer (--authentication-token-webhook-cache-ttl; kube-apiserver
// also keeps successful logins this long on its own): a deleted token is refused by the
// panel at once and by those clusters within this time.
const WebhookCacheTTL = 10 * time.Second

// SystemNamespace is the product's own namespace on every cluster.
const SystemNamespace = "kaas-system"

// SystemNamespaces are Kubernetes' and the panel's own namespaces on every cluster.
var SystemNamespaces = []string{"kube-system", SystemNamespace}

// AddonNamespaces are the namespaces of the built-in managed services (addons/catalog):
// the panel installs, upgrades and removes what is in them.
var AddonNamespaces = []string{"kaas-ingress", "kaas-monitoring", "kaas-logging", "kaas-registry", "velero"}

// ProtectedNamespaces are managed by the panel: it refuses bindings there.
var ProtectedNamespaces = append(append([]string{}, SystemNamespaces...), AddonNamespaces...)

// IsProtectedNamespace reports whether ns is managed by the panel.
func IsProtectedNamespace(ns string) bool {
	for _, p := range ProtectedNamespaces {
		if ns == p {
			return true
		}
	}
	return false
}

// ClusterSize is a cluster's provisioned size.
type ClusterSize struct {
	Workers      int
	WorkerVCPU   int
	WorkerRAMGB  int
	WorkerDiskGB int
	RegistryDBGB int
}

// DefaultClusterSize is the size of a cluster when nobody says otherwise.
var DefaultClusterSize = ClusterSize{Workers: 3, WorkerVCPU: 4, WorkerRAMGB: 8, WorkerDiskGB: 40, RegistryDBGB: 10}

// Validate returns an INVALID error for a size no cluster can have.
func (s ClusterSize) Validate() error {
	for _, f := range []struct {
		what      string
		v, lo, hi int
	}{
		{"workers", s.Workers, 1, 100},
		{"vCPUs per worker", s.WorkerVCPU, 1, 256},
		{"GB of RAM per worker", s.WorkerRAMGB, 1, 4096},
		{"GB of disk per worker", s.WorkerDiskGB, 10, 16384},
		{"GB for the registry database", s.RegistryDBGB, 1, 1024},
	} {
		if f.v < f.lo || f.v > f.hi {
			return Errorf(CodeInvalid, "a cluster has %d to %d %s, not %d", f.lo, f.hi, f.what, f.v)
		}
	}
	return nil
}

// Cluster is a Kubernetes cluster of the environment.
type Cluster struct {
	ID         string `gorm:"primaryKey"`
	Name       string
	BaseDomain string
	APIURL     string
	CAPEM      string
	Status     ClusterStatus
	Driver     string
	// AdminRoleIDs are the Keystone role IDs whose holders administer the cluster. "not
	// null" makes gorm's JSON serializer write an empty string, not NULL, for none.
	AdminRoleIDs []string    `gorm:"serializer:json;not null"`
	Size         ClusterSize `gorm:"embedded"`
	// Credential is the admin kubeconfig the panel acts with, encrypted (AES-GCM).
	Credential []byte
	// WebhookTokenHash is the SHA-256 of the credential the cluster's kube-apiserver
	// presents to the TokenReview webhook.
	WebhookTokenHash []byte
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// DefaultAdminBinding is the ClusterRoleBinding provisioning creates to give a cluster's
// Keystone admin role (as a group) the ClusterRole cluster-admin; the panel never deletes
// it through a binding request.
const DefaultAdminBinding = "kaas:default-cluster-admin"

// DefaultAdminRoleTemplate names a cluster's Keystone admin role; %s is the cluster name.
const DefaultAdminRoleTemplate = "%s-cluster-admin"

// AdminRoleName is the name of cluster's Keystone admin role by template (one %s).
func AdminRoleName(template, cluster string) string {
	if template == "" {
		template = DefaultAdminRoleTemplate
	}
	return strings.Replace(template, "%s", cluster, 1)
}

// ValidAdminRoleTemplate reports whether template names roles: exactly one %s and no
// other % verb, at most 200 characters.
func ValidAdminRoleTemplate(template string) bool {
	return len(template) <= 200 && strings.Count(template, "%s") == 1 && strings.Count(template, "%") == 1
}

// DriverLocal is the driver of clusters whose control plane (etcd, kube-apiserver,
// kube-controller-manager) runs on the panel's host, with no nodes.
const DriverLocal = "local"

// ControlPlaneOnly reports whether the cluster has no nodes of its own to run workloads
// (a LOCAL cluster): its provisioned size describes nothing that exists.
func (c *Cluster) ControlPlaneOnly() bool { return c.Driver == DriverLocal }

var dnsLabel = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$`)

// ValidClusterName reports whether name is a DNS label of at most 40 characters that
// starts with a letter.
func ValidClusterName(name string) bool { return dnsLabel.MatchString(name) }

var dnsDomain = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// ValidBaseDomain reports whether domain is a lowercase DNS name.
func ValidBaseDomain(domain string) bool { return len(domain) <= 253 && dnsDomain.MatchString(domain) }

// UserSetting holds a user's server-side preferences.
type UserSetting struct {
	UserID          string `gorm:"primaryKey"`
	ActiveClusterID string
	UpdatedAt       time.Time
}

// AuditEntry records who did what, when, on which cluster, and how it ended.
type AuditEntry struct {
	ID        int64 `gorm:"primaryKey;autoIncrement"`
	At        time.Time
	ActorID   string
	ActorName string
	Action    string
	ClusterID string
	Target    string
	// Result is "ok" or the error code.
	Result string
	Detail string
}

// AuditFilter selects audit entries. Zero fields do not filter.
type AuditFilter struct {
	ClusterID string
	ActorID   string
	ActorName string
	Action    string
	Since     time.Time
	// Before pages backwards: entries with an ID below it.
	Before int64
	Limit  int
}
