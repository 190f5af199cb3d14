package kube_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"kaas/kube"
	"kaas/models"
)

// testCA is a self-signed CA certificate (no key kept), base64 as a kubeconfig embeds it.
const testCA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJmRENDQVNHZ0F3SUJBZ0lVUk9ENW5xU2d3RDBXWWIzRk9YZGIvVEs2VjJNd0NnWUlLb1pJemowRUF3SXcKRWpFUU1BNEdBMVVFQXd3SFpuVjZlaTFqWVRBZ0Z3MHlOakV5TURNd056VTRNREphR0E4eU1USTJNVEV3T1RBMwpOVGd3TWxvd0VqRVFNQTRHQTFVRUF3d0hablY2ZWkxallUQlpNQk1HQnlxR1NNNDlBZ0VHQ0NxR1NNNDlBd0VICkEwSUFCQkNsdm9BZnMrYk1tVktmMkJIbW9uWXA5UFcyR0lyaU5rNkR5aVZBRE5wQm1qZGxmYlNMVmhvSUlvb2cKZWJ4clFsT25OMEtxc2ZFN25sTytuN3pRS1J5alV6QlJNQjBHQTFVZERnUVdCQlF0ZllPTHNpTEhFYysrQWVFZQpZNzBLdXk2UXVEQWZCZ05WSFNNRUdEQVdnQlF0ZllPTHNpTEhFYysrQWVFZVk3MEt1eTZRdURBUEJnTlZIUk1CCkFmOEVCVEFEQVFIL01Bb0dDQ3FHU000OUJBTUNBMGtBTUVZQ0lRRGIwZDBvMTdudTBZVG53NzE4aWplYkZQL3kKTnNETTFwbEZQbTNiMUdWOXp3SWhBUEdrZm9KY3pBRHQ0ZWxFYXhPZDgvR2hINHdkSWYrRHZYYnR4aHYzMU91ZwotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg=="

// kubeconfig returns an admin kubeconfig with the given lines added to its cluster and
// user entries (indented to their level).
func kubeconfig(clusterExtra, userExtra string) string {
	return `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: ` + testCA + "\n" + indent(clusterExtra, "    ") + `users:
- name: u
  user:
    token: abc
` + indent(userExtra, "    ") + `contexts:
- name: ctx
  context:
    cluster: c
    user: u
current-context: ctx
`
}

func indent(lines, prefix string) string {
	if lines == "" {
		return ""
	}
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSuffix(lines, "\n"), "\n") {
		b.WriteString(prefix + l + "\n")
	}
	return b.String()
}

