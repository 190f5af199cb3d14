// Package localcluster runs a real etcd and kube-apiserver (and, when asked, a
// kube-controller-manager) on loopback as child processes: the cluster of the end-to-end
// tests and of the panel's local provisioning driver. Key material, etcd data and logs live in a state directory that a restart
// reuses.
package localcluster

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const (
	// startAttempts is one start plus up to three retries when a probed port was taken
	// before the child could bind it.
	startAttempts   = 4
	etcdReadyWait   = 20 * time.Second
	apiserverReady  = 60 * time.Second
	controllersWait = 60 * time.Second
	stopGracePeriod = 10 * time.Second
	pollInterval    = 100 * time.Millisecond
	logTailLines    = 20
)

// Options configures a local cluster.
type Options struct {
	BinDir string // holds etcd, kube-apiserver, kubectl
	Dir    string // state directory (certs, etcd data, logs); created if missing; reused on restart
	Name   string // cluster name, used in file names and kubeconfig names
	// WebhookKubeconfig is the content of the file given to
	// --authentication-token-webhook-config-file; empty means no webhook.
	WebhookKubeconfig []byte
	// WebhookVersion is "v1" or "v1beta1"; empty lets kube-apiserver default (v1beta1).
	WebhookVersion string
	// WebhookCacheTTL is passed as --authentication-token-webhook-cache-ttl; 0 means no
	// caching.
	WebhookCacheTTL time.Duration
	// ControllerManager also runs kube-controller-manager (from BinDir), so that the
	// cluster behaves like a real one: aggregated ClusterRoles (view, edit, admin) get
	// their rules, namespaces are deleted, service accounts get tokens, garbage is
	// collected. Start waits until the view ClusterRole has its rules.
	ControllerManager bool
	Log               *slog.Logger // nil discards
}

// Cluster is a running etcd and kube-apiserver pair.
type Cluster struct {
	binDir, dir, name string
	log               *slog.Logger
	pki               *pki
	apiURL            string
	adminKubeconfig   []byte
	adminKubeconfigAt string
	etcd, apiserver   *process
	controllers       *process // kube-controller-manager, when asked for
	// dirLock is held from Start to Stop so that a second cluster on the same Dir fails
	// at once instead of waiting on etcd's own lock until the readiness deadline.
	dirLock *os.File

	stopOnce sync.Once
	stopErr  error
}

// validName keeps Name usable as an etcd member name and in file names.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// Start starts etcd and kube-apiserver and waits until both are ready. ctx bounds only the
// wait: the processes run until Stop. On failure nothing is left running.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("local cluster options: %w", err)
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("cluster", opts.Name)
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create state directory: %w", err)
	}
	lock, err := lockDir(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("local cluster %s: %w", opts.Name, err)
	}
	c := &Cluster{binDir: opts.BinDir, dir: opts.Dir, name: opts.Name, log: log, dirLock: lock}
	if err := c.startLocked(ctx, opts); err != nil {
		lock.Close()
		return nil, fmt.Errorf("local cluster %s: %w", opts.Name, err)
	}
	return c, nil
}

// lockDir takes an exclusive lock on dir, released when the returned file is closed (or
// the process dies).
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock state directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("state directory %s is in use by another running cluster", dir)
		}
		return nil, fmt.Errorf("lock state directory: %w", err)
	}
	return f, nil
}

// startLocked prepares the key material and starts the processes, retrying when a port
// was taken; the caller holds the directory lock.
func (c *Cluster) startLocked(ctx context.Context, opts Options) error {
	p, err := loadOrCreatePKI(opts.Dir)
	if err != nil {
		return err
	}
	c.pki = p
	webhookConfig := ""
	if len(opts.WebhookKubeconfig) > 0 {
		webhookConfig = filepath.Join(opts.Dir, "webhook.kubeconfig")
		if err := writeFile(webhookConfig, opts.WebhookKubeconfig); err != nil {
			return fmt.Errorf("webhook config: %w", err)
		}
	}

	began := time.Now()
	for attempt := 1; ; attempt++ {
		err = c.start(ctx, opts, webhookConfig)
		if err == nil {
			break
		}
		if !errors.Is(err, errPortTaken) || attempt == startAttempts {
			return err
		}
		c.log.Warn("port taken, retrying with new ports", "attempt", attempt, "err", err)
	}

	if err := c.writeAdminKubeconfig(); err != nil {
		c.stopProcesses()
		return err
	}
	if opts.ControllerManager {
		if err := c.startControllerManager(ctx); err != nil {
			c.stopProcesses()
			return err
		}
	}
	c.log.Info("ready", "url", c.apiURL, "took", time.Since(began).Round(time.Millisecond), "pids", c.Pids())
	return nil
}

