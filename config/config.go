// Package config parses the panel's configuration from flags and the environment once,
// in main, into a Config that the rest of the program receives.
package config

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kaas/models"
)

// Config is everything the panel is configured with.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseDSN string
	// Database bounds the PostgreSQL connections, statements and retries of a replica.
	Database  Database
	PublicURL string
	LogLevel  string

	Keystone Keystone

	// SessionKey signs panel sessions; generated in DataDir when empty.
	SessionKey []byte
	SessionTTL time.Duration
	// CredentialKey encrypts cluster credentials at rest (AES-256); generated in DataDir
	// when empty.
	CredentialKey []byte
	// OldCredentialKeys decrypt credentials written before a key rotation.
	OldCredentialKeys [][]byte

	OperatorRole string
	// Access holds the role scope, the user-name rule, login throttling and trusted proxies.
	Access Access

	IdentityTTL   time.Duration
	IdentityStale time.Duration
	// TokenStoreStale is how long after the token index was last known current (the
	// database unreachable) tokens known before keep authenticating.
	TokenStoreStale time.Duration

	WebhookAddr    string
	WebhookTLSCert string
	WebhookTLSKey  string
	// WebhookRequireClusterCredential rejects TokenReviews that do not carry a cluster's
	// webhook credential.
	WebhookRequireClusterCredential bool
	// AllowInsecureWebhook lets the panel wire clusters to a plain-http webhook URL
	// (issueWebhookKubeconfig, the local driver): tokens then cross the network in clear.
	// For loopback demos only.
	AllowInsecureWebhook bool

	ShutdownTimeout time.Duration

	// HTTP bounds every connection of the panel's listeners.
	HTTP HTTP
	// MaxWebsocketsPerUser and MaxSubscriptionsPerUser cap what one principal holds open.
	MaxWebsocketsPerUser    int
	MaxSubscriptionsPerUser int

	// KubeBinDir holds etcd, kube-apiserver and kubectl for the local cluster driver;
	// empty disables that driver.
	KubeBinDir string

	// WebhookPublicURL is where clusters reach the webhook; default the webhook listener
	// (or the public URL).
	WebhookPublicURL string

	// OpenStack configures the openstack cluster driver; an empty Image turns it off.
	OpenStack OpenStack
	// Kubeadm is what the nodes of clusters built with kubeadm are told.
	Kubeadm Kubeadm
	// Addons is the managed-services catalog and what new clusters get of it.
	Addons Addons

	// JobLease is how long a provisioning job stays with a replica that stopped renewing
	// it (a crash) before another resumes it.
	JobLease time.Duration
	// FaultPauseAfterStep is for fault-injection tests only (see jobs.Options).
	FaultPauseAfterStep time.Duration

	// MaxTokensPerUser caps the API tokens one user may hold; 0 means no limit.
	MaxTokensPerUser int
	// AuditRetention is how long audit entries are kept; 0 keeps them forever.
	AuditRetention time.Duration
	// ExpiredTokenGrace is how long expired tokens stay listed before they are deleted.
	ExpiredTokenGrace time.Duration
	// PruneInterval is the time between pruning passes (one replica at a time).
	PruneInterval time.Duration
	// AdminRoleTemplate names each cluster's Keystone admin role; %s is the cluster name.
	AdminRoleTemplate string
}

// Defaults of the retention settings.
const (
	DefaultAuditRetention    = 400 * 24 * time.Hour
	DefaultExpiredTokenGrace = 30 * 24 * time.Hour
)

// Database bounds what one replica asks of PostgreSQL (SQLite uses none of it).
type Database struct {
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	// StatementTimeout cancels longer statements; zero means no limit.
	StatementTimeout time.Duration
	// TxRetries is how often a transaction aborted by a serialization failure or a
	// deadlock is run again; zero means never.
	TxRetries int
	// ListenCheck is how long a notice listener stays silent before pinging its
	// connection (and how long the ping may take): a silently dead one is found within
	// twice this.
	ListenCheck time.Duration
}

