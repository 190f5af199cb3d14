package replicas_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kaas/internal/apptest"
	"kaas/internal/replicaset"
	"kaas/internal/testenv"
)

// The PostgreSQL server and panel binary every test of the package shares; each test
// has a database of its own on the server.
var (
	pg  *replicaset.Postgres
	bin string
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	var err error
	pg, err = replicaset.StartPostgres()
	if err != nil {
		fmt.Fprintln(os.Stderr, "replicas tests need their own PostgreSQL server:", err)
		return 1
	}
	defer pg.Remove()
	dir, err := os.MkdirTemp("", "kaas-replicas-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if bin, err = replicaset.Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// startReplicas starts the named replicas on a fresh database of the test's own
// PostgreSQL server, each with the extra flags, and kills them when the test ends.
func startReplicas(t *testing.T, names []string, args ...string) []*replicaset.Replica {
	t.Helper()
	rs, _ := startReplicasDSN(t, names, args...)
	return rs
}

// startReplicasDSN is startReplicas that also returns the DSN of their database.
func startReplicasDSN(t *testing.T, names []string, args ...string) ([]*replicaset.Replica, string) {
	t.Helper()
	testenv.Keystone(t) // fail early, with what to run, when the test Keystone is missing
	db := strings.ToLower(testenv.RandomName("r_"))
	if err := pg.CreateDatabase(context.Background(), db); err != nil {
		t.Fatalf("create database: %v", err)
	}
	dsn := pg.DSN(db)
	rs, err := replicaset.New(replicaset.Options{Bin: bin, Dir: t.TempDir(), DSN: dsn, Names: names,
		Args: append([]string{"--database-listen-check", "1s"}, args...)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, r := range rs {
			r.Kill()
			if t.Failed() {
				t.Logf("replica %s log (last lines):\n%s", r.Name, lastLines(r.Logs(), 30))
			}
		}
	})
	// The first replica migrates the schema alone; the others then start side by side.
	if err := rs[0].Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(rs))
	for i, r := range rs[1:] {
		wg.Go(func() { errs[i] = r.Start() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return rs, dsn
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// client is a GraphQL client (with its own cookie jar) of one replica.
func client(t *testing.T, r *replicaset.Replica) *apptest.Client {
	return (&apptest.Panel{URL: r.URL}).Client(t)
}

var reviewClient = &http.Client{Timeout: 10 * time.Second}

// review sends a TokenReview (v1) for token to the replica and reports whether the token
// was authenticated; a non-200 answer (the database unreachable) is an error.
func review(r *replicaset.Replica, token string) (bool, error) {
	body := fmt.Sprintf(`{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":%q}}`, token)
	resp, err := reviewClient.Post(r.URL+"/authenticate", "application/json", strings.NewReader(body))
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("review on %s: %s %s", r.Name, resp.Status, bytes.TrimSpace(raw))
	}
	var out struct {
		Status struct{ Authenticated bool }
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return false, fmt.Errorf("review answer: %w", err)
	}
	return out.Status.Authenticated, nil
}

// eventually polls f every 50 ms until it returns nil, failing the test with f's last
// error after timeout; it returns how long that took.
func eventually(t *testing.T, what string, timeout time.Duration, f func() error) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		err := f()
		if err == nil {
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			t.Fatalf("%s: not within %s: %v", what, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kubeBinDir is where make test put etcd, kube-apiserver and kubectl.
func kubeBinDir(t *testing.T) string {
	t.Helper()
	dir := testenv.Getenv(t, "KAAS_KUBE_BIN_DIR")
	if _, err := os.Stat(filepath.Join(dir, "kube-apiserver")); err != nil {
		t.Fatalf("KAAS_KUBE_BIN_DIR: %v", err)
	}
	return dir
}
