// Package app wires the panel together from its configuration: storage, Keystone,
// tokens, the webhook, the cluster registry, GraphQL and the HTTP surface. main only
// parses configuration and calls it; tests start the whole program through it.
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"kaas/audit"
	"kaas/auth"
	"kaas/clientip"
	"kaas/cloud"
	"kaas/clusters"
	"kaas/config"
	"kaas/frontend"
	"kaas/graph"
	"kaas/httpapi"
	"kaas/identity"
	"kaas/jobs"
	"kaas/kube"
	"kaas/metrics"
	"kaas/models"
	"kaas/provisioning"
	"kaas/provisioning/existing"
	"kaas/provisioning/local"
	"kaas/provisioning/openstack"
	"kaas/rbac"
	"kaas/resize"
	"kaas/resolvers"
	"kaas/retention"
	"kaas/secretbox"
	"kaas/session"
	"kaas/store"
	"kaas/throttle"
	"kaas/tokens"
	"kaas/webhook"
)

// App is a running panel.
type App struct {
	cfg     config.Config
	log     *slog.Logger
	db      *store.DB
	usage   *tokens.UsageRecorder
	handler http.Handler
	webhook http.Handler

	// Services, exposed for tests and tools.
	Tokens     *tokens.Service
	Identities *identity.Cache
	Keystone   *identity.Keystone
	Registry   *clusters.Registry
	Jobs       *jobs.Engine

	pruner      *retention.Pruner
	local       *local.Driver
	clusterJobs *provisioning.ClusterJobs
	prober      *clusters.Prober

	bgCancel context.CancelFunc
	bg       sync.WaitGroup
}

// New builds the panel: it opens (and migrates) the database and prepares every service.
// It does not contact Keystone.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if err := resolveKeys(&cfg); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, store.Options{DSN: cfg.DatabaseDSN, DataDir: cfg.DataDir, Logger: log, Tuning: storeTuning(cfg.Database)})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	a := &App{cfg: cfg, log: log, db: db}
	if err := a.wire(); err != nil {
		db.Close()
		return nil, err
	}
	// Every live token is in memory before the first review: none asks the database.
	index := a.Tokens.Index()
	if err := index.Load(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("load token index: %w", err)
	}
	bgCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.bgCancel = cancel
	a.goBackground(func() { a.usage.Run(bgCtx) })
	a.goBackground(func() { a.restoreLocalClusters(bgCtx) })
	a.goBackground(func() {
		if err := a.Jobs.Run(bgCtx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("provisioning engine stopped", "err", err)
		}
	})
	a.goBackground(func() { index.Run(bgCtx) })
	a.goBackground(func() {
		// The index catches up from the change log on every notice and when LISTEN is
		// back; a lost connection leaves it serving from memory (within the stale window)
		// rather than empty.
		catchUp := func() {
			if err := index.CatchUp(bgCtx); err != nil && bgCtx.Err() == nil {
				log.Warn("token index: catch up after a notice", "err", err)
			}
		}
		notices := store.TokenNotices{
			Revoked: func(id string) { index.Revoked(bgCtx, id) },
			Created: catchUp,
			Reset:   func() { index.Listening(bgCtx) },
			Lost:    index.Lost,
		}
		if err := db.ListenTokenNotices(bgCtx, notices, log); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("token notice listener stopped", "err", err)
		}
	})
	a.goBackground(func() { a.pruner.Run(bgCtx) })
	return a, nil
}

