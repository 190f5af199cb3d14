// Package local is the provisioning driver that runs a cluster's etcd, kube-apiserver
// and kube-controller-manager as processes on this host (see localcluster).
package local

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"kaas/clusters"
	"kaas/localcluster"
	"kaas/models"
	"kaas/provisioning"
)

// Name is the driver's name in requests, job arguments and clusters.
const Name = models.DriverLocal

// Driver starts and stops real local clusters (etcd, kube-apiserver and
// kube-controller-manager from BinDir) wired to this panel's TokenReview webhook. Their
// processes live as long as the panel: on start the panel restores the local clusters it
// has registered.
type Driver struct {
	BinDir   string
	StateDir string
	// WebhookURL is where the clusters' kube-apiservers reach this panel's /authenticate,
	// WebhookCAPEM the CA of its TLS listener (empty for plain http or a public CA).
	WebhookURL   string
	WebhookCAPEM string
	// AllowInsecureWebhook lets the clusters reach a plain-http WebhookURL (loopback demos).
	AllowInsecureWebhook bool
	Log                  *slog.Logger

	mu       sync.Mutex
	clusters map[string]*localcluster.Cluster
}

// localBinaries are the programs a local cluster runs, looked up in BinDir.
var localBinaries = []string{"etcd", "kube-apiserver", "kube-controller-manager"}

// Enabled reports whether local clusters can be made here: BinDir is configured and holds
// the binaries. It looks each time, so the driver becomes available without a restart
// once a background build (make run) has put them there.
func (d *Driver) Enabled() bool {
	if d == nil || d.BinDir == "" {
		return false
	}
	for _, name := range localBinaries {
		fi, err := os.Stat(filepath.Join(d.BinDir, name))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// Describe names the driver; its clusters end with the panel.
func (d *Driver) Describe() provisioning.Description {
	return provisioning.Description{Name: Name, Transient: true}
}

// Validate refuses a request the driver cannot serve: it is not enabled, or the webhook
// URL is plain http without AllowInsecureWebhook.
func (d *Driver) Validate([]byte) error {
	if !d.Enabled() {
		return models.Errorf(models.CodeInvalid, "the local driver is not configured on this panel (--kube-bin-dir), or its binaries are not built yet")
	}
	return d.CheckWebhook()
}

// Prepare adds nothing to the job's arguments: a local cluster's kubeconfig is its own.
func (d *Driver) Prepare(*provisioning.CreateArgs, []byte) error { return nil }

// Ensure starts the cluster's processes unless they run.
func (d *Driver) Ensure(ctx context.Context, a provisioning.CreateArgs, p provisioning.Progress) error {
	p.Progress(10, "starting etcd and kube-apiserver on this host")
	if _, err := d.Start(ctx, a.Name); err != nil {
		return err
	}
	p.Progress(100, "etcd and kube-apiserver run on this host")
	return nil
}

// Access returns the running cluster's admin kubeconfig, starting it if need be.
func (d *Driver) Access(ctx context.Context, a provisioning.CreateArgs) (provisioning.Access, error) {
	kc, err := d.Start(ctx, a.Name)
	return provisioning.Access{Kubeconfig: kc}, err
}

// Remove stops the cluster's processes and deletes their state.
func (d *Driver) Remove(_ context.Context, a provisioning.DeleteArgs, p provisioning.Progress) error {
	if err := d.Stop(a.Name); err != nil {
		return err
	}
	p.Progress(100, "stopped etcd and kube-apiserver and removed their state")
	return nil
}

// Restore starts a registered cluster again, from the state it left.
func (d *Driver) Restore(ctx context.Context, c models.Cluster) ([]byte, error) {
	return d.Start(ctx, c.Name)
}

// CheckWebhook refuses a plain-http webhook unless AllowInsecureWebhook (see
// clusters.CheckWebhookURL).
func (d *Driver) CheckWebhook() error {
	return clusters.CheckWebhookURL(d.WebhookURL, d.AllowInsecureWebhook)
}

// Start starts the named cluster unless it runs, and returns its admin kubeconfig.
// Calling it again returns the same running cluster: the step that calls it is idempotent.
func (d *Driver) Start(ctx context.Context, name string) ([]byte, error) {
	if !d.Enabled() {
		return nil, fmt.Errorf("the local driver is not configured (--kube-bin-dir) or its binaries are not there yet")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.clusters[name]; ok {
		return c.AdminKubeconfig(), nil
	}
	if err := d.CheckWebhook(); err != nil {
		return nil, err
	}
	hook, err := clusters.WebhookKubeconfig(d.WebhookURL, "", d.WebhookCAPEM, "")
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	c, err := localcluster.Start(sctx, localcluster.Options{
		BinDir: d.BinDir, Dir: filepath.Join(d.StateDir, name), Name: name,
		WebhookKubeconfig: hook, WebhookVersion: "v1", WebhookCacheTTL: models.WebhookCacheTTL, ControllerManager: true, Log: d.Log,
	})
	if err != nil {
		return nil, fmt.Errorf("start local cluster %s: %w", name, err)
	}
	if d.clusters == nil {
		d.clusters = map[string]*localcluster.Cluster{}
	}
	d.clusters[name] = c
	return c.AdminKubeconfig(), nil
}

// Stop stops the named cluster and deletes its state. A cluster that is not running is
// not an error.
func (d *Driver) Stop(name string) error {
	d.mu.Lock()
	c, ok := d.clusters[name]
	delete(d.clusters, name)
	d.mu.Unlock()
	if ok {
		if err := c.Stop(); err != nil {
			return fmt.Errorf("stop local cluster %s: %w", name, err)
		}
	}
	if d.StateDir == "" {
		return nil
	}
	if err := os.RemoveAll(filepath.Join(d.StateDir, name)); err != nil {
		return fmt.Errorf("remove local cluster state: %w", err)
	}
	return nil
}

// StopAll stops every local cluster, keeping their state for the next start.
func (d *Driver) StopAll() {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for name, c := range d.clusters {
		if err := c.Stop(); err != nil && d.Log != nil {
			d.Log.Warn("stop local cluster", "cluster", name, "err", err)
		}
		delete(d.clusters, name)
	}
}
