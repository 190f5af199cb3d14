package localcluster_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"

	"kaas/localcluster"
)

func binDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KAAS_KUBE_BIN_DIR")
	if dir == "" {
		t.Fatalf("KAAS_KUBE_BIN_DIR is not set: run `make test`")
	}
	return dir
}

// start starts a cluster in dir, stopped when the test ends, and logs how long it took
// and how much memory the processes hold.
func start(t *testing.T, dir string) *localcluster.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	began := time.Now()
	c, err := localcluster.Start(ctx, localcluster.Options{
		BinDir: binDir(t),
		Dir:    dir,
		Name:   "test",
		Log:    slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	pids := c.Pids()
	t.Logf("ready in %s; RSS etcd %s, kube-apiserver %s", time.Since(began).Round(time.Millisecond), rss(pids[0]), rss(pids[1]))
	return c
}

func rss(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return err.Error()
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func TestStartServesAdminAnonymousHealthzAndRejectsBogusToken(t *testing.T) {
	c := start(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	out, _, err := c.Kubectl(ctx, "", "get", "ns", "-o", "name")
	if err != nil {
		t.Fatalf("kubectl get ns as admin: %v", err)
	}
	for _, ns := range []string{"namespace/default", "namespace/kube-system"} {
		if !strings.Contains(out, ns) {
			t.Errorf("kubectl get ns: want %s in\n%s", ns, out)
		}
	}

	if !bytes.Contains(c.AdminKubeconfig(), []byte("client-certificate-data")) {
		t.Errorf("admin kubeconfig has no embedded client certificate:\n%s", c.AdminKubeconfig())
	}

	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(c.CAPEM()) {
		t.Fatal("CAPEM holds no certificate")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := client.Get(c.APIURL() + "/healthz")
	if err != nil {
		t.Fatalf("anonymous GET /healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("anonymous GET /healthz: %s, want 200", resp.Status)
	}

	// kubectl words a 401 "Unauthorized" or, when it fails during discovery, "the server
	// has asked for the client to provide credentials"; both start the same way.
	_, stderr, err := c.Kubectl(ctx, "bogus-token", "get", "ns")
	if err == nil || !strings.Contains(err.Error(), "exit status 1") {
		t.Fatalf("kubectl with a bogus token: %v, want exit status 1", err)
	}
	if !strings.Contains(stderr, "You must be logged in to the server") {
		t.Errorf("kubectl with a bogus token: stderr %q, want a 401", stderr)
	}

	pids := c.Pids()
	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	for _, pid := range pids {
		if err := waitGone(pid, 5*time.Second); err != nil {
			t.Error(err)
		}
	}
}

func TestRestartReusesCertificates(t *testing.T) {
	dir := t.TempDir()
	first := start(t, dir)
	ca := first.CAPEM()
	if _, _, err := first.Kubectl(context.Background(), "", "create", "namespace", "kept"); err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	_, err := localcluster.Start(context.Background(), localcluster.Options{BinDir: binDir(t), Dir: dir, Name: "twin"})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second Start on a directory in use: %v, want an in-use error", err)
	}
	if err := first.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}

	second := start(t, dir)
	if !bytes.Equal(second.CAPEM(), ca) {
		t.Error("restart generated a new CA")
	}
	out, _, err := second.Kubectl(context.Background(), "", "get", "ns", "kept", "-o", "name")
	if err != nil {
		t.Fatalf("kubectl get ns kept after restart: %v", err)
	}
	if strings.TrimSpace(out) != "namespace/kept" {
		t.Errorf("after restart: got %q, want namespace/kept (etcd data kept)", out)
	}
}

// TestWebhookDoesNotCacheFailuresWithZeroTTL checks that the webhook options reach
// kube-apiserver: a v1 TokenReview, and a cache TTL of 0 passed as 0s rather than
// dropped, which would leave the 2-minute default that also caches rejections.
// kube-apiserver caches successes for 10 s on its own whatever the flag says, so the
// test turns a rejection into an approval, never the other way round.
func TestWebhookDoesNotCacheFailuresWithZeroTTL(t *testing.T) {
	var mu sync.Mutex
	approve := false
	var gotAPIVersion string
	webhook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var review authenticationv1.TokenReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		gotAPIVersion = review.APIVersion
		review.Status = authenticationv1.TokenReviewStatus{
			Authenticated: approve && review.Spec.Token == "good",
			User:          authenticationv1.UserInfo{Username: "alice", Groups: []string{"kaas:test"}},
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(review)
	}))
	t.Cleanup(webhook.Close)
	kubeconfig := "apiVersion: v1\nkind: Config\n" +
		"clusters: [{name: kaas, cluster: {server: " + webhook.URL + "}}]\n" +
		"users: [{name: apiserver, user: {token: cluster-secret}}]\n" +
		"contexts: [{name: kaas, context: {cluster: kaas, user: apiserver}}]\n" +
		"current-context: kaas\n"

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := localcluster.Start(ctx, localcluster.Options{
		BinDir:            binDir(t),
		Dir:               t.TempDir(),
		Name:              "webhook",
		WebhookKubeconfig: []byte(kubeconfig),
		WebhookVersion:    "v1",
		WebhookCacheTTL:   0,
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { c.Stop() })

	whoami := []string{"auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"}
	if _, stderr, err := c.Kubectl(ctx, "good", whoami...); err == nil || !strings.Contains(stderr, "You must be logged in") {
		t.Fatalf("whoami while the webhook rejects the token: %v, stderr %q; want a 401", err, stderr)
	}
	mu.Lock()
	approve = true
	if gotAPIVersion != "authentication.k8s.io/v1" {
		t.Errorf("webhook got TokenReview %q, want authentication.k8s.io/v1", gotAPIVersion)
	}
	mu.Unlock()
	out, _, err := c.Kubectl(ctx, "good", whoami...)
	if err != nil {
		t.Fatalf("whoami once the webhook approves the token (was the rejection cached?): %v", err)
	}
	if out != "alice" {
		t.Errorf("whoami: got %q, want alice", out)
	}
}

// TestStartsWhileWebhookUnreachable checks the bootstrap order the README promises: with
// its token webhook pointing at a panel that does not answer, kube-apiserver still starts
// and its client certificates work; webhook tokens get a 401 (the failure is not cached)
// and work as soon as the webhook answers, without a restart.
func TestStartsWhileWebhookUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there until the webhook comes up below
	kubeconfig := "apiVersion: v1\nkind: Config\n" +
		"clusters: [{name: kaas, cluster: {server: http://" + addr + "/authenticate}}]\n" +
		"users: [{name: apiserver, user: {}}]\n" +
		"contexts: [{name: kaas, context: {cluster: kaas, user: apiserver}}]\n" +
		"current-context: kaas\n"

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c, err := localcluster.Start(ctx, localcluster.Options{
		BinDir: binDir(t), Dir: t.TempDir(), Name: "unreachable",
		WebhookKubeconfig: []byte(kubeconfig), WebhookVersion: "v1", WebhookCacheTTL: 2 * time.Minute,
	})
	if err != nil {
		t.Fatalf("Start with the webhook unreachable: %v", err)
	}
	t.Cleanup(func() { c.Stop() })
	if _, _, err := c.Kubectl(ctx, "", "get", "ns", "kube-system", "-o", "name"); err != nil {
		t.Fatalf("admin (client certificate) while the webhook is unreachable: %v", err)
	}
	whoami := []string{"auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"}
	if _, stderr, err := c.Kubectl(ctx, "good", whoami...); err == nil || !strings.Contains(stderr, "You must be logged in") {
		t.Fatalf("token while the webhook is unreachable: %v, stderr %q; want a 401", err, stderr)
	}

	hl, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on the webhook address again: %v", err)
	}
	webhook := &httptest.Server{Listener: hl, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var review authenticationv1.TokenReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		review.Status = authenticationv1.TokenReviewStatus{
			Authenticated: review.Spec.Token == "good",
			User:          authenticationv1.UserInfo{Username: "alice"},
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(review)
	})}}
	webhook.Start()
	t.Cleanup(webhook.Close)
	out, _, err := c.Kubectl(ctx, "good", whoami...)
	if err != nil {
		t.Fatalf("token once the webhook answers (was the outage cached?): %v", err)
	}
	if out != "alice" {
		t.Errorf("whoami: got %q, want alice", out)
	}
}

// waitGone polls until no process has pid. A zombie still answers kill(pid, 0), but the
// package reaps its children, so one that stays is a bug.
func waitGone(pid int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Kill(pid, 0)
		if errors.Is(err, syscall.ESRCH) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("process %d still exists after Stop (kill 0: %v)", pid, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
