// Command kaas-deploycheck checks the Helm chart (deploy/helm/kaas) with a real helm and a
// real kube-apiserver: for each values file of the chart's ci/ directory it runs helm lint,
// renders the chart, checks the objects it expects and that the binary's own configuration
// loader accepts the Deployment's environment and arguments, then applies every rendered
// object to a local kube-apiserver with server-side dry-run. Values that must be refused are
// checked to fail rendering with their message. Any failure exits non-zero.
//
//	kaas-deploycheck --helm "$(scripts/build-helm.sh)" --kube-bin-dir "$(scripts/build-kube.sh)"
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"kaas/localcluster"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "kaas-deploycheck:", err)
		os.Exit(1)
	}
}

func run() error {
	helm := flag.String("helm", "", "the helm binary (scripts/build-helm.sh prints it)")
	binDir := flag.String("kube-bin-dir", os.Getenv("KAAS_KUBE_BIN_DIR"), "directory with etcd, kube-apiserver and kubectl")
	chart := flag.String("chart", "deploy/helm/kaas", "the chart directory")
	namespace := flag.String("namespace", "kaas", "namespace the chart is rendered for and dry-run into")
	flag.Parse()
	if *helm == "" || *binDir == "" {
		return errors.New("--helm and --kube-bin-dir are required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	work, err := os.MkdirTemp("", "kaas-deploycheck-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	h := helmRunner{bin: *helm, chart: *chart, namespace: *namespace, home: filepath.Join(work, "helm")}

	began := time.Now()
	cluster, err := localcluster.Start(ctx, localcluster.Options{BinDir: *binDir, Dir: filepath.Join(work, "cluster"), Name: "deploycheck"})
	if err != nil {
		return fmt.Errorf("start kube-apiserver: %w", err)
	}
	defer cluster.Stop()
	kubeVersion, err := serverVersion(ctx, cluster)
	if err != nil {
		return err
	}
	h.kubeVersion = kubeVersion
	fmt.Printf("kube-apiserver %s ready in %s\n", kubeVersion, time.Since(began).Round(time.Millisecond))
	if err := prepareCluster(ctx, cluster, *namespace, work); err != nil {
		return err
	}

	failed := 0
	report := func(name string, err error, took time.Duration) {
		if err != nil {
			failed++
			fmt.Printf("FAIL %s (%s)\n%v\n", name, took.Round(time.Millisecond), err)
			return
		}
		fmt.Printf("ok   %s (%s)\n", name, took.Round(time.Millisecond))
	}

	valueFiles, err := filepath.Glob(filepath.Join(*chart, "ci", "*-values.yaml"))
	if err != nil || len(valueFiles) == 0 {
		return fmt.Errorf("no values files in %s/ci", *chart)
	}
	for _, c := range renderCases {
		file := filepath.Join(*chart, "ci", c.file)
		t := time.Now()
		report("render, lint and dry-run "+c.file, checkRendered(ctx, h, cluster, work, file, c), time.Since(t))
	}
	if len(valueFiles) != len(renderCases) {
		failed++
		fmt.Printf("FAIL the ci/ directory has %d values files but %d are checked: add the new ones to renderCases\n", len(valueFiles), len(renderCases))
	}
	for _, c := range refusedCases {
		t := time.Now()
		report("refused: "+c.name, checkRefused(ctx, h, c), time.Since(t))
	}
	total := len(renderCases) + len(refusedCases)
	fmt.Printf("%d passed, %d failed\n", total-failed, failed)
	fmt.Printf("deploy check took %s\n", time.Since(began).Round(time.Millisecond))
	if failed > 0 {
		return fmt.Errorf("%d checks failed", failed)
	}
	return nil
}

// helmRunner runs helm on the chart with a private home, so nothing of the user's helm
// configuration (repositories, plugins) is read or written.
type helmRunner struct {
	bin, chart, namespace, home, kubeVersion string
}

func (h helmRunner) run(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	cmd := exec.CommandContext(ctx, h.bin, args...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(h.home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(h.home, "config"),
		"HELM_DATA_HOME="+filepath.Join(h.home, "data"),
		"KUBECONFIG="+filepath.Join(h.home, "no-kubeconfig"),
	)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// template renders the chart as release "kaas" with the values files and --set arguments.
func (h helmRunner) template(ctx context.Context, valueFiles []string, sets ...string) (string, string, error) {
	args := []string{"template", "kaas", h.chart, "--namespace", h.namespace, "--kube-version", h.kubeVersion}
	for _, f := range valueFiles {
		args = append(args, "--values", f)
	}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	return h.run(ctx, args...)
}

func (h helmRunner) lint(ctx context.Context, valueFile string) error {
	out, errOut, err := h.run(ctx, "lint", h.chart, "--strict", "--namespace", h.namespace, "--kube-version", h.kubeVersion, "--values", valueFile)
	if err != nil {
		return fmt.Errorf("helm lint: %w\n%s%s", err, out, errOut)
	}
	return nil
}

// serverVersion returns the kube-apiserver's version, which the chart is rendered for.
func serverVersion(ctx context.Context, c *localcluster.Cluster) (string, error) {
	out, stderr, err := c.Kubectl(ctx, "", "version", "--output=json")
	if err != nil {
		return "", fmt.Errorf("server version: %w: %s", err, stderr)
	}
	var v struct {
		ServerVersion struct {
			GitVersion string `json:"gitVersion"`
		} `json:"serverVersion"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.ServerVersion.GitVersion == "" {
		return "", fmt.Errorf("server version: no gitVersion in %q", out)
	}
	return v.ServerVersion.GitVersion, nil
}

// prepareCluster creates the namespace and the ServiceMonitor CRD (a bare kube-apiserver
// has no Prometheus Operator), and waits until the CRD is served.
func prepareCluster(ctx context.Context, c *localcluster.Cluster, namespace, work string) error {
	if _, stderr, err := c.Kubectl(ctx, "", "create", "namespace", namespace); err != nil {
		return fmt.Errorf("create namespace: %w: %s", err, stderr)
	}
	crd := filepath.Join(work, "servicemonitor-crd.yaml")
	if err := os.WriteFile(crd, serviceMonitorCRD, 0o600); err != nil {
		return err
	}
	if _, stderr, err := c.Kubectl(ctx, "", "apply", "-f", crd); err != nil {
		return fmt.Errorf("apply the ServiceMonitor CRD: %w: %s", err, stderr)
	}
	if _, stderr, err := c.Kubectl(ctx, "", "wait", "--for=condition=Established", "--timeout=60s", "crd/servicemonitors.monitoring.coreos.com"); err != nil {
		return fmt.Errorf("wait for the ServiceMonitor CRD: %w: %s", err, stderr)
	}
	return nil
}