// startControllerManager runs kube-controller-manager as the admin (the cluster's only
// control-plane client) and waits until it has filled in the aggregated view role, the
// sign that its controllers run.
func (c *Cluster) startControllerManager(ctx context.Context) error {
	var err error
	c.controllers, err = startProcess(c.log, "kube-controller-manager", filepath.Join(c.binDir, "kube-controller-manager"), []string{
		"--kubeconfig=" + c.adminKubeconfigAt,
		"--authentication-kubeconfig=" + c.adminKubeconfigAt,
		"--authorization-kubeconfig=" + c.adminKubeconfigAt,
		"--bind-address=127.0.0.1",
		// No serving endpoint: nothing scrapes it, and a fixed port could collide.
		"--secure-port=0",
		"--leader-elect=false",
		"--service-account-private-key-file=" + c.pki.saKey,
		"--root-ca-file=" + c.pki.caCert,
		"--cluster-signing-cert-file=" + c.pki.caCert,
		"--cluster-signing-key-file=" + c.pki.caKey,
		"--use-service-account-credentials=false",
		"--profiling=false",
	}, filepath.Join(c.dir, "kube-controller-manager.log"))
	if err != nil {
		return err
	}
	return c.waitReady(ctx, c.controllers, controllersWait, c.viewAggregated())
}

// viewAggregated succeeds once the view ClusterRole has rules, which only the
// controller manager's aggregation controller gives it.
func (c *Cluster) viewAggregated() func(context.Context) error {
	client := c.adminHTTPClient()
	return func(ctx context.Context) error {
		body, err := get(ctx, client, c.apiURL+"/apis/rbac.authorization.k8s.io/v1/clusterroles/view")
		if err != nil {
			return err
		}
		var role struct {
			Rules []json.RawMessage `json:"rules"`
		}
		if err := json.Unmarshal(body, &role); err != nil {
			return fmt.Errorf("decode the view ClusterRole: %w", err)
		}
		if len(role.Rules) == 0 {
			return errors.New("the view ClusterRole has no rules yet")
		}
		return nil
	}
}

func (o Options) validate() error {
	switch {
	case o.BinDir == "":
		return errors.New("BinDir is empty")
	case o.Dir == "":
		return errors.New("Dir is empty")
	case !validName.MatchString(o.Name):
		return fmt.Errorf("name %q: want letters, digits, '.', '_' or '-'", o.Name)
	case o.WebhookVersion != "" && o.WebhookVersion != "v1" && o.WebhookVersion != "v1beta1":
		return fmt.Errorf("webhook version %q: want v1 or v1beta1", o.WebhookVersion)
	case o.WebhookCacheTTL < 0:
		return fmt.Errorf("webhook cache TTL %s is negative", o.WebhookCacheTTL)
	}
	return nil
}

