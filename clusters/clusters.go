// Package clusters is the cluster registry: clusters, each user's active cluster, who
// administers which cluster, adoption of running clusters, and the per-cluster webhook
// credential.
package clusters

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"kaas/backups"
	"kaas/memo"
	"kaas/models"
	"kaas/rbac"
)

// Store persists clusters and users' choices.
type Store interface {
	CreateCluster(ctx context.Context, c *models.Cluster) error
	Clusters(ctx context.Context) ([]models.Cluster, error)
	Cluster(ctx context.Context, id string) (*models.Cluster, error)
	ClusterByName(ctx context.Context, name string) (*models.Cluster, error)
	UpdateCluster(ctx context.Context, c *models.Cluster) error
	// WebhookClusterName returns the name of the cluster whose webhook credential
	// hashes to hash, "" when none does.
	WebhookClusterName(ctx context.Context, hash []byte) (string, error)
	ActiveClusterID(ctx context.Context, userID string) (string, error)
	SetActiveClusterID(ctx context.Context, userID, clusterID string) error
}

// Sealer encrypts cluster credentials at rest.
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Open(sealed, aad []byte) ([]byte, error)
}

// Roles creates the Keystone admin role of an adopted cluster.
type Roles interface {
	EnsureRole(ctx context.Context, name string) (models.Role, error)
}

// Kube connects to clusters by their admin kubeconfig.
type Kube interface {
	// Connect parses an admin kubeconfig (INVALID when it cannot be used) into a client
	// and the endpoint it names.
	Connect(kubeconfig []byte) (Client, Endpoint, error)
}

// Client acts on one cluster as the panel (kube.Cluster): the registry's own checks, and
// what the RBAC and backup services ask of the clients the registry hands out.
type Client interface {
	// ServerVersion asks the cluster for its version: the check that it answers.
	ServerVersion(ctx context.Context) (string, error)
	// Health asks the cluster's /healthz: whether it is healthy and what it said.
	Health(ctx context.Context) (healthy bool, message string)
	Nodes(ctx context.Context) ([]models.KubeNode, error)
	rbac.Cluster
	backups.Cluster
}

// Endpoint is a cluster's API URL and CA.
type Endpoint struct {
	APIURL string
	CAPEM  string
}

// Options configures the registry.
type Options struct {
	// AdminRoleTemplate names a cluster's admin role; %s is the cluster name (default
	// models.DefaultAdminRoleTemplate).
	AdminRoleTemplate string
	// OperatorRole is the Keystone role (name or ID) of operators.
	OperatorRole string
	// RoleScope lists the scopes on which the operator role and the clusters' admin
	// roles count; the same role held anywhere else does not. Empty counts nowhere.
	RoleScope []models.ScopeRef
	// Webhook is where clusters reach the panel's TokenReview webhook.
	Webhook Webhook
}

// Webhook is where clusters reach the panel's TokenReview webhook.
type Webhook struct {
	// URL is the base URL clusters reach the webhook at.
	URL string
	// CAPEM is the CA of the webhook's TLS listener, empty when served over http.
	CAPEM string
	// AllowInsecure lets IssueWebhookKubeconfig hand out a plain-http URL.
	AllowInsecure bool
}

// Registry is the cluster registry.
type Registry struct {
	store  Store
	sealer Sealer
	roles  Roles
	kube   Kube
	opts   Options

	// credentials remembers which cluster a webhook credential hash names; only known
	// credentials are kept.
	credentials *memo.Cache[[32]byte, string]

	clientMu sync.Mutex
	clients  map[string]clientEntry

	facts *factCache
}

type clientEntry struct {
	version time.Time // the cluster row's UpdatedAt the client was built from
	client  Client
}

// New returns the registry.
func New(store Store, sealer Sealer, roles Roles, kube Kube, opts Options) *Registry {
	if opts.OperatorRole == "" {
		opts.OperatorRole = "admin"
	}
	return &Registry{store: store, sealer: sealer, roles: roles, kube: kube, opts: opts,
		credentials: memo.New[[32]byte, string](memo.Options{TTL: credentialTTL, Max: maxCachedCredentials}), clients: map[string]clientEntry{}, facts: newFactCache()}
}

// AdminRoleName returns the Keystone admin role's name for a cluster.
func (r *Registry) AdminRoleName(cluster string) string {
	return models.AdminRoleName(r.opts.AdminRoleTemplate, cluster)
}

// IsOperator reports whether the identity holds the environment's operator role on the
// role scope.
func (r *Registry) IsOperator(id models.Identity) bool {
	return id.HoldsRoleOn(r.opts.RoleScope, r.opts.OperatorRole)
}

