package secretscan

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A kubeconfig with a client key and a bearer token, as a cluster's admin or webhook
// kubeconfig carries them (the key is not a real one: only its shape matters here).
const keyPEM = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB3nq0oWk1m6m1u8n0p9xY2Yb1lq5o4Kx7cQ7m2a2yZ9oAoGCCqGSM49\nAwEHoUQDQgAE0f2vJp8cM2bQ6v1Yw5n9a3c0yZ8m2k4L7nR9Q1x2s3D4f5G6h7J8\n-----END EC PRIVATE KEY-----\n"

func kubeconfig(token string) []byte {
	return []byte(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:6443
users:
- name: u
  user:
    token: ` + token + `
    client-key-data: ` + base64.StdEncoding.EncodeToString([]byte(keyPEM)) + `
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`)
}

func writeLogs(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestScanFindsPlantedSecrets plants each kind of secret, in each encoding a log would
// use, and checks that the scan names its kind and file, and never prints the secret.
func TestScanFindsPlantedSecrets(t *testing.T) {
	const (
		token    = "kaas_4sG0Lr2Jm1Xy8QpZ7vN3bW6tK9cH5dF0aE2uR1oI4kY7nM3_a1b2c3"
		session  = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLXRoZS1zZXNzaW9u"
		password = "p@ss w0rd/with&odd=chars"
		hook     = "kaaswh_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0"
		sealed   = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"
	)
	ledgerPath := filepath.Join(t.TempDir(), "ledger.jsonl")
	l := OpenLedger(ledgerPath)
	for _, e := range []Entry{{KindToken, token}, {KindSession, session}, {KindPassword, password}, {KindSealed, sealed}, {KindPassword, "oscar-pass"}, {KindPassword, "short"}, {KindPassword, `quote"and\back`}} {
		if err := l.Record(e.Kind, e.Value); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.RecordKubeconfig(kubeconfig(hook), KindWebhookCredential); err != nil {
		t.Fatal(err)
	}
	entries, err := ReadLedger(ledgerPath)
	if err != nil {
		t.Fatal(err)
	}
	jsonKubeconfig, _ := json.Marshal(map[string]string{"msg": "adopt", "kubeconfig": keyPEM})

	tests := []struct {
		name  string
		files map[string]string
		want  []string // "file kind form", in file and line order; none for a clean log
	}{
		{"clean logs", map[string]string{"panel.log": `{"msg":"token created","prefix":"kaas_4sG0"}` + "\n", "etcd.log": "ready\n"}, nil},
		{"token as is", map[string]string{"panel.log": "line one\nreview of " + token + "\n"}, []string{"panel.log:2 API token as is"}},
		{"session in base64", map[string]string{"k/kube-apiserver.log": "x " + base64.StdEncoding.EncodeToString([]byte(session))}, []string{"k/kube-apiserver.log:1 session JWT base64"}},
		{"password URL-escaped", map[string]string{"keystone.log": "GET /v3?p=" + url.QueryEscape(password)}, []string{"keystone.log:1 password URL-escaped"}},
		{"password JSON-escaped", map[string]string{"panel.log": `{"p":"quote\"and\\back"}`}, []string{"panel.log:1 password JSON-escaped"}},
		{"webhook credential in a header dump", map[string]string{"server.log": "Authorization: Bearer " + hook}, []string{"server.log:1 webhook credential as is"}},
		{"client key in a JSON log line", map[string]string{"panel.log": string(jsonKubeconfig)}, []string{"panel.log:1 kubeconfig key as is"}},
		{"client key data as in the kubeconfig", map[string]string{"panel.log": string(kubeconfig("other"))}, []string{"panel.log:11 kubeconfig key as is"}},
		{"sealed value", map[string]string{"panel.log": `{"args":"` + sealed + `"}`}, []string{"panel.log:1 sealed value as is"}},
		{"demo password in the panel's log", map[string]string{"panel.log": "login oscar/oscar-pass"}, []string{"panel.log:1 password as is"}},
		{"demo password printed by make run", map[string]string{"make-run.log": "oscar  / oscar-pass   operator"}, []string{"make-run.log:1 password as is allowed"}},
		{"short entries are not scanned", map[string]string{"panel.log": "short short short"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeLogs(t, tc.files)
			r, err := Scan(dir, entries, DemoCredentials)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range r.Findings {
				s := f.File + ":" + itoa(f.Line) + " " + f.Kind + " " + f.Form
				if f.Allowed != "" {
					s += " allowed"
				}
				got = append(got, s)
				for _, e := range entries {
					if len(e.Value) >= MinLength && strings.Contains(f.String(), e.Value) {
						t.Errorf("the finding %q prints the secret", f.String())
					}
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("findings = %q, want %q", got, tc.want)
			}
			if r.Files != len(tc.files) || r.Bytes == 0 || r.TooShort != 1 {
				t.Errorf("result = %+v", r)
			}
		})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestNilLedgerRecordsNothing: harness code records unconditionally; with no ledger
// configured nothing is written and nothing fails.
func TestNilLedgerRecordsNothing(t *testing.T) {
	var l *Ledger = OpenLedger("")
	if err := l.Record(KindToken, "kaas_whatever-token-value"); err != nil {
		t.Fatal(err)
	}
	if err := l.RecordKubeconfig([]byte("not yaml: ["), KindWebhookCredential); err != nil {
		t.Fatal(err)
	}
}

// TestFindInMemory is the check of one captured log (the in-process panel's).
func TestFindInMemory(t *testing.T) {
	secret := "kaas_9fJ2kL0pQ8rS7tU6vW5xY4zA3bC2dE1fG0hI9jK8lM7_0a9b8c"
	tests := []struct {
		name, text string
		want       int
	}{
		{"absent", `{"msg":"review","authenticated":false}`, 0},
		{"present twice, reported once", secret + " " + secret, 1},
		{"in base64", `{"q":"` + base64.StdEncoding.EncodeToString([]byte(secret)) + `"}`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FindIn("logs", []byte(tc.text), []Entry{{KindToken, secret}}); len(got) != tc.want {
				t.Errorf("findings = %v, want %d", got, tc.want)
			}
		})
	}
}
