package e2e_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kaas/clusters"
	"kaas/internal/apptest"
	"kaas/internal/testenv"
	"kaas/localcluster"
	"kaas/tokens"
)

// startCluster starts a real etcd + kube-apiserver whose token webhook is the panel.
func startCluster(t *testing.T, dir, name string, webhookKubeconfig []byte, version string) *localcluster.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c, err := localcluster.Start(ctx, localcluster.Options{
		BinDir: testenv.Getenv(t, "KAAS_KUBE_BIN_DIR"), Dir: dir, Name: name,
		WebhookKubeconfig: webhookKubeconfig, WebhookVersion: version, WebhookCacheTTL: 0,
	})
	if err != nil {
		t.Fatalf("start cluster %s: %v", name, err)
	}
	t.Cleanup(func() {
		c.Stop()
		testenv.KeepLogs(t, dir)
	})
	return c
}

type whoami struct {
	Status struct {
		UserInfo struct {
			Username string
			UID      string
			Groups   []string
		} `json:"userInfo"`
	}
}

func kubectlWhoami(t *testing.T, c *localcluster.Cluster, token string) (whoami, error) {
	t.Helper()
	out, stderr, err := c.Kubectl(context.Background(), token, "auth", "whoami", "-o", "json")
	var w whoami
	if err != nil {
		return w, errorWith(err, stderr)
	}
	if err := json.Unmarshal([]byte(out), &w); err != nil {
		t.Fatalf("whoami output: %v: %s", err, out)
	}
	return w, nil
}

type stderrError struct {
	err    error
	stderr string
}

func (e stderrError) Error() string { return e.err.Error() + ": " + e.stderr }

func errorWith(err error, stderr string) error { return stderrError{err, stderr} }