// start makes one attempt with fresh ports. On error no process is left running.
func (c *Cluster) start(ctx context.Context, opts Options, webhookConfig string) error {
	c.etcd, c.apiserver = nil, nil
	ports, err := freeLoopbackPorts(3)
	if err != nil {
		return err
	}
	clientURL := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	peerURL := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	c.apiURL = "https://127.0.0.1:" + strconv.Itoa(ports[2])

	// On a restart etcd ignores the --initial-* flags and keeps the peer URL it was
	// created with; a single member never dials its peers, so the new port is harmless.
	c.etcd, err = startProcess(c.log, "etcd", filepath.Join(c.binDir, "etcd"), []string{
		"--name=" + c.name,
		"--data-dir=" + filepath.Join(c.dir, "etcd"),
		"--listen-client-urls=" + clientURL,
		"--advertise-client-urls=" + clientURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=" + c.name + "=" + peerURL,
		"--initial-cluster-state=new",
		"--log-level=warn",
	}, filepath.Join(c.dir, "etcd.log"))
	if err != nil {
		return err
	}
	if err := c.waitReady(ctx, c.etcd, etcdReadyWait, c.etcdHealthy(clientURL)); err != nil {
		c.stopProcesses()
		return err
	}

	args := []string{
		"--etcd-servers=" + clientURL,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(ports[2]),
		// Without it kube-apiserver derives the address from the default route, which a
		// machine without a network may not have.
		"--advertise-address=127.0.0.1",
		// The kubernetes Service endpoints would point at the loopback address, which
		// Endpoints reject; nothing in this cluster runs Pods that would use them.
		"--endpoint-reconciler-type=none",
		"--tls-cert-file=" + c.pki.servingCert,
		"--tls-private-key-file=" + c.pki.servingKey,
		"--client-ca-file=" + c.pki.caCert,
		"--service-account-issuer=" + serviceAccountIssuer,
		"--service-account-key-file=" + c.pki.saPub,
		"--service-account-signing-key-file=" + c.pki.saKey,
		"--service-cluster-ip-range=10.96.0.0/16",
		"--authorization-mode=RBAC",
		// /healthz, /livez, /readyz and /version stay readable without credentials.
		"--anonymous-auth=true",
		"--profiling=false",
		// As kubeadm's clusters: node-level add-ons (a CSI node plugin) run privileged.
		"--allow-privileged=true",
	}
	if webhookConfig != "" {
		args = append(args,
			"--authentication-token-webhook-config-file="+webhookConfig,
			"--authentication-token-webhook-cache-ttl="+opts.WebhookCacheTTL.String(),
		)
		if opts.WebhookVersion != "" {
			args = append(args, "--authentication-token-webhook-version="+opts.WebhookVersion)
		}
	}
	c.apiserver, err = startProcess(c.log, "kube-apiserver", filepath.Join(c.binDir, "kube-apiserver"), args,
		filepath.Join(c.dir, "kube-apiserver.log"))
	if err != nil {
		c.stopProcesses()
		return err
	}
	if err := c.waitReady(ctx, c.apiserver, apiserverReady, c.apiserverReady()); err != nil {
		c.stopProcesses()
		return err
	}
	return nil
}

// waitReady polls check until it succeeds, the process exits, ctx ends or timeout passes.
func (c *Cluster) waitReady(ctx context.Context, p *process, timeout time.Duration, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	lastErr := errors.New("not checked yet")
	for {
		reqCtx, reqCancel := context.WithTimeout(ctx, 2*time.Second)
		err := check(reqCtx)
		reqCancel()
		if err == nil {
			return nil
		}
		if ctx.Err() == nil {
			lastErr = err
		}
		select {
		case <-p.done:
			return p.exitError()
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w (last check: %v)\n--- last lines of %s ---\n%s",
				p.name, ctx.Err(), lastErr, p.logPath, p.tail(logTailLines))
		case <-tick.C:
		}
	}
}

func (c *Cluster) etcdHealthy(clientURL string) func(context.Context) error {
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	return func(ctx context.Context) error {
		body, err := get(ctx, client, clientURL+"/health")
		if err != nil {
			return err
		}
		if !bytes.Contains(body, []byte(`"health":"true"`)) {
			return fmt.Errorf("etcd health: %s", body)
		}
		return nil
	}
}

func (c *Cluster) apiserverReady() func(context.Context) error {
	client := c.adminHTTPClient()
	return func(ctx context.Context) error {
		_, err := get(ctx, client, c.apiURL+"/readyz")
		return err
	}
}

// adminHTTPClient talks to kube-apiserver as the admin; a broken key pair fails its
// requests.
func (c *Cluster) adminHTTPClient() *http.Client {
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(c.pki.caPEM)
	cfg := &tls.Config{RootCAs: roots}
	cert, err := tls.X509KeyPair(c.pki.adminCertPEM, c.pki.adminKeyPEM)
	if err == nil {
		cfg.Certificates = []tls.Certificate{cert}
	}
	return &http.Client{Transport: &http.Transport{Proxy: nil, TLSClientConfig: cfg}}
}

func get(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", url, resp.Status, bytes.TrimSpace(body))
	}
	return body, nil
}

func (c *Cluster) writeAdminKubeconfig() error {
	b, err := c.kubeconfig(clientcmdapi.AuthInfo{
		ClientCertificateData: c.pki.adminCertPEM,
		ClientKeyData:         c.pki.adminKeyPEM,
	})
	if err != nil {
		return fmt.Errorf("admin kubeconfig: %w", err)
	}
	path := filepath.Join(c.dir, c.name+"-admin.kubeconfig")
	if err := writeFile(path, b); err != nil {
		return fmt.Errorf("admin kubeconfig: %w", err)
	}
	c.adminKubeconfig, c.adminKubeconfigAt = b, path
	return nil
}