// IsAdmin reports whether the identity administers the cluster: it holds one of the
// cluster's admin roles on the role scope (effective assignments, so group membership
// counts).
func (r *Registry) IsAdmin(id models.Identity, c *models.Cluster) bool {
	return c != nil && id.HoldsRoleOn(r.opts.RoleScope, c.AdminRoleIDs...)
}

// List returns every cluster.
func (r *Registry) List(ctx context.Context) ([]models.Cluster, error) { return r.store.Clusters(ctx) }

// Get returns one cluster.
func (r *Registry) Get(ctx context.Context, id string) (*models.Cluster, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, models.Errorf(models.CodeNotFound, "cluster not found")
	}
	return r.store.Cluster(ctx, id)
}

// Active returns the user's active cluster: the one they chose, or else the first by
// name (with one cluster, that one). Nil when there is no cluster.
func (r *Registry) Active(ctx context.Context, userID string) (*models.Cluster, error) {
	id, err := r.store.ActiveClusterID(ctx, userID)
	if err != nil {
		return nil, err
	}
	if id != "" {
		c, err := r.store.Cluster(ctx, id)
		if err == nil {
			return c, nil
		}
		if models.ErrorCode(err) != models.CodeNotFound {
			return nil, err
		}
	}
	all, err := r.store.Clusters(ctx)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	return &all[0], nil
}

// Select makes a cluster the user's active cluster.
func (r *Registry) Select(ctx context.Context, userID, clusterID string) (*models.Cluster, error) {
	c, err := r.Get(ctx, clusterID)
	if err != nil {
		return nil, err
	}
	return c, r.store.SetActiveClusterID(ctx, userID, c.ID)
}

// AdoptInput describes a running cluster to register.
type AdoptInput struct {
	Name         string
	BaseDomain   string
	Kubeconfig   []byte
	AdminRoleIDs []string
}

