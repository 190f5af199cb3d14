// Package benchpanel starts the whole panel in-process, on SQLite and a loopback port,
// for the benchmark commands (cmd/kaas-loadtest, cmd/kaas-subbench).
package benchpanel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"kaas/app"
	"kaas/config"
	"kaas/jobs"
	"kaas/models"
)

// KeystoneFromEnv reads the test Keystone's OS_* variables through getenv.
func KeystoneFromEnv(getenv func(string) string) config.Keystone {
	or := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	return config.Keystone{
		AuthURL: getenv("OS_AUTH_URL"), Username: getenv("OS_USERNAME"), Password: getenv("OS_PASSWORD"),
		ProjectName:   or("OS_PROJECT_NAME", "admin"),
		UserDomain:    or("OS_USER_DOMAIN_NAME", or("OS_DOMAIN_NAME", "Default")),
		ProjectDomain: or("OS_PROJECT_DOMAIN_NAME", or("OS_DOMAIN_NAME", "Default")),
		Timeout:       10 * time.Second,
	}
}

// DemoRoleScope is where the seeded Keystone assigns the operator and cluster-admin
// roles: the demo project.
var DemoRoleScope = []models.ScopeRef{{Kind: models.ScopeProject, Ref: "demo", Domain: "Default"}}

// Config is a benchmark panel's configuration: like the test suites', with SQLite in
// dataDir.
func Config(ks config.Keystone, dataDir string, identityTTL time.Duration) config.Config {
	return config.Config{
		DataDir:         dataDir,
		LogLevel:        "error",
		Keystone:        ks,
		SessionTTL:      time.Hour,
		OperatorRole:    "admin",
		Access:          config.DefaultAccess(DemoRoleScope),
		IdentityTTL:     identityTTL,
		IdentityStale:   10 * time.Minute,
		ShutdownTimeout: 5 * time.Second,

		AuditRetention:    config.DefaultAuditRetention,
		ExpiredTokenGrace: config.DefaultExpiredTokenGrace,
	}
}

// Panel is the real panel served on a loopback port.
type Panel struct {
	App     *app.App
	Addr    string
	URL     string
	Started time.Time
	cancel  context.CancelFunc
	done    chan error
}

// Start builds a panel with app.New, lets register (when not nil) add job kinds, and
// serves it on 127.0.0.1:0. Its logs are discarded: they are not what is measured.
func Start(ctx context.Context, cfg config.Config, register func(*jobs.Engine)) (*Panel, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	cfg.Addr = l.Addr().String()
	cfg.PublicURL = "http://" + cfg.Addr
	sctx, cancel := context.WithCancel(ctx)
	a, err := app.New(sctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		cancel()
		l.Close()
		return nil, fmt.Errorf("start panel: %w", err)
	}
	if register != nil {
		register(a.Jobs)
	}
	p := &Panel{App: a, Addr: cfg.Addr, URL: cfg.PublicURL, Started: time.Now(), cancel: cancel, done: make(chan error, 1)}
	go func() { p.done <- a.Serve(sctx, l) }()
	return p, nil
}

// Stop shuts the panel down and closes its database (flushing token uses).
func (p *Panel) Stop() error {
	p.cancel()
	err := <-p.done
	return errors.Join(err, p.App.Close())
}
