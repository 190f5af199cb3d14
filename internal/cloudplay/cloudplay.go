// Package cloudplay plays the first master node of a cluster the panel builds on the FAKE
// cloud (internal/openstackfake), for tests: no server boots there, so it does what the
// node's cloud-init would do for the cluster's API. It takes the CA, service-account key
// and webhook kubeconfig from the user data the panel gave the server and starts a real
// etcd and kube-apiserver (localcluster) with them. The node is PLAYED: no kubelet, no
// kubeadm, no workers; the panel's certificates, credentials and API calls meet a real
// API server all the same.
package cloudplay

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"

	"kaas/localcluster"
)

// Master is a played first master: its API server and what it was booted with.
type Master struct {
	// Cluster is the real etcd and kube-apiserver behind the played node.
	Cluster *localcluster.Cluster
	// CA is the panel's cluster CA certificate (PEM), which the API server serves with.
	CA string
	// WebhookKubeconfig is the token webhook configuration the panel gave the node.
	WebhookKubeconfig string
}

// pkiFiles maps where the panel's user data writes each PKI file on a master to the name
// localcluster reads it under.
var pkiFiles = map[string]string{
	"/etc/kubernetes/pki/ca.crt": "ca.crt",
	"/etc/kubernetes/pki/ca.key": "ca.key",
	"/etc/kubernetes/pki/sa.pub": "sa.pub",
	"/etc/kubernetes/pki/sa.key": "sa.key",
}

// webhookFile is where the user data writes the master's token webhook kubeconfig.
const webhookFile = "/etc/kubernetes/kaas-webhook/webhook.yaml"

// BootFirstMaster plays a first master from the cloud-init user data the panel created
// its server with: the panel's CA and service-account keys written into dir (a state
// directory for this node alone), and a real etcd and kube-apiserver that use them and
// the node's webhook kubeconfig. The caller stops the returned Master's Cluster.
func BootFirstMaster(ctx context.Context, userData []byte, binDir, dir, name string) (*Master, error) {
	files, err := writeFiles(userData)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("played master: %w", err)
	}
	for from, to := range pkiFiles {
		if files[from] == "" {
			return nil, fmt.Errorf("played master: the user data lacks %s", from)
		}
		if err := os.WriteFile(filepath.Join(dir, to), []byte(files[from]), 0o600); err != nil {
			return nil, fmt.Errorf("played master: %w", err)
		}
	}
	hook := files[webhookFile]
	if hook == "" {
		return nil, fmt.Errorf("played master: the user data lacks %s", webhookFile)
	}
	c, err := localcluster.Start(ctx, localcluster.Options{BinDir: binDir, Dir: dir, Name: name, WebhookKubeconfig: []byte(hook), WebhookVersion: "v1"})
	if err != nil {
		return nil, fmt.Errorf("played master: %w", err)
	}
	if string(c.CAPEM()) != files["/etc/kubernetes/pki/ca.crt"] {
		return nil, errors.Join(errors.New("played master: the API server does not use the panel's CA"), c.Stop())
	}
	return &Master{Cluster: c, CA: files["/etc/kubernetes/pki/ca.crt"], WebhookKubeconfig: hook}, nil
}

// writeFiles reads the write_files of cloud-init user data, by path.
func writeFiles(userData []byte) (map[string]string, error) {
	var cc struct {
		WriteFiles []struct{ Path, Content string } `json:"write_files"`
	}
	if err := yaml.Unmarshal(userData, &cc); err != nil {
		return nil, fmt.Errorf("played master: user data: %w", err)
	}
	files := map[string]string{}
	for _, f := range cc.WriteFiles {
		files[f.Path] = f.Content
	}
	return files, nil
}

// FirstMasterSuffix ends the server name of a cluster's first master.
const FirstMasterSuffix = "-master-0"

// IsFirstMaster reports whether a server name is a cluster's first master.
func IsFirstMaster(server string) bool {
	return strings.HasSuffix(server, FirstMasterSuffix)
}
