package kubeadm_test

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	"kaas/internal/testenv"
	"kaas/kubeadm"
)

func newPKI(t *testing.T) *kubeadm.PKI {
	t.Helper()
	p, err := kubeadm.NewPKI("blue", "kaaswh_credential", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func cert(t *testing.T, b []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatalf("no PEM in %q", b)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPKI(t *testing.T) {
	p := newPKI(t)
	for name, kp := range map[string]kubeadm.KeyPair{"ca": p.CA, "front-proxy-ca": p.FrontProxyCA, "etcd-ca": p.EtcdCA} {
		c := cert(t, kp.Cert)
		if !c.IsCA || c.Subject.CommonName == "" {
			t.Errorf("%s: IsCA %v, CN %q", name, c.IsCA, c.Subject.CommonName)
		}
		if _, err := tls.X509KeyPair(kp.Cert, kp.Key); err != nil {
			t.Errorf("%s: key does not match: %v", name, err)
		}
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert(t, p.CA.Cert))
	admin := cert(t, p.Admin.Cert)
	if _, err := admin.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("admin certificate does not chain to the cluster CA as a client certificate: %v", err)
	}
	if len(admin.Subject.Organization) != 1 || admin.Subject.Organization[0] != kubeadm.AdminGroup {
		t.Errorf("admin groups = %v", admin.Subject.Organization)
	}
	other := newPKI(t)
	otherRoots := x509.NewCertPool()
	otherRoots.AddCert(cert(t, other.CA.Cert))
	if _, err := admin.Verify(x509.VerifyOptions{Roots: otherRoots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
		t.Error("admin certificate verifies against another cluster's CA")
	}
	if !regexp.MustCompile(`^[a-z0-9]{6}\.[a-z0-9]{16}$`).MatchString(p.BootstrapToken) || p.BootstrapToken == other.BootstrapToken {
		t.Errorf("bootstrap tokens %q and %q", p.BootstrapToken, other.BootstrapToken)
	}
	hash, err := p.CACertHash()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cert(t, p.CA.Cert).RawSubjectPublicKeyInfo)
	if hash != "sha256:"+hex.EncodeToString(sum[:]) {
		t.Errorf("CA hash %s", hash)
	}
	if block, _ := pem.Decode(p.ServiceAccount.Cert); block == nil || block.Type != "PUBLIC KEY" {
		t.Errorf("service-account public key: %q", p.ServiceAccount.Cert)
	}
}

func TestAdminKubeconfig(t *testing.T) {
	p := newPKI(t)
	kc, err := p.AdminKubeconfig("blue", "https://203.0.113.10:6443")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kc)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "https://203.0.113.10:6443" || string(cfg.CAData) != string(p.CA.Cert) || string(cfg.CertData) != string(p.Admin.Cert) {
		t.Errorf("rest config host %s", cfg.Host)
	}
}

func testCluster() kubeadm.Cluster {
	return kubeadm.Cluster{
		Name: "blue", KubernetesVersion: "v1.37.2", Endpoint: "10.20.0.5", APIPort: 6443, ExtraSANs: []string{"203.0.113.10"},
		PodSubnet: "10.244.0.0/16", ServiceSubnet: "10.96.0.0/12", WebhookKube: []byte("apiVersion: v1\nkind: Config\n"),
		CNIManifest: "https://manifests.example/cni.yaml",
	}
}

// cloudConfig is the part of cloud-init's schema the user data uses.
type cloudConfig struct {
	WriteFiles []struct {
		Path, Permissions, Content string
	} `json:"write_files"`
	RunCmd [][]string `json:"runcmd"`
}

func TestUserData(t *testing.T) {
	p := newPKI(t)
	c := testCluster()
	cases := []struct {
		name      string
		node      kubeadm.Node
		wantFiles []string
		noFiles   []string
		wantRun   []string
	}{
		{"first master", kubeadm.Node{Role: kubeadm.RoleMaster}, []string{"/etc/kubernetes/pki/ca.key", "/etc/kubernetes/pki/sa.key", "/etc/kubernetes/pki/etcd/ca.key", "/etc/kubernetes/kaas-webhook/webhook.yaml"}, nil,
			[]string{"kubeadm init --config /etc/kubernetes/kaas/kubeadm.yaml", "apply -f 'https://manifests.example/cni.yaml'"}},
		{"second master", kubeadm.Node{Role: kubeadm.RoleMaster, Index: 1}, []string{"/etc/kubernetes/pki/front-proxy-ca.key", "/etc/kubernetes/kaas-webhook/webhook.yaml"}, nil,
			[]string{"kubeadm join --config /etc/kubernetes/kaas/kubeadm.yaml"}},
		{"worker", kubeadm.Node{Role: kubeadm.RoleWorker, Index: 2}, []string{"/etc/kubernetes/kaas/kubeadm.yaml"}, []string{"/etc/kubernetes/pki/ca.key", "/etc/kubernetes/kaas-webhook/webhook.yaml"},
			[]string{"kubeadm join --config /etc/kubernetes/kaas/kubeadm.yaml"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ud, err := kubeadm.UserData(p, c, tc.node)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(ud), "#cloud-config\n") {
				t.Fatalf("user data starts %q", ud[:20])
			}
			var cc cloudConfig
			if err := yaml.Unmarshal(ud, &cc); err != nil {
				t.Fatal(err)
			}
			files := map[string]string{}
			for _, f := range cc.WriteFiles {
				files[f.Path] = f.Content
				if strings.HasSuffix(f.Path, ".key") && f.Permissions != "0600" {
					t.Errorf("%s has mode %s", f.Path, f.Permissions)
				}
			}
			for _, f := range tc.wantFiles {
				if files[f] == "" {
					t.Errorf("no %s", f)
				}
			}
			for _, f := range tc.noFiles {
				if _, ok := files[f]; ok {
					t.Errorf("a %s must not carry %s", tc.node.Role, f)
				}
			}
			var run []string
			for _, cmd := range cc.RunCmd {
				run = append(run, strings.Join(cmd, " "))
			}
			for _, w := range tc.wantRun {
				if !strings.Contains(strings.Join(run, "\n"), w) {
					t.Errorf("runcmd %q lacks %q", run, w)
				}
			}
			if files["/etc/kubernetes/pki/ca.crt"] != "" && files["/etc/kubernetes/pki/ca.crt"] != string(p.CA.Cert) {
				t.Error("ca.crt is not the cluster CA")
			}
		})
	}
}