// HTTP bounds the connections of the panel's HTTP servers (main and webhook listeners),
// so that slow or idle clients cannot hold them.
type HTTP struct {
	// ReadHeaderTimeout closes a connection whose request headers do not arrive in time.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, WriteTimeout writing its response
	// (websocket upgrades lift both: their pings bound them instead).
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	// IdleTimeout closes keep-alive connections that carry no request.
	IdleTimeout    time.Duration
	MaxHeaderBytes int
}

// DefaultHTTP is the HTTP configuration when no flag changes it.
var DefaultHTTP = HTTP{
	ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 2 * time.Minute,
	IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
}

// WithDefaults returns h with DefaultHTTP's value for each unset field.
func (h HTTP) WithDefaults() HTTP {
	d := DefaultHTTP
	if h.ReadHeaderTimeout > 0 {
		d.ReadHeaderTimeout = h.ReadHeaderTimeout
	}
	if h.ReadTimeout > 0 {
		d.ReadTimeout = h.ReadTimeout
	}
	if h.WriteTimeout > 0 {
		d.WriteTimeout = h.WriteTimeout
	}
	if h.IdleTimeout > 0 {
		d.IdleTimeout = h.IdleTimeout
	}
	if h.MaxHeaderBytes > 0 {
		d.MaxHeaderBytes = h.MaxHeaderBytes
	}
	return d
}

// OpenStack is where and how the openstack driver builds clusters, with the panel's
// Keystone service account in its project.
type OpenStack struct {
	// Image holds containerd, kubelet and kubeadm of Kubeadm.KubernetesVersion.
	Image             string
	Region            string
	ExternalNetworkID string
	SubnetCIDR        string
	DNSNameservers    []string
	Masters           int
	APIPort           int
}

// Kubeadm is what the panel tells the nodes of the clusters kubeadm builds.
type Kubeadm struct {
	KubernetesVersion string
	PodSubnet         string
	ServiceSubnet     string
	CNIManifest       string
}

// Addons configures the add-on catalog.
type Addons struct {
	// CatalogDir is an operator's catalog laid over the built-in one; empty for none.
	CatalogDir string
	// Defaults are the add-ons installed on the clusters the panel builds, in order: nil
	// means every add-on of the catalog, empty none.
	Defaults []string
}

// DefaultKeystoneIdleTimeout is below common servers' keep-alive timeouts (Apache: 5 s).
const DefaultKeystoneIdleTimeout = 4 * time.Second

// DefaultTokenStoreStale is how long, by default, the token index answers from memory
// for tokens it knew while the database is unreachable: as long as a cached identity is
// served while Keystone is.
const DefaultTokenStoreStale = 30 * time.Minute

// Keystone is how the panel reaches Keystone and its service account.
type Keystone struct {
	AuthURL       string
	Username      string
	Password      string
	ProjectName   string
	UserDomain    string
	ProjectDomain string
	Timeout       time.Duration
	// IdleTimeout closes keep-alive connections to Keystone idle this long: below the
	// server's own keep-alive timeout (Apache's is 5 s), so the panel never sends a
	// request on a connection the server is closing.
	IdleTimeout time.Duration
}

