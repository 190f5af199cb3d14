// Command kaas-testbed starts real local Kubernetes clusters (etcd + kube-apiserver)
// whose token webhook is a given panel, for the browser tests and for demos. It prints
// one JSON line per cluster (name, API URL, admin kubeconfig) once all are ready, then
// runs until SIGINT or SIGTERM and stops them.
//
// With --openstack-fake REGION it starts no local cluster but a FAKE OpenStack cloud
// instead (internal/openstackfake), registered in the real Keystone of the OS_* variables
// under REGION, with its clusters' load balancer on --lb-port, and PLAYS the first master
// of every cluster a panel creates there (internal/cloudplay: a real etcd and
// kube-apiserver booted from the server's user data; no kubelet, no workers). A panel
// started with --openstack-region REGION and --openstack-api-port of that port then
// provisions and resizes OPENSTACK clusters end to end, as the browser tests do.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"kaas/clusters"
	"kaas/internal/testenv"
	"kaas/localcluster"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "kaas-testbed:", err)
		os.Exit(1)
	}
}

func run() error {
	binDir := flag.String("bin-dir", os.Getenv("KAAS_KUBE_BIN_DIR"), "directory with etcd, kube-apiserver and kubectl")
	dir := flag.String("dir", "", "state directory (one subdirectory per cluster)")
	panel := flag.String("panel", "", "panel URL the clusters send TokenReviews to (plain /authenticate)")
	names := flag.String("clusters", "alpha", "comma-separated cluster names")
	crds := flag.String("apply", "", "a manifest applied to every cluster (e.g. Velero's CRDs)")
	fakeRegion := flag.String("openstack-fake", "", "region to register a FAKE OpenStack cloud under in the Keystone of OS_*, playing its clusters' first masters (no local clusters then)")
	lbPort := flag.Int("lb-port", 0, "with --openstack-fake: port of the fake cloud's load balancer (the panel's --openstack-api-port)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *fakeRegion != "" {
		if *binDir == "" || *dir == "" || *lbPort == 0 {
			return fmt.Errorf("--openstack-fake needs --bin-dir, --dir and --lb-port")
		}
		ks := testenv.KeystoneEnv{AuthURL: os.Getenv("OS_AUTH_URL"), Username: os.Getenv("OS_USERNAME"), Password: os.Getenv("OS_PASSWORD"), ProjectName: os.Getenv("OS_PROJECT_NAME")}
		if ks.AuthURL == "" || ks.Username == "" || ks.Password == "" || ks.ProjectName == "" {
			return fmt.Errorf("--openstack-fake needs the Keystone admin in OS_AUTH_URL, OS_USERNAME, OS_PASSWORD and OS_PROJECT_NAME")
		}
		return runFakeCloud(ctx, fakeCloud{region: *fakeRegion, lbPort: *lbPort, binDir: *binDir, dir: *dir, keystone: ks})
	}
	if *binDir == "" || *dir == "" || *panel == "" {
		return fmt.Errorf("--bin-dir, --dir and --panel are required")
	}
	hook, err := clusters.WebhookKubeconfig(*panel, "", "", "")
	if err != nil {
		return err
	}

	var started []*localcluster.Cluster
	defer func() {
		for _, c := range started {
			c.Stop()
		}
	}()
	type line struct {
		Name            string `json:"name"`
		APIURL          string `json:"apiURL"`
		AdminKubeconfig string `json:"adminKubeconfig"`
	}
	var out []line
	for _, name := range strings.Split(*names, ",") {
		sctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		c, err := localcluster.Start(sctx, localcluster.Options{
			BinDir: *binDir, Dir: filepath.Join(*dir, name), Name: name, WebhookKubeconfig: hook,
			WebhookVersion: "v1", WebhookCacheTTL: 0,
		})
		cancel()
		if err != nil {
			return fmt.Errorf("start %s: %w", name, err)
		}
		started = append(started, c)
		if *crds != "" {
			if _, stderr, err := c.Kubectl(ctx, "", "apply", "-f", *crds); err != nil {
				return fmt.Errorf("apply %s to %s: %w: %s", *crds, name, err, stderr)
			}
		}
		out = append(out, line{Name: name, APIURL: c.APIURL(), AdminKubeconfig: string(c.AdminKubeconfig())})
	}
	for _, l := range out {
		if err := json.NewEncoder(os.Stdout).Encode(l); err != nil {
			return err
		}
	}
	fmt.Println(`{"ready":true}`)
	<-ctx.Done()
	return nil
}