func TestParseKubeconfigAccepts(t *testing.T) {
	tests := []struct {
		name string
		kc   string
	}{
		{"token", kubeconfig("", "")},
		{"client certificate data", kubeconfig("", "client-certificate-data: "+testCA+"\nclient-key-data: "+testCA)},
		{"tls server name and compression", kubeconfig("tls-server-name: api.example\ndisable-compression: true", "")},
		{"insecure turned off explicitly", kubeconfig("insecure-skip-tls-verify: false", "")},
		{"empty file fields", kubeconfig("certificate-authority: \"\"\nproxy-url: \"\"", "tokenFile: \"\"\nexec: null")},
		{"extensions", kubeconfig("extensions:\n- name: e\n  extension: {anything: [1, 2]}", "")},
		{"preferences", kubeconfig("", "") + "preferences: {colors: true}\n"},
		{"written by client-go, as the local driver does", written()},
		{"json", `{"apiVersion":"v1","kind":"Config","clusters":[{"name":"c","cluster":{"server":"https://k.example:6443","certificate-authority-data":"` + testCA + `"}}],"users":[{"name":"u","user":{"token":"t"}}],"contexts":[{"name":"x","context":{"cluster":"c","user":"u"}}],"current-context":"x"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, ep, err := kube.ParseKubeconfig([]byte(tt.kc))
			if err != nil {
				t.Fatalf("ParseKubeconfig: %v", err)
			}
			if !strings.HasPrefix(ep.APIURL, "https://") || ep.CAPEM == "" || cfg.Host != ep.APIURL {
				t.Fatalf("endpoint %+v, host %q", ep, cfg.Host)
			}
		})
	}
}

// written is a kubeconfig as clientcmd.Write makes it (with preferences: {}).
func written() string {
	ca, _ := base64.StdEncoding.DecodeString(testCA)
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:6443", CertificateAuthorityData: ca}
	cfg.AuthInfos["u"] = &clientcmdapi.AuthInfo{ClientCertificateData: ca, ClientKeyData: []byte("key")}
	cfg.Contexts["x"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u", Namespace: "default"}
	cfg.CurrentContext = "x"
	b, err := clientcmd.Write(*cfg)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestParseKubeconfigRefuses(t *testing.T) {
	// A refused field is refused in every entry, not only in the current context's.
	secondCluster := strings.Replace(kubeconfig("", ""), "users:",
		"- name: other\n  cluster:\n    server: https://o.example\n    certificate-authority: /etc/other-ca.crt\nusers:", 1)
	tests := []struct {
		name string
		kc   string
		// want is in the error message: the offending field.
		want string
	}{
		{"insecure-skip-tls-verify", kubeconfig("insecure-skip-tls-verify: true", ""), "clusters[0].cluster.insecure-skip-tls-verify"},
		{"proxy-url", kubeconfig("proxy-url: http://proxy.example:3128", ""), "clusters[0].cluster.proxy-url"},
		{"certificate-authority file", kubeconfig("certificate-authority: /etc/ssl/ca.crt", ""), "clusters[0].cluster.certificate-authority "},
		{"client-certificate file", kubeconfig("", "client-certificate: /etc/kubernetes/admin.crt"), "users[0].user.client-certificate "},
		{"client-key file", kubeconfig("", "client-key: /etc/kubernetes/admin.key"), "users[0].user.client-key "},
		{"tokenFile", kubeconfig("", "tokenFile: /var/run/secrets/token"), "users[0].user.tokenFile"},
		{"exec plugin", kubeconfig("", "exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: /bin/sh\n  args: [-c, id]"), "users[0].user.exec"},
		{"auth-provider plugin", kubeconfig("", "auth-provider:\n  name: gcp\n  config: {cmd-path: /bin/sh}"), "users[0].user.auth-provider"},
		{"http server", strings.Replace(kubeconfig("", ""), "https://", "http://", 1), "clusters[0].cluster.server must be an https URL"},
		{"server without host", strings.Replace(kubeconfig("", ""), "https://127.0.0.1:6443", "https://", 1), "clusters[0].cluster.server"},
		{"server with user information", strings.Replace(kubeconfig("", ""), "https://", "https://me:pw@", 1), "clusters[0].cluster.server"},
		{"unknown cluster field", kubeconfig("certificate-authority-file: /ca", ""), `clusters[0].cluster has a field "certificate-authority-file"`},
		{"field in another case", kubeconfig("", "TokenFile: /token"), `users[0].user has a field "TokenFile"`},
		{"unknown top field", kubeconfig("", "") + "kubeconfig-path: /x\n", `has a field "kubeconfig-path"`},
		{"file in a cluster the context does not use", secondCluster, "clusters[1].cluster.certificate-authority "},
		{"clusters not a list", "apiVersion: v1\nkind: Config\nclusters: {a: b}\n", "clusters must be a list"},
		{"cluster not a mapping", "clusters: [x]\n", "clusters[0] must be a mapping"},
		{"not a mapping", "- a\n- b\n", "not a YAML mapping"},
		{"not YAML", "a: [b\n", "not YAML"},
		{"no certificate-authority-data", strings.Replace(kubeconfig("", ""), "certificate-authority-data: "+testCA, "tls-server-name: x", 1), "certificate-authority-data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := kube.ParseKubeconfig([]byte(tt.kc))
			if models.ErrorCode(err) != models.CodeInvalid {
				t.Fatalf("ParseKubeconfig = %v, want INVALID", err)
			}
			if msg := models.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Fatalf("message %q does not name %q", msg, tt.want)
			}
		})
	}
}

// TestKubeconfigErrorsDoNotDependOnFiles: a kubeconfig naming a file gets the same answer
// whether the file exists or not, so the panel cannot be used to probe its file system.
func TestKubeconfigErrorsDoNotDependOnFiles(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "present")
	if err := os.WriteFile(existing, []byte(testCA), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "absent")
	tests := []struct {
		name    string
		kc      func(path string) string
		cluster bool
	}{
		{"certificate-authority", func(p string) string { return kubeconfig("certificate-authority: "+p, "") }, true},
		{"client-certificate", func(p string) string { return kubeconfig("", "client-certificate: "+p) }, false},
		{"client-key", func(p string) string { return kubeconfig("", "client-key: "+p) }, false},
		{"tokenFile", func(p string) string { return kubeconfig("", "tokenFile: "+p) }, false},
		{"exec command", func(p string) string {
			return kubeconfig("", "exec: {apiVersion: client.authentication.k8s.io/v1, command: "+p+"}")
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, errPresent := kube.ParseKubeconfig([]byte(tt.kc(existing)))
			_, _, errAbsent := kube.ParseKubeconfig([]byte(tt.kc(missing)))
			if models.ErrorCode(errPresent) != models.CodeInvalid || models.ErrorCode(errAbsent) != models.CodeInvalid {
				t.Fatalf("errors %v / %v, want INVALID", errPresent, errAbsent)
			}
			if errPresent.Error() != errAbsent.Error() {
				t.Fatalf("the answer depends on the file: %q vs %q", errPresent, errAbsent)
			}
			if strings.Contains(errPresent.Error(), dir) {
				t.Fatalf("the error repeats the path: %q", errPresent)
			}
		})
	}
}
