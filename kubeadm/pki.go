// Package kubeadm makes what the panel hands to a kubeadm-built cluster: its shared PKI
// (made by the panel, so it knows the cluster's CA and holds an admin credential before
// any node boots), the kubeadm configuration of each node and the cloud-init user data
// that writes them and runs kubeadm.
package kubeadm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	"sigs.k8s.io/yaml"
)

// AdminGroup is the group of the panel's admin client certificate: Kubernetes'
// superuser group, so the credential works before any RBAC binding exists.
const AdminGroup = "system:masters"

// caValidity and adminValidity bound the lifetime of the certificates the panel makes.
const (
	caValidity    = 10 * 365 * 24 * time.Hour
	adminValidity = 365 * 24 * time.Hour
)

// KeyPair is a PEM certificate (or public key) and its PEM private key.
type KeyPair struct {
	Cert []byte `json:"cert"`
	Key  []byte `json:"key"`
}

// PKI is the cluster material shared by every control-plane node, following kubeadm's
// manual certificate distribution: with the CAs and the service-account key in place,
// kubeadm makes every other certificate itself and additional control-plane nodes can
// join. It also holds the panel's own admin client certificate, the bootstrap token
// the nodes join with, and the credential the cluster presents to the panel's webhook.
// All of it is secret: it is kept sealed.
type PKI struct {
	CA             KeyPair `json:"ca"`
	FrontProxyCA   KeyPair `json:"frontProxyCa"`
	EtcdCA         KeyPair `json:"etcdCa"`
	ServiceAccount KeyPair `json:"serviceAccount"` // Cert holds the PEM public key
	Admin          KeyPair `json:"admin"`
	// BootstrapToken has kubeadm's form [a-z0-9]{6}.[a-z0-9]{16}.
	BootstrapToken string `json:"bootstrapToken"`
	// WebhookCredential is what the cluster's kube-apiservers present to the panel.
	WebhookCredential string `json:"webhookCredential"`
}

// NewPKI makes a cluster's PKI at now. webhookCredential is the cluster's credential for
// the panel's TokenReview webhook.
func NewPKI(cluster, webhookCredential string, now time.Time) (*PKI, error) {
	p := &PKI{WebhookCredential: webhookCredential}
	var err error
	var caKey *ecdsa.PrivateKey
	if p.CA, caKey, err = newCA(cluster, "kubernetes", now); err != nil {
		return nil, err
	}
	if p.FrontProxyCA, _, err = newCA(cluster, "front-proxy-ca", now); err != nil {
		return nil, err
	}
	if p.EtcdCA, _, err = newCA(cluster, "etcd-ca", now); err != nil {
		return nil, err
	}
	if p.ServiceAccount, err = newServiceAccountKey(); err != nil {
		return nil, err
	}
	if p.Admin, err = newAdminCert(p.CA.Cert, caKey, now); err != nil {
		return nil, err
	}
	if p.BootstrapToken, err = newBootstrapToken(); err != nil {
		return nil, err
	}
	return p, nil
}

// CACertHash returns the value of kubeadm's --discovery-token-ca-cert-hash for the
// cluster CA: "sha256:" and the hex SHA-256 of its SubjectPublicKeyInfo.
func (p *PKI) CACertHash() (string, error) {
	cert, err := parseCert(p.CA.Cert)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// AdminKubeconfig returns the panel's admin kubeconfig for the cluster's API at apiURL.
func (p *PKI) AdminKubeconfig(cluster, apiURL string) ([]byte, error) {
	b64 := base64.StdEncoding.EncodeToString
	cfg := map[string]any{
		"apiVersion": "v1",
		"kind":       "Config",
		"clusters": []any{map[string]any{"name": cluster, "cluster": map[string]any{
			"server": apiURL, "certificate-authority-data": b64(p.CA.Cert)}}},
		"users": []any{map[string]any{"name": "kaas-admin", "user": map[string]any{
			"client-certificate-data": b64(p.Admin.Cert), "client-key-data": b64(p.Admin.Key)}}},
		"contexts":        []any{map[string]any{"name": cluster, "context": map[string]any{"cluster": cluster, "user": "kaas-admin"}}},
		"current-context": cluster,
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("marshal admin kubeconfig: %w", err)
	}
	return out, nil
}

func newKey() (*ecdsa.PrivateKey, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("marshal key: %w", err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

func serial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("serial number: %w", err)
	}
	return n, nil
}

func newCA(cluster, commonName string, now time.Time) (KeyPair, *ecdsa.PrivateKey, error) {
	key, keyPEM, err := newKey()
	if err != nil {
		return KeyPair{}, nil, err
	}
	sn, err := serial()
	if err != nil {
		return KeyPair{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: commonName, OrganizationalUnit: []string{"kaas cluster " + cluster}},
		NotBefore:             now.Add(-5 * time.Minute),
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return KeyPair{}, nil, fmt.Errorf("create %s certificate: %w", commonName, err)
	}
	return KeyPair{Cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), Key: keyPEM}, key, nil
}

func newServiceAccountKey() (KeyPair, error) {
	key, keyPEM, err := newKey()
	if err != nil {
		return KeyPair{}, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return KeyPair{}, fmt.Errorf("marshal service-account public key: %w", err)
	}
	return KeyPair{Cert: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), Key: keyPEM}, nil
}

func newAdminCert(caPEM []byte, caKey *ecdsa.PrivateKey, now time.Time) (KeyPair, error) {
	ca, err := parseCert(caPEM)
	if err != nil {
		return KeyPair{}, err
	}
	key, keyPEM, err := newKey()
	if err != nil {
		return KeyPair{}, err
	}
	sn, err := serial()
	if err != nil {
		return KeyPair{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: sn,
		Subject:      pkix.Name{CommonName: "kaas-admin", Organization: []string{AdminGroup}},
		NotBefore:    now.Add(-5 * time.Minute),
		NotAfter:     now.Add(adminValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return KeyPair{}, fmt.Errorf("create admin certificate: %w", err)
	}
	return KeyPair{Cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), Key: keyPEM}, nil
}

func parseCert(certPEM []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("parse certificate: no PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse certificate: %w", err)
	}
	return cert, nil
}

// tokenAlphabet is what kubeadm allows in a bootstrap token.
const tokenAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func newBootstrapToken() (string, error) {
	out := make([]byte, 0, 23)
	for i := range 22 {
		if i == 6 {
			out = append(out, '.')
		}
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(tokenAlphabet))))
		if err != nil {
			return "", fmt.Errorf("generate bootstrap token: %w", err)
		}
		out = append(out, tokenAlphabet[n.Int64()])
	}
	return string(out), nil
}
