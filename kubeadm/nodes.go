package kubeadm

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"

	"kaas/models"
)

// Paths on the nodes.
const (
	configPath  = "/etc/kubernetes/kaas/kubeadm.yaml"
	webhookDir  = "/etc/kubernetes/kaas-webhook"
	webhookPath = webhookDir + "/webhook.yaml"
	pkiDir      = "/etc/kubernetes/pki"
)

// apiVersion is the kubeadm configuration API the nodes are given.
const apiVersion = "kubeadm.k8s.io/v1beta4"

// Role is what a node is in its cluster.
type Role string

// The roles of nodes.
const (
	RoleMaster Role = "master"
	RoleWorker Role = "worker"
)

// Cluster is what every node of a cluster is told.
type Cluster struct {
	Name              string
	KubernetesVersion string
	// Endpoint is the load balancer's address in front of the kube-apiservers, as the
	// nodes reach it; the port is APIPort.
	Endpoint string
	APIPort  int
	// ExtraSANs are further names or addresses of the API (a floating IP, say).
	ExtraSANs     []string
	PodSubnet     string
	ServiceSubnet string
	WebhookKube   []byte // the kubeconfig of the panel's TokenReview webhook
	// CNIManifest, when set, is applied by the first master once the API is up.
	CNIManifest string
}

// Node is one server of the cluster.
type Node struct {
	Role  Role
	Index int
}

// first reports whether the node creates the cluster (kubeadm init) rather than joining.
func (n Node) first() bool { return n.Role == RoleMaster && n.Index == 0 }

func (c Cluster) endpoint() string {
	return net.JoinHostPort(c.Endpoint, strconv.Itoa(c.APIPort))
}

func (c Cluster) validate() error {
	switch {
	case c.Name == "" || c.KubernetesVersion == "" || c.Endpoint == "" || c.APIPort <= 0:
		return fmt.Errorf("kubeadm configuration: cluster name, Kubernetes version and API endpoint are required")
	case len(c.WebhookKube) == 0:
		return fmt.Errorf("kubeadm configuration: the webhook kubeconfig is required")
	}
	return nil
}

// Config returns the node's kubeadm configuration: InitConfiguration and
// ClusterConfiguration for the first master, a JoinConfiguration (control plane for the
// other masters) for the rest.
func Config(p *PKI, c Cluster, n Node) ([]byte, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	hash, err := p.CACertHash()
	if err != nil {
		return nil, err
	}
	if !n.first() {
		join := map[string]any{
			"apiVersion": apiVersion,
			"kind":       "JoinConfiguration",
			"discovery": map[string]any{"bootstrapToken": map[string]any{
				"apiServerEndpoint": c.endpoint(), "token": p.BootstrapToken, "caCertHashes": []string{hash}}},
		}
		if n.Role == RoleMaster {
			join["controlPlane"] = map[string]any{}
		}
		return marshalDocs(join)
	}
	sans := append([]string{c.Endpoint}, c.ExtraSANs...)
	init := map[string]any{
		"apiVersion": apiVersion,
		"kind":       "InitConfiguration",
		"bootstrapTokens": []any{map[string]any{
			"token": p.BootstrapToken, "ttl": "24h0m0s",
			"usages": []string{"signing", "authentication"},
			"groups": []string{"system:bootstrappers:kubeadm:default-node-token"},
		}},
	}
	cluster := map[string]any{
		"apiVersion":           apiVersion,
		"kind":                 "ClusterConfiguration",
		"clusterName":          c.Name,
		"kubernetesVersion":    c.KubernetesVersion,
		"controlPlaneEndpoint": c.endpoint(),
		"encryptionAlgorithm":  "ECDSA-P256",
		"networking":           networking(c),
		"apiServer": map[string]any{
			"certSANs": sans,
			"extraArgs": []any{
				arg("authentication-token-webhook-config-file", webhookPath),
				arg("authentication-token-webhook-version", "v1"),
				arg("authentication-token-webhook-cache-ttl", models.WebhookCacheTTL.String()),
			},
			"extraVolumes": []any{map[string]any{
				"name": "kaas-webhook", "hostPath": webhookDir, "mountPath": webhookDir, "readOnly": true, "pathType": "Directory",
			}},
		},
	}
	return marshalDocs(init, cluster)
}

func networking(c Cluster) map[string]any {
	n := map[string]any{}
	if c.PodSubnet != "" {
		n["podSubnet"] = c.PodSubnet
	}
	if c.ServiceSubnet != "" {
		n["serviceSubnet"] = c.ServiceSubnet
	}
	return n
}

func arg(name, value string) map[string]any { return map[string]any{"name": name, "value": value} }

func marshalDocs(docs ...map[string]any) ([]byte, error) {
	parts := make([]string, 0, len(docs))
	for _, d := range docs {
		b, err := yaml.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("marshal kubeadm configuration: %w", err)
		}
		parts = append(parts, string(b))
	}
	return []byte(strings.Join(parts, "---\n")), nil
}

// file is a cloud-init write_files entry.
type file struct {
	Path        string `json:"path"`
	Permissions string `json:"permissions"`
	Content     string `json:"content"`
}

// UserData returns the node's cloud-init user data: the shared PKI and the webhook
// kubeconfig on masters, the node's kubeadm configuration, and the kubeadm run. A node
// that joins retries until the first master answers. The image is expected to hold
// containerd, kubelet and kubeadm of the cluster's version.
func UserData(p *PKI, c Cluster, n Node) ([]byte, error) {
	cfg, err := Config(p, c, n)
	if err != nil {
		return nil, err
	}
	files := []file{{Path: configPath, Permissions: "0600", Content: string(cfg)}}
	if n.Role == RoleMaster {
		files = append(files,
			file{pkiDir + "/ca.crt", "0644", string(p.CA.Cert)},
			file{pkiDir + "/ca.key", "0600", string(p.CA.Key)},
			file{pkiDir + "/front-proxy-ca.crt", "0644", string(p.FrontProxyCA.Cert)},
			file{pkiDir + "/front-proxy-ca.key", "0600", string(p.FrontProxyCA.Key)},
			file{pkiDir + "/etcd/ca.crt", "0644", string(p.EtcdCA.Cert)},
			file{pkiDir + "/etcd/ca.key", "0600", string(p.EtcdCA.Key)},
			file{pkiDir + "/sa.pub", "0644", string(p.ServiceAccount.Cert)},
			file{pkiDir + "/sa.key", "0600", string(p.ServiceAccount.Key)},
			file{webhookPath, "0600", string(c.WebhookKube)},
		)
	}
	var run []string
	if n.first() {
		run = append(run, "kubeadm init --config "+configPath)
		if c.CNIManifest != "" {
			run = append(run, "until kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f "+shellQuote(c.CNIManifest)+"; do sleep 10; done")
		}
	} else {
		run = append(run, "until kubeadm join --config "+configPath+"; do kubeadm reset --force; sleep 15; done")
	}
	cmds := make([]any, 0, len(run))
	for _, r := range run {
		cmds = append(cmds, []string{"sh", "-c", r})
	}
	doc, err := yaml.Marshal(map[string]any{"write_files": files, "runcmd": cmds})
	if err != nil {
		return nil, fmt.Errorf("marshal user data: %w", err)
	}
	return append([]byte("#cloud-config\n"), doc...), nil
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