// eventually polls f until it returns nil or the deadline passes.
func eventually(t *testing.T, what string, timeout time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// TestKubectlThroughTheWebhook follows a user from login to kubectl on a real cluster:
// token → identity → RBAC denies → a binding of their Keystone role ID allows → the
// token is deleted → 401.
func TestKubectlThroughTheWebhook(t *testing.T) {
	proxy := testenv.NewTCPProxy(t, testenv.Keystone(t).AuthURL)
	cfg := apptest.Config(t)
	cfg.Keystone.AuthURL = proxy.URL()
	cfg.IdentityTTL = time.Nanosecond // every review asks Keystone, so the outage below is real
	cfg.IdentityStale = time.Hour
	panel := apptest.Start(t, cfg)

	// Plain /authenticate without a credential (allowed by default), as v1beta1, the
	// kube-apiserver's default version.
	kc := startCluster(t, t.TempDir(), "e2e-a", plainWebhook(t, panel.URL), "")

	browser := panel.Client(t)
	userID := browser.Login("ursula")
	secret, tokenID := browser.CreateToken("kubectl")
	var viewer struct {
		Viewer struct{ Roles []struct{ ID, Name string } }
	}
	browser.MustDo(`{viewer{roles{id name}}}`, nil, &viewer)
	memberRole := ""
	for _, r := range viewer.Viewer.Roles {
		if r.Name == "member" {
			memberRole = r.ID
		}
	}

	w, err := kubectlWhoami(t, kc, secret)
	if err != nil {
		t.Fatalf("whoami: %v", err)
	}
	u := w.Status.UserInfo
	if u.Username != "ursula" || u.UID != userID || !contains(u.Groups, memberRole) || !contains(u.Groups, "system:authenticated") {
		t.Fatalf("whoami = %+v; want ursula, %s, groups with %s", u, userID, memberRole)
	}

	if _, stderr, err := kc.Kubectl(context.Background(), secret, "get", "ns"); err == nil || !strings.Contains(stderr, "Forbidden") {
		t.Fatalf("get ns before any binding: err=%v stderr=%s", err, stderr)
	}
	if _, stderr, err := kc.Kubectl(context.Background(), "", "create", "clusterrolebinding", "e2e-members",
		"--clusterrole=cluster-admin", "--group="+memberRole); err != nil {
		t.Fatalf("bind: %v %s", err, stderr)
	}
	eventually(t, "RBAC allows after the binding", 30*time.Second, func() error {
		out, stderr, err := kc.Kubectl(context.Background(), secret, "get", "ns", "-o", "name")
		if err != nil {
			return errorWith(err, stderr)
		}
		if !strings.Contains(out, "namespace/default") {
			return errString("no default namespace in " + out)
		}
		return nil
	})

	// Keystone goes down: the cached identity keeps kubectl working.
	proxy.Stop()
	if _, err := kubectlWhoami(t, kc, secret); err != nil {
		t.Fatalf("whoami with Keystone down: %v", err)
	}

	unknown, _ := tokens.Generate(nil)
	if _, stderr, err := kc.Kubectl(context.Background(), unknown, "get", "ns"); err == nil || !unauthorized(stderr) {
		t.Fatalf("unknown token: err=%v stderr=%s", err, stderr)
	}
	browser.MustDo(`mutation($id:ID!){deleteToken(id:$id)}`, map[string]any{"id": tokenID}, nil)
	// The panel rejects it on the very next review (TestWebhookAnswersTokenReviews); the
	// kube-apiserver keeps successful logins for a hard-coded 10 s on top of its
	// configured webhook cache, so kubectl sees the 401 within that.
	eventually(t, "deleted token refused by the cluster", 30*time.Second, func() error {
		if _, stderr, err := kc.Kubectl(context.Background(), secret, "get", "ns"); err == nil || !unauthorized(stderr) {
			return errString("still accepted: " + stderr)
		}
		return nil
	})
}

// TestAdoptedClusterWithPerClusterCredential adopts a running cluster, gives its
// kube-apiserver the webhook kubeconfig the panel issues (v1, per-cluster path and
// credential) and checks that the token's last-used cluster is recorded.
func TestAdoptedClusterWithPerClusterCredential(t *testing.T) {
	cfg := apptest.Config(t)
	// kube-apiservers send a webhook kubeconfig's credentials only over TLS, so the
	// per-cluster credential needs the webhook's own TLS listener.
	cfg.WebhookAddr = testenv.FreeAddr(t)
	cfg.WebhookTLSCert, cfg.WebhookTLSKey = testenv.SelfSignedCert(t)
	panel := apptest.Start(t, cfg)
	dir := t.TempDir()
	kc := startCluster(t, dir, "e2e-b", nil, "")

	operator := panel.Client(t)
	operator.Login("oscar")
	var adopted struct {
		AdoptCluster struct{ ID, Name, APIURL string } `json:"adoptCluster"`
	}
	operator.MustDo(`mutation($i:AdoptClusterInput!){adoptCluster(input:$i){id name apiURL}}`, map[string]any{"i": map[string]any{
		"name": "e2e-b", "baseDomain": "kaas.test", "kubeconfig": string(kc.AdminKubeconfig()),
	}}, &adopted)
	if adopted.AdoptCluster.APIURL != kc.APIURL() {
		t.Fatalf("adopted %+v, want API %s", adopted, kc.APIURL())
	}
	var issued struct{ IssueWebhookKubeconfig string }
	operator.MustDo(`mutation($id:ID!){issueWebhookKubeconfig(clusterId:$id)}`, map[string]any{"id": adopted.AdoptCluster.ID}, &issued)
	if !strings.Contains(issued.IssueWebhookKubeconfig, "https://"+cfg.WebhookAddr+"/authenticate/e2e-b") ||
		!strings.Contains(issued.IssueWebhookKubeconfig, "kaaswh_") || !strings.Contains(issued.IssueWebhookKubeconfig, "certificate-authority-data") {
		t.Fatalf("webhook kubeconfig:\n%s", issued.IssueWebhookKubeconfig)
	}
	if err := kc.Stop(); err != nil {
		t.Fatal(err)
	}
	kc = startCluster(t, dir, "e2e-b", []byte(issued.IssueWebhookKubeconfig), "v1")

	user := panel.Client(t)
	user.Login("alice")
	secret, _ := user.CreateToken("e2e-b")
	w, err := kubectlWhoami(t, kc, secret)
	if err != nil || w.Status.UserInfo.Username != "alice" {
		t.Fatalf("whoami = %+v, %v", w, err)
	}
	eventually(t, "last use recorded with the cluster", 30*time.Second, func() error {
		var list struct {
			Tokens []struct{ LastUsedCluster *string }
		}
		user.MustDo(`{tokens{lastUsedCluster}}`, nil, &list)
		if c := list.Tokens[0].LastUsedCluster; c == nil || *c != "e2e-b" {
			return errString("not yet")
		}
		return nil
	})

	// A kube-apiserver presenting a stale credential is refused: the webhook errors, so
	// the token is not accepted.
	operator.MustDo(`mutation($id:ID!){issueWebhookKubeconfig(clusterId:$id)}`, map[string]any{"id": adopted.AdoptCluster.ID}, &issued)
	stale := filepath.Join(dir, "webhook.kubeconfig")
	if _, err := os.Stat(stale); err != nil {
		t.Fatalf("the cluster's webhook kubeconfig: %v", err)
	}
	eventually(t, "rotated credential refused", 90*time.Second, func() error {
		if _, err := kubectlWhoami(t, kc, secret); err == nil {
			return errString("still accepted")
		}
		return nil
	})
}

// plainWebhook is a webhook kubeconfig for the panel's plain /authenticate path, without
// a cluster credential.
func plainWebhook(t *testing.T, panelURL string) []byte {
	t.Helper()
	hook, err := clusters.WebhookKubeconfig(panelURL, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	return hook
}

// unauthorized reports whether kubectl said the server answered 401.
func unauthorized(stderr string) bool {
	return strings.Contains(stderr, "Unauthorized") || strings.Contains(stderr, "must be logged in")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
