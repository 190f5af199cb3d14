// Package replicaset runs the panel as several real processes (the `kaas` binary) on one
// PostgreSQL server that it owns, so that tests and the replica benchmark can kill a
// replica with SIGKILL, cut its database connections or stop the database server without
// disturbing anyone else's PostgreSQL.
package replicaset

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Postgres is a private PostgreSQL server: its own data directory, a free loopback port
// and trust authentication for the user postgres.
type Postgres struct {
	Dir  string
	Port int
	bin  string
	// runAs is the owner of the server's files when this process is root (postgres
	// refuses to run as root), empty otherwise.
	runAs string
}

// StartPostgres initialises a server in a new directory under the system temp directory
// (reachable by the postgres user, unlike a 0700 test directory) and starts it.
func StartPostgres() (*Postgres, error) {
	bin, err := postgresBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "kaas-pg-")
	if err != nil {
		return nil, fmt.Errorf("postgres dir: %w", err)
	}
	p := &Postgres{Dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		p.runAs = "postgres"
		u, err := user.Lookup(p.runAs)
		if err != nil {
			return nil, fmt.Errorf("postgres runs as the user postgres when started by root: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, fmt.Errorf("chown postgres dir: %w", err)
		}
	}
	if out, err := p.run(filepath.Join(bin, "initdb"), "-D", p.data(), "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		p.Remove()
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	if p.Port, err = freePort(); err != nil {
		p.Remove()
		return nil, err
	}
	if err := p.Start(); err != nil {
		p.Remove()
		return nil, err
	}
	return p, nil
}

// postgresBin is the newest installed PostgreSQL's bin directory (Debian layout).
func postgresBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi < vj
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "pg_ctl")); err == nil {
			return dirs[i], nil
		}
	}
	return "", errors.New("PostgreSQL binaries not found under /usr/lib/postgresql: run scripts/deps.sh postgresql (make test does)")
}

func (p *Postgres) data() string { return filepath.Join(p.Dir, "data") }

func (p *Postgres) run(name string, args ...string) ([]byte, error) {
	if p.runAs != "" {
		args = append([]string{"-u", p.runAs, "--", name}, args...)
		name = "runuser"
	}
	return exec.Command(name, args...).CombinedOutput()
}

// Start starts the (stopped) server and waits until it accepts connections.
func (p *Postgres) Start() error {
	out, err := p.run(filepath.Join(p.bin, "pg_ctl"), "-D", p.data(), "-l", filepath.Join(p.Dir, "postgres.log"), "-w", "-t", "60",
		"-o", fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off -c max_connections=300", p.Port, p.Dir), "start")
	if err != nil {
		return fmt.Errorf("start PostgreSQL: %w\n%s", err, out)
	}
	return nil
}

// Stop stops the server at once (fast shutdown: sessions are disconnected).
func (p *Postgres) Stop() error {
	out, err := p.run(filepath.Join(p.bin, "pg_ctl"), "-D", p.data(), "-m", "fast", "-w", "-t", "60", "stop")
	if err != nil {
		return fmt.Errorf("stop PostgreSQL: %w\n%s", err, out)
	}
	return nil
}

// Remove stops the server if it runs and deletes its directory.
func (p *Postgres) Remove() {
	if _, err := os.Stat(filepath.Join(p.data(), "postmaster.pid")); err == nil {
		_ = p.Stop()
	}
	_ = os.RemoveAll(p.Dir)
}

// DSN is the keyword DSN of database db on the server.
func (p *Postgres) DSN(db string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=%s sslmode=disable connect_timeout=3", p.Port, db)
}

// CreateDatabase creates an empty database.
func (p *Postgres) CreateDatabase(ctx context.Context, name string) error {
	return p.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
}

// Exec runs one statement as the superuser in the postgres database.
func (p *Postgres) Exec(ctx context.Context, sql string, args ...any) error {
	conn, err := pgx.Connect(ctx, p.DSN("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql, args...)
	return err
}

// Terminate ends every server process (backend) whose application_name matches the
// SQL LIKE pattern, as an administrator or a failover would, and returns how many.
func (p *Postgres) Terminate(ctx context.Context, applicationLike string) (int, error) {
	conn, err := pgx.Connect(ctx, p.DSN("postgres"))
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var n int
	err = conn.QueryRow(ctx, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE $1 AND pid <> pg_backend_pid()",
		applicationLike).Scan(&n)
	return n, err
}

// freePort returns a loopback TCP port nobody listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitUntil polls ok every 100 ms until it returns nil or timeout passes.
func waitUntil(timeout time.Duration, ok func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := ok()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