// restoreLocalClusters restarts the LOCAL clusters that no replica runs, on one replica
// at a time: the others wait for the lock and then find those clusters answering.
func (a *App) restoreLocalClusters(ctx context.Context) {
	for {
		ran, err := a.db.RunExclusive(ctx, "restore-local-clusters", func(ctx context.Context) error {
			all, err := a.db.Clusters(ctx)
			if err != nil {
				return err
			}
			n, err := a.clusterJobs.Restore(ctx, all)
			a.log.Info("local clusters checked", "restored", n)
			return err
		})
		if err != nil {
			a.log.Error("restore local clusters", "err", err)
		}
		if ran || err != nil {
			return
		}
		select { // another replica is restoring: look again when it is done
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (a *App) goBackground(f func()) {
	a.bg.Add(1)
	go func() { defer a.bg.Done(); f() }()
}

// storeTuning maps the database settings onto the store's, where zero means "default"
// rather than "none"; a Config built by hand (tests) gets the store's defaults.
func storeTuning(d config.Database) store.Tuning {
	t := store.Tuning{
		MaxOpenConns: d.MaxOpenConns, MaxIdleConns: d.MaxIdleConns, ConnMaxLifetime: d.ConnMaxLifetime,
		StatementTimeout: d.StatementTimeout, TxRetries: d.TxRetries, ListenCheck: d.ListenCheck,
	}
	if d == (config.Database{}) {
		return t
	}
	if t.StatementTimeout == 0 {
		t.StatementTimeout = -1
	}
	if t.TxRetries == 0 {
		t.TxRetries = -1
	}
	return t
}

func resolveKeys(cfg *config.Config) error {
	var err error
	if len(cfg.SessionKey) == 0 {
		if cfg.SessionKey, err = config.KeyFile(cfg.DataDir, "session.key", 32); err != nil {
			return fmt.Errorf("session key: %w", err)
		}
	}
	if len(cfg.CredentialKey) == 0 {
		if cfg.CredentialKey, err = config.KeyFile(cfg.DataDir, "credential.key", 32); err != nil {
			return fmt.Errorf("credential key: %w", err)
		}
	}
	return nil
}

func (a *App) wire() error {
	cfg, log := a.cfg, a.log
	m := metrics.New()
	ks, err := identity.New(identity.Options{
		AuthURL: cfg.Keystone.AuthURL, Username: cfg.Keystone.Username, Password: cfg.Keystone.Password,
		ProjectName: cfg.Keystone.ProjectName, UserDomain: cfg.Keystone.UserDomain,
		ProjectDomain: cfg.Keystone.ProjectDomain, Timeout: cfg.Keystone.Timeout, IdleTimeout: cfg.Keystone.IdleTimeout,
	})
	if err != nil {
		return err
	}
	a.Keystone = ks
	a.Identities = identity.NewCache(identity.CacheOptions{
		TTL: cfg.IdentityTTL, Stale: cfg.IdentityStale, OnFetch: m.KeystoneFetch, OnStale: m.IdentityStale,
	}, ks.User)
	a.usage = tokens.NewUsageRecorder(a.db.RecordTokenUses, 10*time.Second, log)
	// A token reviewed many times a second costs one row update a minute, not one every
	// flush: the last use shown is to the minute.
	a.usage.Resolution = time.Minute
	index := tokens.NewIndex(a.db, tokens.IndexOptions{StaleWindow: cfg.TokenStoreStale, InProcess: a.db.Dialect() == store.SQLite, Log: log})
	m.TokenIndex(func() (int, bool, time.Duration) {
		st := index.State()
		return st.Tokens, st.FromMemory, st.Unconfirmed
	})
	a.Tokens = tokens.NewService(a.db, index, tokens.Options{Usage: a.usage, MaxPerUser: cfg.MaxTokensPerUser})
	a.pruner = retention.New(a.db, retention.Options{AuditRetention: cfg.AuditRetention, ExpiredTokenGrace: cfg.ExpiredTokenGrace, Interval: cfg.PruneInterval, Log: log})
	sessions, err := session.New(cfg.SessionKey, cfg.SessionTTL, cfg.SecureCookies(), nil)
	if err != nil {
		return err
	}
	box, err := secretbox.New(cfg.CredentialKey, cfg.OldCredentialKeys...)
	if err != nil {
		return fmt.Errorf("credential key: %w", err)
	}
	usernames := identity.NewUsernameRule(cfg.Access.PlainUsernameDomain, cfg.Access.ReservedUsernamePrefixes...)
	recorder := audit.NewRecorder(a.db, log)
	recorder.Names = usernames.Display
	a.Jobs = jobs.New(a.db, workerID(), jobs.Options{Logger: log, Lease: cfg.JobLease, PauseAfterStep: cfg.FaultPauseAfterStep})
	webhookCA := ""
	if cfg.WebhookTLSCert != "" {
		b, err := os.ReadFile(cfg.WebhookTLSCert)
		if err != nil {
			return fmt.Errorf("read webhook certificate: %w", err)
		}
		webhookCA = string(b)
	}
	a.local = &local.Driver{BinDir: cfg.KubeBinDir, StateDir: filepath.Join(cfg.DataDir, "local-clusters"),
		WebhookURL: cfg.WebhookURL(), WebhookCAPEM: webhookCA, AllowInsecureWebhook: cfg.AllowInsecureWebhook, Log: log}
	addonInstaller, err := newAddonInstaller(cfg)
	if err != nil {
		return err
	}
	// The drivers, in the order the provisioning form lists them. A new driver is one
	// more entry here.
	drivers := provisioning.NewDriverRegistry(
		&existing.Driver{Kube: kubeAdmin{}, Sealer: box},
		a.local,
		&openstack.Driver{Cloud: openStackCloud(cfg, ks), Sealer: box, Kubeadm: openstack.KubeadmSettings{
			KubernetesVersion: cfg.Kubeadm.KubernetesVersion, PodSubnet: cfg.Kubeadm.PodSubnet, ServiceSubnet: cfg.Kubeadm.ServiceSubnet,
			CNIManifest: cfg.Kubeadm.CNIManifest, WebhookURL: cfg.WebhookURL(), WebhookCAPEM: webhookCA,
		}},
	)
	a.clusterJobs = &provisioning.ClusterJobs{AdminRoleTemplate: cfg.AdminRoleTemplate, Keystone: ks, Store: a.db, Sealer: box, Kube: kubeAdmin{}, Forget: a.Identities.Forget,
		AdminScope: firstScope(cfg.Access.RoleScope), Drivers: drivers, Addons: addonInstaller}
	a.clusterJobs.Register(a.Jobs)
	a.prober = clusters.NewProber(3*time.Second, 30*time.Second)
	a.Registry = clusters.New(a.db, box, ks, clusterKube{}, clusters.Options{OperatorRole: cfg.OperatorRole, RoleScope: cfg.Access.RoleScope, AdminRoleTemplate: cfg.AdminRoleTemplate,
		Webhook: clusters.Webhook{URL: cfg.WebhookURL(), CAPEM: webhookCA, AllowInsecure: cfg.AllowInsecureWebhook}})
	authSvc := &auth.Service{Keystone: ks, Identities: a.Identities, Tokens: a.Tokens, Sessions: sessions, SessionStore: a.db, Audit: recorder,
		Users:         throttle.New(throttle.Options{Free: cfg.Access.LoginFreeFailures, Base: cfg.Access.LoginBackoffBase, Max: cfg.Access.LoginBackoffMax, HalfLife: cfg.Access.LoginFailureHalfLife}),
		Addresses:     throttle.New(throttle.Options{Free: cfg.Access.LoginAddressFreeFailures, Base: cfg.Access.LoginBackoffBase, Max: cfg.Access.LoginBackoffMax, HalfLife: cfg.Access.LoginFailureHalfLife}),
		ClientAddress: clientip.Resolver{Trusted: cfg.Access.TrustedProxies}.Address,
		Recheck:       cfg.Access.WebsocketRecheck,
	}
	gql := graph.NewServer(graph.Options{
		Resolvers: &resolvers.Resolver{
			Auth: authSvc, TokenService: a.Tokens, Registry: a.Registry, Audit: recorder,
			RBAC: rbac.New(ks, usernames), Usernames: usernames, Keystone: ks, Prober: a.prober,
			Engine: a.Jobs, ClusterJobs: a.clusterJobs, AddonInstaller: addonInstaller,
			Resize: resize.NewService(a.db, a.clusterJobs, a.Registry, recorder),
		},
		Log: log, Metrics: m, OperationNames: frontend.OperationNames(),
		WebsocketInit: authSvc.WebsocketInit,
		RequestID:     httpapi.RequestID,
		Jobs:          a.Jobs,
		WithOperation: resolvers.WithLookups,
		WebsocketLimits: graph.WebsocketLimits{
			MaxConnections: cfg.MaxWebsocketsPerUser, MaxSubscriptions: cfg.MaxSubscriptionsPerUser,
			Principal: principalID,
		},
	})
	hook := &webhook.Handler{
		Tokens: a.Tokens, Identities: a.Identities, Clusters: a.Registry, Usernames: usernames, Metrics: m, Log: log,
		RequireClusterCredential: cfg.WebhookRequireClusterCredential,
	}
	dist, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		return fmt.Errorf("embedded SPA: %w", err)
	}
	routes := httpapi.Routes{
		Log: log, Metrics: m, GraphQL: gql, Authenticate: authSvc.Middleware, Webhook: hook,
		MetricsPage: m.Handler(), Database: a.db, SPA: dist, PublicTLS: cfg.SecureCookies(),
	}
	a.handler = routes.Handler()
	a.webhook = routes.WebhookHandler()
	return nil
}

// principalID is the user ID of ctx's caller, "" when anonymous.
func principalID(ctx context.Context) string {
	p, err := auth.Principal(ctx)
	if err != nil {
		return ""
	}
	return p.UserID
}

// firstScope is where provisioning assigns new clusters' admin roles.
func firstScope(scopes []models.ScopeRef) models.ScopeRef {
	if len(scopes) == 0 {
		return models.ScopeRef{}
	}
	return scopes[0]
}

// workerID names this replica in job leases: host name and process ID.
func workerID() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

// kubeAdmin is provisioning's access to clusters' Kubernetes APIs, through kube.
type kubeAdmin struct{}

func (kubeAdmin) Connect(kubeconfig []byte) (provisioning.ClusterAPI, error) {
	c, _, err := kube.Connect(kubeconfig)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (kubeAdmin) Endpoint(kubeconfig []byte) (apiURL, caPEM string, err error) {
	_, ep, err := kube.ParseKubeconfig(kubeconfig)
	return ep.APIURL, ep.CAPEM, err
}

// openStackCloud is the cloud the openstack driver builds clusters in: the service
// account's project, nil when no node image is configured.
func openStackCloud(cfg config.Config, ks *identity.Keystone) *cloud.Cloud {
	if cfg.OpenStack.Image == "" {
		return nil
	}
	return &cloud.Cloud{
		Clients: cloud.CatalogClients(ks.Provider, cfg.OpenStack.Region), ImageID: cfg.OpenStack.Image,
		CIDR: cfg.OpenStack.SubnetCIDR, DNSNameservers: cfg.OpenStack.DNSNameservers, ExternalNetworkID: cfg.OpenStack.ExternalNetworkID,
		Masters: cfg.OpenStack.Masters, APIPort: cfg.OpenStack.APIPort,
	}
}

// Handler returns the panel's HTTP surface.
func (a *App) Handler() http.Handler { return a.handler }

// DB returns the database.
func (a *App) DB() *store.DB { return a.db }

// Serve serves the panel on l (and the webhook TLS listener when configured) until ctx
// ends, then drains requests for up to the shutdown timeout.
func (a *App) Serve(ctx context.Context, l net.Listener) error {
	servers := []*http.Server{newServer(a.handler, a.cfg.HTTP, a.log)}
	listeners := []net.Listener{l}
	if a.cfg.WebhookAddr != "" {
		cert, err := tls.LoadX509KeyPair(a.cfg.WebhookTLSCert, a.cfg.WebhookTLSKey)
		if err != nil {
			return fmt.Errorf("webhook TLS key pair: %w", err)
		}
		wl, err := net.Listen("tcp", a.cfg.WebhookAddr)
		if err != nil {
			return fmt.Errorf("webhook listener: %w", err)
		}
		ws := newServer(a.webhook, a.cfg.HTTP, a.log)
		ws.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		servers = append(servers, ws)
		listeners = append(listeners, tls.NewListener(wl, ws.TLSConfig))
		a.log.Info("webhook listening", "addr", wl.Addr().String())
	}
	errc := make(chan error, len(servers))
	for i := range servers {
		go func(s *http.Server, l net.Listener) {
			if err := s.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}(servers[i], listeners[i])
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil {
			a.log.Warn("shutdown", "err", err)
		}
	}
	return serveErr
}

// newServer bounds every connection: headers must arrive within ReadHeaderTimeout,
// requests and responses within their timeouts, idle keep-alive connections are closed.
func newServer(h http.Handler, limits config.HTTP, log *slog.Logger) *http.Server {
	limits = limits.WithDefaults()
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: limits.ReadHeaderTimeout,
		ReadTimeout:       limits.ReadTimeout,
		WriteTimeout:      limits.WriteTimeout,
		IdleTimeout:       limits.IdleTimeout,
		MaxHeaderBytes:    limits.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Close stops background work (flushing token uses, pruning, service probes) and closes
// the database: no goroutine of the panel outlives it.
func (a *App) Close() error {
	a.bgCancel()
	a.bg.Wait()
	a.prober.Close()
	a.local.StopAll()
	return a.db.Close()
}
