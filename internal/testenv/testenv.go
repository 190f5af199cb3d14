// Package testenv gives tests the real counterparts that `make test` starts: the test
// Keystone, PostgreSQL and the kube-apiserver binaries. A missing counterpart fails the
// test with what to run; it never skips.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Getenv returns the named variable or fails the test, saying how to get it.
func Getenv(tb testing.TB, name string) string {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		tb.Fatalf("%s is not set: run the suite with `make test`, which starts the real counterparts", name)
	}
	return v
}

// PostgresDSN returns a DSN for a fresh, empty schema in the test PostgreSQL database,
// dropped when the test ends.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	base := Getenv(tb, "KAAS_TEST_POSTGRES_DSN")
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to test PostgreSQL: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
	})
	sep := " "
	if strings.Contains(base, "://") {
		sep = "&"
		if !strings.Contains(base, "?") {
			sep = "?"
		}
		return fmt.Sprintf("%s%ssearch_path=%s", base, sep, schema)
	}
	return fmt.Sprintf("%s%ssearch_path=%s", base, sep, schema)
}

// KeystoneEnv is the test Keystone's endpoint and admin (service account) credentials.
type KeystoneEnv struct {
	AuthURL     string
	Username    string
	Password    string
	ProjectName string
}

// Keystone returns the real test Keystone that `make test` started and seeded with the
// demo users (oscar the operator, alice the cluster admin, ursula a regular user, dora
// disabled; passwords "<name>-pass").
func Keystone(tb testing.TB) KeystoneEnv {
	tb.Helper()
	return KeystoneEnv{
		AuthURL:     Getenv(tb, "OS_AUTH_URL"),
		Username:    Getenv(tb, "OS_USERNAME"),
		Password:    Getenv(tb, "OS_PASSWORD"),
		ProjectName: Getenv(tb, "OS_PROJECT_NAME"),
	}
}

// ClosedURL returns an http URL on loopback where nothing listens: Keystone stopped.
func ClosedURL(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/v3"
}
