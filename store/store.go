// Package store is the panel's database: gorm over SQLite (embedded, the default) or
// PostgreSQL (several replicas). It owns the schema migrations and maps database errors to
// application codes at its boundary.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"kaas/models"
)

// Dialect names the database in use.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Options says which database to open.
type Options struct {
	// DSN selects PostgreSQL when set ("postgres://…" or "host=… dbname=…").
	DSN string
	// DataDir holds kaas.db when DSN is empty.
	DataDir string
	Logger  *slog.Logger
}

// DB is the panel's database.
type DB struct {
	gorm    *gorm.DB
	dialect Dialect
	dsn     string
	// exclusive holds RunExclusive's names on SQLite; lockCheck is how often the
	// PostgreSQL lock connection is checked.
	exclusive exclusiveLocks
	lockCheck time.Duration
}

// Open connects to the database and runs pending migrations.
func Open(ctx context.Context, opts Options) (*DB, error) {
	cfg := &gorm.Config{
		TranslateError: true,
		Logger:         logger.Discard,
		NowFunc:        func() time.Time { return time.Now().UTC() },
	}
	var (
		g       *gorm.DB
		err     error
		dialect Dialect
	)
	if opts.DSN != "" {
		dialect = Postgres
		g, err = gorm.Open(postgres.Open(opts.DSN), cfg)
	} else {
		dialect = SQLite
		if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		g, err = gorm.Open(sqlite.Open(sqliteDSN(filepath.Join(opts.DataDir, "kaas.db"))), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("database handle: %w", err)
	}
	if dialect == SQLite {
		// One writer at a time is SQLite's rule; WAL lets readers go on meanwhile.
		sqlDB.SetMaxOpenConns(8)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	db := &DB{gorm: g, dialect: dialect, dsn: opts.DSN, lockCheck: lockCheckInterval}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}

func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"
}

// Dialect reports which database is in use.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return fmt.Errorf("database handle: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(ctx); err != nil {
		return models.WrapError(models.CodeUnavailable, err, "the database is unreachable")
	}
	return nil
}

// Close closes the connections.
func (db *DB) Close() error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Gorm returns the underlying handle for packages that own tables of their own (the
// provisioning engine).
func (db *DB) Gorm() *gorm.DB { return db.gorm }

// DSN returns the PostgreSQL DSN, empty for SQLite.
func (db *DB) DSN() string { return db.dsn }

// mapError turns database errors into application errors; what names the object.
func mapError(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return models.Errorf(models.CodeNotFound, "%s not found", what)
	case errors.Is(err, gorm.ErrDuplicatedKey) || strings.Contains(err.Error(), "UNIQUE constraint failed"):
		return models.WrapError(models.CodeConflict, err, what+" already exists")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return models.WrapError(models.CodeUnavailable, err, "the database did not answer in time")
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}