func TestConfigNeedsTheEndpoint(t *testing.T) {
	c := testCluster()
	c.Endpoint = ""
	if _, err := kubeadm.Config(newPKI(t), c, kubeadm.Node{Role: kubeadm.RoleMaster}); err == nil {
		t.Fatal("a configuration without the API endpoint was made")
	}
}

// TestConfigValidatedByKubeadm has the real kubeadm (built by scripts/build-kube.sh)
// validate each kind of node's configuration.
func TestConfigValidatedByKubeadm(t *testing.T) {
	bin := filepath.Join(testenv.Getenv(t, "KAAS_KUBE_BIN_DIR"), "kubeadm")
	p := newPKI(t)
	c := testCluster()
	for _, n := range []kubeadm.Node{{Role: kubeadm.RoleMaster}, {Role: kubeadm.RoleMaster, Index: 1}, {Role: kubeadm.RoleWorker}} {
		cfg, err := kubeadm.Config(p, c, n)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "kubeadm.yaml")
		if err := os.WriteFile(path, cfg, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "config", "validate", "--config", path).CombinedOutput()
		if err != nil {
			t.Errorf("%s %d: kubeadm config validate: %v\n%s\n--- config:\n%s", n.Role, n.Index, err, out, cfg)
		}
	}
	// A broken configuration is refused by the same check: the test can fail.
	path := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(path, []byte("apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\ndiscovery: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "config", "validate", "--config", path).CombinedOutput(); err == nil {
		t.Errorf("kubeadm accepted a join configuration without discovery:\n%s", out)
	}
}
