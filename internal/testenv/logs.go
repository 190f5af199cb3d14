package testenv

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"kaas/internal/secretscan"
)

// The run's secret ledger and log directory, set by scripts/test.sh; unset, nothing is
// recorded or kept.
const (
	SecretLedgerEnv = "KAAS_SECRET_LEDGER"
	LogDirEnv       = "KAAS_TEST_LOG_DIR"
)

// RecordSecret appends a secret the test created or received to the run's ledger, for
// the scan of every log at the end of the run (cmd/kaas-secretscan).
func RecordSecret(tb testing.TB, kind, value string) {
	tb.Helper()
	if err := secretscan.OpenLedger(os.Getenv(SecretLedgerEnv)).Record(kind, value); err != nil {
		tb.Errorf("secret ledger: %v", err)
	}
}

// RecordKubeconfig records a kubeconfig's credentials (bearer tokens as tokenKind,
// client keys) in the run's ledger.
func RecordKubeconfig(tb testing.TB, kubeconfig []byte, tokenKind string) {
	tb.Helper()
	if err := secretscan.OpenLedger(os.Getenv(SecretLedgerEnv)).RecordKubeconfig(kubeconfig, tokenKind); err != nil {
		tb.Errorf("secret ledger: %v", err)
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// LogDir returns a new directory for the test's logs under the run's log directory, ""
// when the run keeps no logs.
func LogDir(tb testing.TB) string {
	tb.Helper()
	root := os.Getenv(LogDirEnv)
	if root == "" {
		return ""
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		tb.Fatalf("log directory: %v", err)
	}
	dir, err := os.MkdirTemp(root, unsafeName.ReplaceAllString(tb.Name(), "_")+"-")
	if err != nil {
		tb.Fatalf("log directory: %v", err)
	}
	return dir
}

// KeepLogs copies every *.log file under src (the state directory of a local cluster, a
// panel's data directory) into a new directory of the run's logs, keeping the relative
// paths. It does nothing when the run keeps no logs. Call it once the processes writing
// them have stopped and before src is removed.
func KeepLogs(tb testing.TB, src string) {
	tb.Helper()
	dst := LogDir(tb)
	if dst == "" {
		return
	}
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || filepath.Ext(path) != ".log" {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		return copyFile(path, filepath.Join(dst, rel))
	})
	if err != nil {
		tb.Errorf("keep the logs of %s: %v", src, err)
	}
}

func copyFile(from, to string) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		return err
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