// Adopt registers a running cluster after checking that its API answers with the given
// credentials. Without admin roles the role <name>-cluster-admin is created in Keystone.
func (r *Registry) Adopt(ctx context.Context, in AdoptInput) (*models.Cluster, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.BaseDomain = strings.ToLower(strings.TrimSpace(in.BaseDomain))
	if !models.ValidClusterName(in.Name) {
		return nil, models.Errorf(models.CodeInvalid, "a cluster name is a DNS label: lowercase letters, digits and '-', starting with a letter, at most 40 characters")
	}
	if !models.ValidBaseDomain(in.BaseDomain) {
		return nil, models.Errorf(models.CodeInvalid, "the base domain %q is not a DNS name", in.BaseDomain)
	}
	for _, id := range in.AdminRoleIDs {
		if strings.TrimSpace(id) == "" || len(id) > 64 {
			return nil, models.Errorf(models.CodeInvalid, "admin role IDs must be Keystone role IDs")
		}
	}
	if _, err := r.store.ClusterByName(ctx, in.Name); err == nil {
		return nil, models.Errorf(models.CodeConflict, "a cluster named %s already exists", in.Name)
	} else if models.ErrorCode(err) != models.CodeNotFound {
		return nil, err
	}
	client, ep, err := r.kube.Connect(in.Kubeconfig)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := client.ServerVersion(cctx); err != nil {
		return nil, models.WrapError(models.CodeInvalid, err, "the cluster's API did not answer with these credentials: "+models.ErrorMessage(err))
	}
	if len(in.AdminRoleIDs) == 0 {
		role, err := r.roles.EnsureRole(ctx, r.AdminRoleName(in.Name))
		if err != nil {
			return nil, err
		}
		in.AdminRoleIDs = []string{role.ID}
	}
	c := &models.Cluster{
		ID: uuid.NewString(), Name: in.Name, BaseDomain: in.BaseDomain, APIURL: ep.APIURL, CAPEM: ep.CAPEM,
		Status: models.ClusterReady, Driver: "existing", AdminRoleIDs: in.AdminRoleIDs, Size: models.DefaultClusterSize,
	}
	if c.Credential, err = r.sealer.Seal(in.Kubeconfig, []byte(c.ID)); err != nil {
		return nil, fmt.Errorf("seal credential: %w", err)
	}
	if err := r.store.CreateCluster(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// Kubeconfig returns the admin kubeconfig the panel acts on the cluster with.
func (r *Registry) Kubeconfig(c *models.Cluster) ([]byte, error) {
	kc, err := r.sealer.Open(c.Credential, []byte(c.ID))
	if err != nil {
		return nil, fmt.Errorf("open credential of cluster %s: %w", c.Name, err)
	}
	return kc, nil
}

// Client returns a client acting on the cluster as the panel. Clients are kept per
// cluster until its row changes, so connections are reused across requests.
func (r *Registry) Client(c *models.Cluster) (Client, error) {
	r.clientMu.Lock()
	defer r.clientMu.Unlock()
	if e, ok := r.clients[c.ID]; ok && e.version.Equal(c.UpdatedAt) {
		return e.client, nil
	}
	kc, err := r.Kubeconfig(c)
	if err != nil {
		return nil, err
	}
	client, _, err := r.kube.Connect(kc)
	if err != nil {
		return nil, err
	}
	r.clients[c.ID] = clientEntry{version: c.UpdatedAt, client: client}
	return client, nil
}

// webhookCredentialPrefix marks a cluster's webhook credential.
const webhookCredentialPrefix = "kaaswh_"

// IssueWebhookCredential makes a new credential for the cluster's kube-apiserver to
// present to the TokenReview webhook, replacing the previous one, and returns it. Only
// its hash is kept.
func (r *Registry) IssueWebhookCredential(ctx context.Context, clusterID string) (*models.Cluster, string, error) {
	c, err := r.Get(ctx, clusterID)
	if err != nil {
		return nil, "", err
	}
	cred, hash, err := NewWebhookCredential()
	if err != nil {
		return nil, "", err
	}
	c.WebhookTokenHash = hash
	if err := r.store.UpdateCluster(ctx, c); err != nil {
		return nil, "", err
	}
	r.credentials.ForgetAll()
	return c, cred, nil
}

// IssueWebhookKubeconfig makes a new webhook credential for the cluster, replacing the
// previous one, and returns the kubeconfig its kube-apiserver is given. A webhook URL
// clusters cannot use (see CheckWebhookURL) is refused before a credential is made: a
// refusal changes nothing.
func (r *Registry) IssueWebhookKubeconfig(ctx context.Context, clusterID string) ([]byte, error) {
	if err := CheckWebhookURL(r.opts.Webhook.URL, r.opts.Webhook.AllowInsecure); err != nil {
		return nil, err
	}
	c, cred, err := r.IssueWebhookCredential(ctx, clusterID)
	if err != nil {
		return nil, err
	}
	return WebhookKubeconfig(r.opts.Webhook.URL, c.Name, r.opts.Webhook.CAPEM, cred)
}

// WebhookIdentifiesClusters reports whether clusters' kube-apiservers present their
// webhook credential: they send a webhook kubeconfig's credentials only over TLS.
func (r *Registry) WebhookIdentifiesClusters() bool {
	return strings.HasPrefix(r.opts.Webhook.URL, "https://")
}

// NewWebhookCredential makes a credential for a cluster's kube-apiserver to present to
// the TokenReview webhook, and the hash the registry keeps of it.
func NewWebhookCredential() (credential string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("generate credential: %w", err)
	}
	credential = webhookCredentialPrefix + base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(credential))
	return credential, sum[:], nil
}

// credentialTTL bounds how long a replica trusts a cached credential after rotation.
const credentialTTL = time.Minute

// maxCachedCredentials bounds the credential cache. Only credentials that name a
// cluster are cached, so its size follows the clusters (one credential each), not the
// callers: a spray of unknown credentials cannot grow it or push real ones out.
const maxCachedCredentials = 1024

// validCredential reports whether s has the shape NewWebhookCredential gives: the prefix
// and 32 bytes in unpadded base64url.
func validCredential(s string) bool {
	body, ok := strings.CutPrefix(s, webhookCredentialPrefix)
	if !ok || len(body) != base64.RawURLEncoding.EncodedLen(32) {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ClusterForCredential returns the name of the cluster whose webhook credential this
// is, "" for none. A malformed credential costs no lookup; an unknown one costs one
// lookup in the database's unique index on the credential hash; known ones are cached
// for a minute.
func (r *Registry) ClusterForCredential(ctx context.Context, credential string) (string, error) {
	if !validCredential(credential) {
		return "", nil
	}
	sum := sha256.Sum256([]byte(credential))
	name, err := r.credentials.Get(ctx, sum, func(ctx context.Context) (string, error) {
		name, err := r.store.WebhookClusterName(ctx, sum[:])
		if err == nil && name == "" {
			err = errUnknownCredential // not remembered: errors never are
		}
		return name, err
	})
	if errors.Is(err, errUnknownCredential) {
		return "", nil
	}
	return name, err
}

// errUnknownCredential keeps an unknown credential out of the cache.
var errUnknownCredential = errors.New("no cluster has this webhook credential")