// Load parses args (without the program name) with defaults from the environment that
// getenv reads. Flags win over the environment.
func Load(args []string, getenv func(string) string) (Config, error) {
	var c Config
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	typed := &typedEnv{getenv: getenv}
	fs := flag.NewFlagSet("kaas", flag.ContinueOnError)
	fs.StringVar(&c.Addr, "addr", env("KAAS_ADDR", ":8080"), "listen address of the panel, API and webhook")
	fs.StringVar(&c.DataDir, "data-dir", env("KAAS_DATA_DIR", "data"), "directory for the embedded database and generated keys")
	fs.StringVar(&c.DatabaseDSN, "database-dsn", env("KAAS_DATABASE_DSN", ""), "PostgreSQL DSN; empty means SQLite in the data directory")
	fs.IntVar(&c.Database.MaxOpenConns, "database-max-open-conns", typed.int("KAAS_DATABASE_MAX_OPEN_CONNS", 20), "PostgreSQL connections one replica pools at most")
	fs.IntVar(&c.Database.MaxIdleConns, "database-max-idle-conns", typed.int("KAAS_DATABASE_MAX_IDLE_CONNS", 10), "pooled PostgreSQL connections kept open while idle")
	fs.DurationVar(&c.Database.ConnMaxLifetime, "database-conn-max-lifetime", typed.duration("KAAS_DATABASE_CONN_MAX_LIFETIME", 30*time.Minute), "longest life of a pooled PostgreSQL connection")
	fs.DurationVar(&c.Database.StatementTimeout, "database-statement-timeout", typed.duration("KAAS_DATABASE_STATEMENT_TIMEOUT", 30*time.Second), "PostgreSQL statement_timeout of pooled connections (0: none)")
	fs.IntVar(&c.Database.TxRetries, "database-tx-retries", typed.int("KAAS_DATABASE_TX_RETRIES", 3), "re-runs of a transaction aborted by a serialization failure or deadlock")
	fs.DurationVar(&c.Database.ListenCheck, "database-listen-check", typed.duration("KAAS_DATABASE_LISTEN_CHECK", 5*time.Second), "silence after which a notice listener pings its connection")
	fs.StringVar(&c.PublicURL, "public-url", env("KAAS_PUBLIC_URL", ""), "URL users and clusters reach the panel at")
	fs.StringVar(&c.LogLevel, "log-level", env("KAAS_LOG_LEVEL", "info"), "debug, info, warn or error")
	fs.StringVar(&c.Keystone.AuthURL, "keystone-url", env("OS_AUTH_URL", ""), "Keystone v3 URL")
	fs.StringVar(&c.Keystone.Username, "keystone-username", env("OS_USERNAME", ""), "service account user name")
	c.Keystone.Password = getenv("OS_PASSWORD")
	fs.StringVar(&c.Keystone.ProjectName, "keystone-project", env("OS_PROJECT_NAME", "admin"), "service account project")
	fs.StringVar(&c.Keystone.UserDomain, "keystone-user-domain", env("OS_USER_DOMAIN_NAME", env("OS_DOMAIN_NAME", "Default")), "service account user domain")
	fs.StringVar(&c.Keystone.ProjectDomain, "keystone-project-domain", env("OS_PROJECT_DOMAIN_NAME", env("OS_DOMAIN_NAME", "Default")), "service account project domain")
	keystoneTimeout := fs.Duration("keystone-timeout", typed.duration("KAAS_KEYSTONE_TIMEOUT", 10*time.Second), "timeout of one Keystone request")
	fs.DurationVar(&c.Keystone.IdleTimeout, "keystone-idle-timeout", typed.duration("KAAS_KEYSTONE_IDLE_TIMEOUT", DefaultKeystoneIdleTimeout), "close keep-alive connections to Keystone idle this long (below Keystone's server keep-alive timeout)")
	sessionKey := fs.String("session-key", "", "base64 session signing key (env KAAS_SESSION_KEY); generated when empty")
	fs.DurationVar(&c.SessionTTL, "session-ttl", typed.duration("KAAS_SESSION_TTL", 12*time.Hour), "lifetime of a panel session")
	credentialKey := fs.String("credential-key", "", "base64 32-byte key encrypting cluster credentials (env KAAS_CREDENTIAL_KEY); generated when empty")
	oldKeys := fs.String("old-credential-keys", "", "comma-separated base64 keys used before a rotation (env KAAS_OLD_CREDENTIAL_KEYS)")
	fs.StringVar(&c.AdminRoleTemplate, "cluster-admin-role-template", env("KAAS_CLUSTER_ADMIN_ROLE_TEMPLATE", models.DefaultAdminRoleTemplate), "name of each cluster's Keystone admin role; %s is the cluster name")
	fs.StringVar(&c.OperatorRole, "operator-role", env("KAAS_OPERATOR_ROLE", "admin"), "Keystone role (name or ID) of operators")
	fs.DurationVar(&c.IdentityTTL, "identity-ttl", typed.duration("KAAS_IDENTITY_TTL", 5*time.Minute), "how long a user's Keystone identity is cached")
	fs.DurationVar(&c.IdentityStale, "identity-stale", typed.duration("KAAS_IDENTITY_STALE", 30*time.Minute), "how long past its TTL a cached identity is served while Keystone is unreachable")
	fs.DurationVar(&c.TokenStoreStale, "token-store-stale-window", typed.duration("KAAS_TOKEN_STORE_STALE_WINDOW", DefaultTokenStoreStale), "how long tokens known before the database became unreachable keep authenticating from memory")
	fs.StringVar(&c.WebhookAddr, "webhook-addr", env("KAAS_WEBHOOK_ADDR", ""), "extra TLS listener for the TokenReview webhook only")
	fs.StringVar(&c.WebhookTLSCert, "webhook-tls-cert", env("KAAS_WEBHOOK_TLS_CERT", ""), "certificate of the webhook listener")
	fs.StringVar(&c.WebhookTLSKey, "webhook-tls-key", env("KAAS_WEBHOOK_TLS_KEY", ""), "key of the webhook listener")
	fs.BoolVar(&c.WebhookRequireClusterCredential, "webhook-require-cluster-credential", typed.bool("KAAS_WEBHOOK_REQUIRE_CLUSTER_CREDENTIAL"), "reject TokenReviews without a cluster's webhook credential")
	fs.BoolVar(&c.AllowInsecureWebhook, "allow-insecure-webhook", typed.bool("KAAS_ALLOW_INSECURE_WEBHOOK"), "hand out and wire plain-http webhook URLs (tokens cross the network in clear; loopback demos only)")
	fs.StringVar(&c.KubeBinDir, "kube-bin-dir", env("KAAS_KUBE_BIN_DIR", ""), "etcd, kube-apiserver and kubectl for the local cluster driver (empty: driver off)")
	fs.StringVar(&c.WebhookPublicURL, "webhook-public-url", env("KAAS_WEBHOOK_PUBLIC_URL", ""), "where clusters reach the webhook (default: the webhook listener, else the public URL)")
	fs.StringVar(&c.OpenStack.Image, "openstack-image", env("KAAS_OPENSTACK_IMAGE", ""), "image ID of cluster nodes (containerd, kubelet, kubeadm); empty: openstack driver off")
	fs.StringVar(&c.OpenStack.Region, "openstack-region", env("OS_REGION_NAME", ""), "region of the compute, network and load-balancer endpoints")
	fs.StringVar(&c.OpenStack.ExternalNetworkID, "openstack-external-network", env("KAAS_OPENSTACK_EXTERNAL_NETWORK", ""), "external network for the clusters' routers and API floating IPs")
	fs.StringVar(&c.OpenStack.SubnetCIDR, "openstack-subnet-cidr", env("KAAS_OPENSTACK_SUBNET_CIDR", "10.20.0.0/24"), "CIDR of each cluster's subnet")
	dns := fs.String("openstack-dns", env("KAAS_OPENSTACK_DNS", ""), "comma-separated DNS servers of the clusters' subnets")
	fs.IntVar(&c.OpenStack.Masters, "openstack-masters", typed.int("KAAS_OPENSTACK_MASTERS", 1), "control-plane servers per cluster")
	fs.IntVar(&c.OpenStack.APIPort, "openstack-api-port", typed.int("KAAS_OPENSTACK_API_PORT", 6443), "port of the clusters' API on their load balancers")
	fs.StringVar(&c.Kubeadm.KubernetesVersion, "kubernetes-version", env("KAAS_KUBERNETES_VERSION", "v1.37.2"), "Kubernetes version kubeadm installs")
	fs.StringVar(&c.Kubeadm.PodSubnet, "cluster-pod-subnet", env("KAAS_CLUSTER_POD_SUBNET", "10.244.0.0/16"), "pod subnet of kubeadm-built clusters")
	fs.StringVar(&c.Kubeadm.ServiceSubnet, "cluster-service-subnet", env("KAAS_CLUSTER_SERVICE_SUBNET", "10.96.0.0/12"), "service subnet of kubeadm-built clusters")
	fs.StringVar(&c.Kubeadm.CNIManifest, "cni-manifest", env("KAAS_CNI_MANIFEST", ""), "URL of a CNI manifest the first master applies (empty: none)")
	fs.StringVar(&c.Addons.CatalogDir, "addon-catalog-dir", env("KAAS_ADDON_CATALOG_DIR", ""), "operator's add-on catalog (<name>/addon.yaml, <name>/<version>/*.yaml) over the built-in one")
	clusterAddons := fs.String("cluster-addons", env("KAAS_CLUSTER_ADDONS", "all"), "add-ons installed on the clusters the panel builds, in order: comma-separated names, all or none")
	fs.DurationVar(&c.JobLease, "job-lease", typed.duration("KAAS_JOB_LEASE", 30*time.Second), "how long a crashed replica's provisioning job waits before another resumes it")
	faultFlags(fs, &c)
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "how long to drain requests on shutdown")
	fs.DurationVar(&c.HTTP.ReadHeaderTimeout, "http-read-header-timeout", typed.duration("KAAS_HTTP_READ_HEADER_TIMEOUT", DefaultHTTP.ReadHeaderTimeout), "close connections whose request headers take longer (at most 10s)")
	fs.DurationVar(&c.HTTP.ReadTimeout, "http-read-timeout", typed.duration("KAAS_HTTP_READ_TIMEOUT", DefaultHTTP.ReadTimeout), "longest time to read one request")
	fs.DurationVar(&c.HTTP.WriteTimeout, "http-write-timeout", typed.duration("KAAS_HTTP_WRITE_TIMEOUT", DefaultHTTP.WriteTimeout), "longest time to answer one request (websockets excepted)")
	fs.DurationVar(&c.HTTP.IdleTimeout, "http-idle-timeout", typed.duration("KAAS_HTTP_IDLE_TIMEOUT", DefaultHTTP.IdleTimeout), "close keep-alive connections idle this long")
	fs.IntVar(&c.HTTP.MaxHeaderBytes, "http-max-header-bytes", typed.int("KAAS_HTTP_MAX_HEADER_BYTES", DefaultHTTP.MaxHeaderBytes), "largest accepted request header block")
	fs.IntVar(&c.MaxWebsocketsPerUser, "max-websockets-per-user", typed.int("KAAS_MAX_WEBSOCKETS_PER_USER", 20), "open websocket connections one user (or all anonymous callers) may hold")
	fs.IntVar(&c.MaxSubscriptionsPerUser, "max-subscriptions-per-user", typed.int("KAAS_MAX_SUBSCRIPTIONS_PER_USER", 100), "live GraphQL subscriptions one user may hold")
	fs.IntVar(&c.MaxTokensPerUser, "max-tokens-per-user", typed.int("KAAS_MAX_TOKENS_PER_USER", 0), "API tokens one user may hold (0: no limit)")
	c.AuditRetention, c.ExpiredTokenGrace = DefaultAuditRetention, DefaultExpiredTokenGrace
	var envErrs []error
	for _, e := range []struct {
		name string
		dst  *time.Duration
	}{{"KAAS_AUDIT_RETENTION", &c.AuditRetention}, {"KAAS_EXPIRED_TOKEN_GRACE", &c.ExpiredTokenGrace}} {
		if v := getenv(e.name); v != "" {
			if err := (days{e.dst}).Set(v); err != nil {
				envErrs = append(envErrs, fmt.Errorf("%s: %w", e.name, err))
			}
		}
	}
	fs.Var(days{&c.AuditRetention}, "audit-retention", "how long audit entries are kept, e.g. 400d (0: forever; env KAAS_AUDIT_RETENTION)")
	fs.DurationVar(&c.PruneInterval, "prune-interval", typed.duration("KAAS_PRUNE_INTERVAL", time.Hour), "time between pruning passes of old audit entries and expired tokens (one replica at a time)")
	fs.Var(days{&c.ExpiredTokenGrace}, "expired-token-grace", "how long expired tokens stay listed before they are deleted, e.g. 30d (env KAAS_EXPIRED_TOKEN_GRACE)")
	access := c.accessFlags(fs, env, typed)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if err := errors.Join(append(typed.errs, envErrs...)...); err != nil {
		return Config{}, fmt.Errorf("environment: %w", err)
	}
	if err := c.parseAccess(access); err != nil {
		return Config{}, err
	}
	c.Keystone.Timeout = *keystoneTimeout
	if v := getenv("KAAS_ALLOW_INSECURE_WEBHOOK"); v != "" {
		if _, err := strconv.ParseBool(v); err != nil {
			return Config{}, fmt.Errorf("KAAS_ALLOW_INSECURE_WEBHOOK=%q is not true or false", v)
		}
	}
	switch v := strings.TrimSpace(*clusterAddons); v {
	case "all":
	case "none", "":
		c.Addons.Defaults = []string{}
	default:
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if !models.ValidClusterName(name) {
				return Config{}, fmt.Errorf("cluster add-ons: %q is not an add-on name (a DNS label), all or none", name)
			}
			c.Addons.Defaults = append(c.Addons.Defaults, name)
		}
	}
	for _, d := range strings.Split(*dns, ",") {
		if d = strings.TrimSpace(d); d != "" {
			c.OpenStack.DNSNameservers = append(c.OpenStack.DNSNameservers, d)
		}
	}

	var err error
	if c.SessionKey, err = decodeKey(firstNonEmpty(*sessionKey, getenv("KAAS_SESSION_KEY")), 0); err != nil {
		return Config{}, fmt.Errorf("session key: %w", err)
	}
	if c.CredentialKey, err = decodeKey(firstNonEmpty(*credentialKey, getenv("KAAS_CREDENTIAL_KEY")), 32); err != nil {
		return Config{}, fmt.Errorf("credential key: %w", err)
	}
	for _, k := range strings.Split(firstNonEmpty(*oldKeys, getenv("KAAS_OLD_CREDENTIAL_KEYS")), ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		key, err := decodeKey(k, 32)
		if err != nil {
			return Config{}, fmt.Errorf("old credential key: %w", err)
		}
		c.OldCredentialKeys = append(c.OldCredentialKeys, key)
	}
	return c, c.validate()
}

