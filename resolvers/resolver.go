// Package resolvers implements the GraphQL schema. Resolvers are thin: who is calling,
// may they, call one service, map the result.
package resolvers

import (
	"context"
	"time"

	"kaas/addons"
	"kaas/audit"
	"kaas/clusters"
	"kaas/jobs"
	"kaas/models"
	"kaas/provisioning"
	"kaas/rbac"
	"kaas/resize"
	"kaas/tokens"
)

// Resolver is the root resolver and the dependency-injection point, built once in main.
type Resolver struct {
	Auth         Sessions
	TokenService Tokens
	Registry     Clusters
	Audit        AuditTrail
	RBAC         Bindings
	Keystone     RoleNames
	Prober       ServiceProber
	Engine       *jobs.Engine
	ClusterJobs  *provisioning.ClusterJobs
	Resize       Resizes
	// AddonInstaller is the add-on catalog's installer (health, and checks before jobs).
	AddonInstaller *addons.Installer
	// Usernames is the Kubernetes user-name rule the webhook answers with.
	Usernames Usernames
}

// Sessions signs callers in and out and tells who is calling (auth.Service).
type Sessions interface {
	// Viewer returns the caller's identity, recomputed from Keystone's (cached) assignments.
	Viewer(ctx context.Context) (models.Identity, error)
	Login(ctx context.Context, username, password, domain string) (models.Identity, error)
	Logout(ctx context.Context) error
	EndSessions(ctx context.Context, userID string) (int, error)
}

// Tokens manages a user's API tokens (tokens.Service).
type Tokens interface {
	Create(ctx context.Context, owner models.Principal, name string, lifetime time.Duration) (string, *models.Token, error)
	List(ctx context.Context, userID string, after *models.TokenCursor, first int) (tokens.TokenPage, error)
	Delete(ctx context.Context, userID, id string) (*models.Token, error)
}

// Clusters is the cluster registry (clusters.Registry).
type Clusters interface {
	IsOperator(id models.Identity) bool
	IsAdmin(id models.Identity, c *models.Cluster) bool
	List(ctx context.Context) ([]models.Cluster, error)
	Get(ctx context.Context, id string) (*models.Cluster, error)
	// Active returns the user's active cluster, nil when there is none.
	Active(ctx context.Context, userID string) (*models.Cluster, error)
	Select(ctx context.Context, userID, clusterID string) (*models.Cluster, error)
	Adopt(ctx context.Context, in clusters.AdoptInput) (*models.Cluster, error)
	// IssueWebhookKubeconfig replaces the cluster's webhook credential and returns the
	// kubeconfig its kube-apiserver is given.
	IssueWebhookKubeconfig(ctx context.Context, clusterID string) ([]byte, error)
	WebhookIdentifiesClusters() bool
	// Client acts on the cluster as the panel.
	Client(c *models.Cluster) (clusters.Client, error)
	Health(ctx context.Context, c *models.Cluster) clusters.Health
	Nodes(ctx context.Context, c *models.Cluster) ([]models.KubeNode, error)
	// Kubeconfig opens the cluster's admin kubeconfig.
	Kubeconfig(c *models.Cluster) ([]byte, error)
}

// AuditTrail records actions and pages through them (audit.Recorder).
type AuditTrail interface {
	Record(ctx context.Context, actor models.Principal, action, clusterID, target string, err error)
	Page(ctx context.Context, access audit.Access, q audit.Query) (audit.Page, error)
}

// Bindings manages a cluster's RBAC bindings of Keystone roles and users (rbac.Service).
type Bindings interface {
	List(ctx context.Context, cluster rbac.Cluster) ([]rbac.Binding, error)
	Create(ctx context.Context, cluster rbac.Cluster, in rbac.CreateInput) (rbac.Binding, error)
	Delete(ctx context.Context, cluster rbac.Cluster, namespace, name string) error
	ClusterRoles(ctx context.Context, clusterID string, cluster rbac.Cluster) ([]string, error)
	EmptyClusterRoles(ctx context.Context, clusterID string, cluster rbac.Cluster) ([]string, error)
	Roles(ctx context.Context) ([]models.Role, error)
	SearchUsers(ctx context.Context, query string, offset, limit int) (rbac.UserPage, error)
}

// RoleNames names Keystone roles (identity.Keystone).
type RoleNames interface {
	Role(ctx context.Context, roleID string) (models.Role, error)
}

// ServiceProber reports a cluster's managed services (clusters.Prober).
type ServiceProber interface {
	Services(c *models.Cluster) []clusters.ServiceStatus
}

// Usernames is the Kubernetes user-name rule (identity.UsernameRule).
type Usernames interface {
	Of(id models.Identity) (string, error)
}

// Resizes is the resize workflow (resize.Service).
type Resizes interface {
	Resizable(c *models.Cluster) bool
	Request(ctx context.Context, actor models.Principal, c *models.Cluster, ch resize.Change) (*models.ResizeRequest, error)
	Resize(ctx context.Context, actor models.Principal, c *models.Cluster, ch resize.Change) (*models.Job, error)
	Approve(ctx context.Context, actor models.Principal, id string) (*models.ResizeRequest, error)
	Decline(ctx context.Context, actor models.Principal, id, reason string) (*models.ResizeRequest, error)
	List(ctx context.Context, f models.ResizeFilter) ([]models.ResizeRequest, error)
}
