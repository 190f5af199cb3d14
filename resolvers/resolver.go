// Package resolvers implements the GraphQL schema. Resolvers are thin: who is calling,
// may they, call one service, map the result.
package resolvers

import (
	"kaas/addons"
	"kaas/audit"
	"kaas/auth"
	"kaas/clusters"
	"kaas/identity"
	"kaas/provisioning"
	"kaas/rbac"
	"kaas/tokens"
)

// Resolver is the root resolver and the dependency-injection point, built once in main.
type Resolver struct {
	Auth         *auth.Service
	TokenService *tokens.Service
	Registry     *clusters.Registry
	Audit        *audit.Recorder
	RBAC         *rbac.Service
	Keystone     *identity.Keystone
	Prober       *clusters.Prober
	Engine       *provisioning.Engine
	ClusterJobs  *provisioning.ClusterJobs
	// AddonInstaller is the add-on catalog's installer (health, and checks before jobs).
	AddonInstaller *addons.Installer
	// Usernames is the Kubernetes user-name rule the webhook answers with.
	Usernames identity.UsernameRule
	// PublicURL is where clusters reach the panel's webhook.
	PublicURL string
	// WebhookCAPEM is the CA of the webhook's TLS listener, empty when served over http.
	WebhookCAPEM string
	// AllowInsecureWebhook lets issueWebhookKubeconfig hand out a plain-http PublicURL.
	AllowInsecureWebhook bool
}
