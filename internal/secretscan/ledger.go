// Package secretscan proves that no secret a test run created reaches a log. The test
// harnesses (internal/apptest, the e2e helpers, the browser tests' global setup) append
// every secret they create or receive to a ledger, one JSON object a line, and write
// every process's log under one directory; at the end of the run (scripts/test.sh)
// cmd/kaas-secretscan looks for every ledger entry, in the encodings a log would use, in
// every file of that directory. A finding names the kind of secret and where it was, never
// the secret.
package secretscan

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"k8s.io/client-go/tools/clientcmd"
)

// The kinds of secret a run creates.
const (
	KindToken             = "API token"
	KindSession           = "session JWT"
	KindPassword          = "password"
	KindWebhookCredential = "webhook credential"
	KindKubeconfigKey     = "kubeconfig key"
	KindSealed            = "sealed value"
)

// Entry is one secret of the ledger.
type Entry struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// Ledger appends secrets to a file. A nil *Ledger (no file configured) records nothing,
// so that harness code calls it unconditionally.
type Ledger struct {
	mu   sync.Mutex
	path string
	seen map[string]bool
}

// OpenLedger returns a ledger appending to path; "" returns nil (recording off).
func OpenLedger(path string) *Ledger {
	if path == "" {
		return nil
	}
	return &Ledger{path: path, seen: map[string]bool{}}
}

// Record appends a secret once; empty values are ignored. Several processes may append
// to the same file: each entry is one write on a file opened for appending.
func (l *Ledger) Record(kind, value string) error {
	if l == nil || value == "" {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen[kind+"\x00"+value] {
		return nil
	}
	b, err := json.Marshal(Entry{Kind: kind, Value: value})
	if err != nil {
		return fmt.Errorf("encode ledger entry: %w", err)
	}
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open ledger: %w", err)
	}
	_, werr := f.Write(append(b, '\n'))
	if err := errors.Join(werr, f.Close()); err != nil {
		return fmt.Errorf("append to ledger: %w", err)
	}
	l.seen[kind+"\x00"+value] = true
	return nil
}

// RecordKubeconfig records the credentials of a kubeconfig (nothing when it does not
// parse): bearer tokens and passwords
// as kind tokenKind, client keys as KindKubeconfigKey (the base64 of the PEM as the
// kubeconfig holds it, and the PEM's first line of key material, which any dump of the
// key contains).
func (l *Ledger) RecordKubeconfig(kubeconfig []byte, tokenKind string) error {
	if l == nil {
		return nil
	}
	cfg, err := clientcmd.Load(kubeconfig)
	if err != nil {
		return nil // bad input a test sends on purpose: it carries no credential to record
	}
	var errs []error
	for _, u := range cfg.AuthInfos {
		errs = append(errs, l.Record(tokenKind, u.Token), l.Record(KindPassword, u.Password))
		if len(u.ClientKeyData) > 0 {
			errs = append(errs, l.Record(KindKubeconfigKey, base64.StdEncoding.EncodeToString(u.ClientKeyData)),
				l.Record(KindKubeconfigKey, pemFirstLine(u.ClientKeyData)))
		}
	}
	return errors.Join(errs...)
}

// pemFirstLine is the first line of base64 inside a PEM block, "" when there is none.
func pemFirstLine(pemData []byte) string {
	sc := bufio.NewScanner(strings.NewReader(string(pemData)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "-----") && !strings.Contains(line, ":") {
			return line
		}
	}
	return ""
}

// ReadLedger reads every entry of a ledger file.
func ReadLedger(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Kind == "" {
			return nil, fmt.Errorf("ledger line %d is not a {kind, value} object", n)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	return out, nil
}