func (c Config) validate() error {
	var errs []error
	if c.Keystone.AuthURL == "" {
		errs = append(errs, errors.New("Keystone URL is required (--keystone-url or OS_AUTH_URL)"))
	} else if u, err := url.Parse(c.Keystone.AuthURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		errs = append(errs, fmt.Errorf("Keystone URL %q is not an http(s) URL", c.Keystone.AuthURL))
	}
	if c.Keystone.Username == "" || c.Keystone.Password == "" {
		errs = append(errs, errors.New("Keystone service account is required (OS_USERNAME and OS_PASSWORD)"))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("public URL %q is not an absolute http(s) URL", c.PublicURL))
		}
	}
	if (c.WebhookTLSCert == "") != (c.WebhookTLSKey == "") || (c.WebhookAddr != "" && c.WebhookTLSCert == "") {
		errs = append(errs, errors.New("the webhook listener needs --webhook-addr, --webhook-tls-cert and --webhook-tls-key together"))
	}
	if c.WebhookPublicURL != "" {
		if u, err := url.Parse(c.WebhookPublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("webhook public URL %q is not an absolute http(s) URL", c.WebhookPublicURL))
		}
	}
	if c.OpenStack.Image != "" {
		if !strings.HasPrefix(c.WebhookURL(), "https://") {
			errs = append(errs, errors.New("the openstack driver needs an https webhook (--webhook-public-url, or --webhook-addr with a certificate): kube-apiserver sends its credential over TLS only"))
		}
		if c.OpenStack.Masters < 1 || c.OpenStack.Masters%2 == 0 {
			errs = append(errs, fmt.Errorf("--openstack-masters must be odd (etcd quorum), not %d", c.OpenStack.Masters))
		}
		if _, _, err := net.ParseCIDR(c.OpenStack.SubnetCIDR); err != nil {
			errs = append(errs, fmt.Errorf("--openstack-subnet-cidr: %w", err))
		}
	}
	if c.HTTP.ReadHeaderTimeout <= 0 || c.HTTP.ReadHeaderTimeout > 10*time.Second {
		errs = append(errs, fmt.Errorf("--http-read-header-timeout must be between 0 and 10s, not %s", c.HTTP.ReadHeaderTimeout))
	}
	if c.HTTP.ReadTimeout <= 0 || c.HTTP.WriteTimeout <= 0 || c.HTTP.IdleTimeout <= 0 || c.HTTP.MaxHeaderBytes < 4096 {
		errs = append(errs, errors.New("HTTP read, write and idle timeouts must be positive and --http-max-header-bytes at least 4096"))
	}
	if c.MaxTokensPerUser < 0 {
		errs = append(errs, fmt.Errorf("--max-tokens-per-user must be 0 (no limit) or more, not %d", c.MaxTokensPerUser))
	}
	if !models.ValidAdminRoleTemplate(c.AdminRoleTemplate) {
		errs = append(errs, fmt.Errorf("--cluster-admin-role-template %q must hold exactly one %%s (the cluster name) and no other %%", c.AdminRoleTemplate))
	}
	if c.PruneInterval < time.Second {
		errs = append(errs, fmt.Errorf("--prune-interval must be at least 1s, not %s", c.PruneInterval))
	}
	if c.AuditRetention != 0 && c.AuditRetention < 24*time.Hour {
		errs = append(errs, fmt.Errorf("--audit-retention must be 0 (forever) or at least 1d, not %s", c.AuditRetention))
	}
	if c.Keystone.IdleTimeout <= 0 {
		errs = append(errs, fmt.Errorf("--keystone-idle-timeout must be positive, not %s", c.Keystone.IdleTimeout))
	}
	if d := c.Database; d.MaxOpenConns < 1 || d.MaxIdleConns < 0 || d.MaxIdleConns > d.MaxOpenConns ||
		d.ConnMaxLifetime <= 0 || d.StatementTimeout < 0 || d.TxRetries < 0 || d.TxRetries > 10 ||
		d.ListenCheck < 100*time.Millisecond || d.ListenCheck > time.Minute {
		errs = append(errs, errors.New("database settings: --database-max-open-conns at least 1, --database-max-idle-conns between 0 and it, "+
			"--database-conn-max-lifetime positive, --database-statement-timeout not negative, --database-tx-retries 0 to 10, --database-listen-check 100ms to 1m"))
	}
	if c.TokenStoreStale < 0 {
		errs = append(errs, errors.New("--token-store-stale-window must not be negative (0 picks the default)"))
	}
	if c.SessionTTL <= 0 || c.IdentityTTL <= 0 || c.IdentityStale < 0 {
		errs = append(errs, errors.New("session and identity durations must be positive"))
	}
	return errors.Join(errs...)
}

