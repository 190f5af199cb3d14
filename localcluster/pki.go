package localcluster

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// serviceAccountIssuer is the issuer of service-account tokens, the in-cluster name of the
// API that a real cluster would use.
const serviceAccountIssuer = "https://kubernetes.default.svc.cluster.local"

// certValidity is long because the state directory is reused across restarts for the life
// of a local cluster.
const certValidity = 10 * 365 * 24 * time.Hour

// pki holds the paths of the cluster's key material in the state directory and the PEM
// bytes that callers need.
type pki struct {
	caCert, caKey             string
	servingCert, servingKey   string
	adminCert, adminKey       string
	saPub, saKey              string
	caPEM                     []byte
	adminCertPEM, adminKeyPEM []byte
}

// loadOrCreatePKI reuses the key material already in dir and creates what is missing: a
// CA, a serving certificate for 127.0.0.1/localhost, an admin client certificate in
// system:masters and a service-account key pair. A leaf that no longer verifies against
// the CA (for example because the CA was deleted) is replaced.
func loadOrCreatePKI(dir string) (*pki, error) {
	p := &pki{
		caCert: filepath.Join(dir, "ca.crt"), caKey: filepath.Join(dir, "ca.key"),
		servingCert: filepath.Join(dir, "apiserver.crt"), servingKey: filepath.Join(dir, "apiserver.key"),
		adminCert: filepath.Join(dir, "admin.crt"), adminKey: filepath.Join(dir, "admin.key"),
		saPub: filepath.Join(dir, "sa.pub"), saKey: filepath.Join(dir, "sa.key"),
	}
	ca, caKey, err := loadOrCreateCA(p.caCert, p.caKey)
	if err != nil {
		return nil, fmt.Errorf("ca: %w", err)
	}
	p.caPEM = pemEncode("CERTIFICATE", ca.Raw)

	serving := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "kube-apiserver"},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:    []string{"localhost"},
	}
	if _, _, err := loadOrCreateLeaf(p.servingCert, p.servingKey, serving, ca, caKey, x509.ExtKeyUsageServerAuth); err != nil {
		return nil, fmt.Errorf("serving certificate: %w", err)
	}

	admin := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "kaas-admin", Organization: []string{"system:masters"}},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	p.adminCertPEM, p.adminKeyPEM, err = loadOrCreateLeaf(p.adminCert, p.adminKey, admin, ca, caKey, x509.ExtKeyUsageClientAuth)
	if err != nil {
		return nil, fmt.Errorf("admin certificate: %w", err)
	}

	if err := loadOrCreateServiceAccountKey(p.saPub, p.saKey); err != nil {
		return nil, fmt.Errorf("service-account key: %w", err)
	}
	return p, nil
}

func loadOrCreateCA(certPath, keyPath string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	cert, key, err := loadPair(certPath, keyPath)
	if err == nil && cert.IsCA && time.Now().Before(cert.NotAfter) {
		return cert, key, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "kaas-local-ca"},
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := sign(tmpl, &key.PublicKey, tmpl, key)
	if err != nil {
		return nil, nil, err
	}
	if err := writePair(certPath, keyPath, der, key); err != nil {
		return nil, nil, err
	}
	cert, err = x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parse new certificate: %w", err)
	}
	return cert, key, nil
}

// loadOrCreateLeaf returns the PEM of the certificate and key at the paths, creating them
// from tmpl signed by ca unless an existing pair verifies against ca for usage.
func loadOrCreateLeaf(certPath, keyPath string, tmpl, ca *x509.Certificate, caKey *ecdsa.PrivateKey, usage x509.ExtKeyUsage) (certPEM, keyPEM []byte, err error) {
	cert, _, err := loadPair(certPath, keyPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	if err == nil && verifies(cert, ca, usage) {
		return readPair(certPath, keyPath)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	der, err := sign(tmpl, &key.PublicKey, ca, caKey)
	if err != nil {
		return nil, nil, err
	}
	if err := writePair(certPath, keyPath, der, key); err != nil {
		return nil, nil, err
	}
	return readPair(certPath, keyPath)
}

func verifies(cert, ca *x509.Certificate, usage x509.ExtKeyUsage) bool {
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	_, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{usage}})
	return err == nil
}

func loadOrCreateServiceAccountKey(pubPath, keyPath string) error {
	if _, err := os.Stat(pubPath); err == nil {
		if _, err := os.Stat(keyPath); err == nil {
			return nil
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generate key: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("marshal private key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return fmt.Errorf("marshal public key: %w", err)
	}
	if err := writeFile(keyPath, pemEncode("EC PRIVATE KEY", keyDER)); err != nil {
		return err
	}
	return writeFile(pubPath, pemEncode("PUBLIC KEY", pubDER))
}

func sign(tmpl *x509.Certificate, pub *ecdsa.PublicKey, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) ([]byte, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("serial number: %w", err)
	}
	t := *tmpl
	t.SerialNumber = serial
	// Backdated so that a clock a little behind still accepts the certificate.
	t.NotBefore = time.Now().Add(-time.Hour)
	t.NotAfter = time.Now().Add(certValidity)
	der, err := x509.CreateCertificate(rand.Reader, &t, parent, pub, parentKey)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", tmpl.Subject.CommonName, err)
	}
	return der, nil
}

// loadPair parses the certificate and ECDSA key at the paths; a missing file gives an
// error matching fs.ErrNotExist.
func loadPair(certPath, keyPath string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	certPEM, keyPEM, err := readPair(certPath, keyPath)
	if err != nil {
		return nil, nil, err
	}
	b, _ := pem.Decode(certPEM)
	if b == nil {
		return nil, nil, fmt.Errorf("%s: no PEM block", certPath)
	}
	cert, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", certPath, err)
	}
	b, _ = pem.Decode(keyPEM)
	if b == nil {
		return nil, nil, fmt.Errorf("%s: no PEM block", keyPath)
	}
	key, err := x509.ParseECPrivateKey(b.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", keyPath, err)
	}
	return cert, key, nil
}

func readPair(certPath, keyPath string) (certPEM, keyPEM []byte, err error) {
	certPEM, err = os.ReadFile(certPath)
	if err != nil {
		return nil, nil, fmt.Errorf("read certificate: %w", err)
	}
	keyPEM, err = os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, fmt.Errorf("read key: %w", err)
	}
	return certPEM, keyPEM, nil
}

func writePair(certPath, keyPath string, der []byte, key *ecdsa.PrivateKey) error {
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("marshal private key: %w", err)
	}
	if err := writeFile(keyPath, pemEncode("EC PRIVATE KEY", keyDER)); err != nil {
		return err
	}
	return writeFile(certPath, pemEncode("CERTIFICATE", der))
}

// writeFile writes through a temporary file and a rename so that a crash never leaves a
// truncated key that a restart would then fail to parse.
func writeFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func pemEncode(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