// kubeconfig returns a kubeconfig for this cluster with the given credentials and
// nothing else.
func (c *Cluster) kubeconfig(user clientcmdapi.AuthInfo) ([]byte, error) {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[c.name] = &clientcmdapi.Cluster{Server: c.apiURL, CertificateAuthorityData: c.pki.caPEM}
	userName := c.name + "-user"
	if user.ClientCertificateData != nil {
		userName = c.name + "-admin"
	}
	cfg.AuthInfos[userName] = &user
	cfg.Contexts[c.name] = &clientcmdapi.Context{Cluster: c.name, AuthInfo: userName}
	cfg.CurrentContext = c.name
	return clientcmd.Write(*cfg)
}

// APIURL returns the kube-apiserver URL, https://127.0.0.1:<port>.
func (c *Cluster) APIURL() string { return c.apiURL }

// CAPEM returns the CA that signed the serving certificate (and the client certificates).
func (c *Cluster) CAPEM() []byte { return bytes.Clone(c.pki.caPEM) }

// AdminKubeconfig returns a kubeconfig with embedded credentials of a system:masters
// user.
func (c *Cluster) AdminKubeconfig() []byte { return bytes.Clone(c.adminKubeconfig) }

// Pids returns the process IDs of etcd, kube-apiserver and, when it runs,
// kube-controller-manager.
func (c *Cluster) Pids() []int {
	pids := []int{c.etcd.pid(), c.apiserver.pid()}
	if c.controllers != nil {
		pids = append(pids, c.controllers.pid())
	}
	return pids
}

// Kubectl runs the built kubectl against this cluster. A non-empty token is the only
// credential sent (no client certificate) and the run gets a discovery cache of its own,
// as a fresh user's kubectl would; an empty token runs as the admin. A non-zero exit is
// returned as an error that ends with kubectl's last line of stderr.
func (c *Cluster) Kubectl(ctx context.Context, token string, args ...string) (stdout, stderr string, err error) {
	kubeconfig := c.adminKubeconfigAt
	cacheDir := filepath.Join(c.dir, "kubectl-cache")
	if token != "" {
		// In the 0700 state directory rather than /tmp: the kubeconfig holds a credential.
		tmp, err := os.MkdirTemp(c.dir, ".kubectl-token-")
		if err != nil {
			return "", "", fmt.Errorf("token kubeconfig: %w", err)
		}
		defer os.RemoveAll(tmp)
		b, err := c.kubeconfig(clientcmdapi.AuthInfo{Token: token})
		if err != nil {
			return "", "", fmt.Errorf("token kubeconfig: %w", err)
		}
		kubeconfig, cacheDir = filepath.Join(tmp, "kubeconfig"), filepath.Join(tmp, "cache")
		if err := os.WriteFile(kubeconfig, b, 0o600); err != nil {
			return "", "", fmt.Errorf("token kubeconfig: %w", err)
		}
	}
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, "kubectl"), append([]string{
		"--kubeconfig=" + kubeconfig,
		"--cache-dir=" + cacheDir,
	}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errOut.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		return out.String(), errOut.String(), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, msg)
	}
	return out.String(), errOut.String(), nil
}

// Stop stops kube-controller-manager, kube-apiserver, then etcd: SIGTERM to each process group, SIGKILL for what
// is still running after 10 s. It is safe to call more than once.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		c.stopErr = c.stopProcesses()
		if c.stopErr != nil {
			// Keep the lock: a process may still be using the directory.
			return
		}
		c.dirLock.Close()
		c.log.Info("stopped")
	})
	return c.stopErr
}

// stopProcesses stops whichever children are running; the controller manager, then the
// API server, so that neither spends its shutdown retrying what went before it.
func (c *Cluster) stopProcesses() error {
	deadline := time.Now().Add(stopGracePeriod)
	var errs []error
	for _, p := range []*process{c.controllers, c.apiserver, c.etcd} {
		if p == nil {
			continue
		}
		if err := p.stop(c.log, deadline); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("stop local cluster %s: %w", c.name, err)
	}
	return nil
}