// WebhookURL is the base URL clusters reach the webhook at: the configured one, the
// webhook TLS listener, or the panel's own URL.
func (c Config) WebhookURL() string {
	switch {
	case c.WebhookPublicURL != "":
		return c.WebhookPublicURL
	case c.WebhookAddr != "":
		return "https://" + loopbackIfAny(c.WebhookAddr)
	default:
		return c.PanelURL()
	}
}

// PanelURL is the base URL of the panel's main listener: the public URL, else the
// listen address over plain HTTP (loopback when it names no host).
func (c Config) PanelURL() string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	return "http://" + loopbackIfAny(c.Addr)
}

// loopbackIfAny replaces an unspecified host of addr with 127.0.0.1.
func loopbackIfAny(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// SecureCookies reports whether session cookies must carry the Secure attribute: when the
// panel is reached over TLS.
func (c Config) SecureCookies() bool { return strings.HasPrefix(c.PublicURL, "https://") }

func decodeKey(s string, size int) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("not base64")
	}
	if size > 0 && len(key) != size {
		return nil, fmt.Errorf("want %d bytes, got %d", size, len(key))
	}
	if size == 0 && len(key) < 32 {
		return nil, fmt.Errorf("want at least 32 bytes, got %d", len(key))
	}
	return key, nil
}

// typedEnv reads typed defaults from the environment and keeps every malformed value,
// so that Load refuses to start on one instead of silently using the default.
type typedEnv struct {
	getenv func(string) string
	errs   []error
}

func (e *typedEnv) duration(name string, def time.Duration) time.Duration {
	v := e.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s=%q is not a duration (e.g. 30s, 5m)", name, v))
		return def
	}
	return d
}

func (e *typedEnv) bool(name string) bool {
	v := e.getenv(name)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s=%q is not a boolean (true or false)", name, v))
	}
	return b
}

func (e *typedEnv) int(name string, def int) int {
	v := e.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s=%q is not a whole number", name, v))
		return def
	}
	return n
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
