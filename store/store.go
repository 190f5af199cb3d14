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
	"strconv"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
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
	// Tuning bounds PostgreSQL's connections, statements and transaction retries.
	Tuning Tuning
}

// Tuning bounds what one replica asks of PostgreSQL. Zero fields take the defaults
// (DefaultTuning); SQLite uses none of it.
type Tuning struct {
	// MaxOpenConns caps the replica's pooled connections; the revocation and job-event
	// listeners and each RunExclusive hold one more each. MaxIdleConns of them stay open
	// when idle, and none lives longer than ConnMaxLifetime (so a replica follows a
	// moved or restarted server and spreads over poolers).
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	// StatementTimeout is PostgreSQL's statement_timeout for every pooled connection: a
	// statement running longer is cancelled and its request fails UNAVAILABLE. Negative
	// means no limit.
	StatementTimeout time.Duration
	// TxRetries is how many times a transaction that failed with a serialization
	// failure (SQLSTATE 40001) or a deadlock (40P01) is run again; negative means never.
	TxRetries int
	// ListenCheck is how long a notice listener waits in silence before pinging its
	// connection (and how long the ping may take): a silently dead connection is found
	// within twice this.
	ListenCheck time.Duration
}

// DefaultTuning is the tuning of a replica whose configuration changes none of it.
var DefaultTuning = Tuning{
	MaxOpenConns: 20, MaxIdleConns: 10, ConnMaxLifetime: 30 * time.Minute,
	StatementTimeout: 30 * time.Second, TxRetries: 3, ListenCheck: 5 * time.Second,
}

// WithDefaults returns t with DefaultTuning's value in each zero field.
func (t Tuning) WithDefaults() Tuning {
	d := DefaultTuning
	if t.MaxOpenConns > 0 {
		d.MaxOpenConns = t.MaxOpenConns
	}
	if t.MaxIdleConns > 0 {
		d.MaxIdleConns = t.MaxIdleConns
	}
	if t.ConnMaxLifetime > 0 {
		d.ConnMaxLifetime = t.ConnMaxLifetime
	}
	if t.StatementTimeout != 0 {
		d.StatementTimeout = t.StatementTimeout
	}
	if t.TxRetries != 0 {
		d.TxRetries = t.TxRetries
	}
	if t.ListenCheck > 0 {
		d.ListenCheck = t.ListenCheck
	}
	d.MaxIdleConns = min(d.MaxIdleConns, d.MaxOpenConns)
	return d
}

// DB is the panel's database.
type DB struct {
	gorm    *gorm.DB
	dialect Dialect
	dsn     string
	// pgConfig is the parsed DSN for connections outside the pool (listeners, locks).
	pgConfig  *pgx.ConnConfig
	txRetries int
	// listenCheck is how often a quiet notice listener pings its connection.
	listenCheck time.Duration
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
		g        *gorm.DB
		err      error
		dialect  Dialect
		pgConfig *pgx.ConnConfig
	)
	tuning := opts.Tuning.WithDefaults()
	if opts.DSN != "" {
		dialect = Postgres
		if pgConfig, err = pgx.ParseConfig(opts.DSN); err != nil {
			return nil, fmt.Errorf("parse PostgreSQL DSN: %w", err)
		}
		if _, set := pgConfig.RuntimeParams["application_name"]; !set {
			pgConfig.RuntimeParams["application_name"] = "kaas"
		}
		pooled := pgConfig.Copy()
		if tuning.StatementTimeout > 0 {
			pooled.RuntimeParams["statement_timeout"] = strconv.FormatInt(tuning.StatementTimeout.Milliseconds(), 10)
		}
		g, err = gorm.Open(postgres.New(postgres.Config{Conn: stdlib.OpenDB(*pooled)}), cfg)
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
		sqlDB.SetMaxOpenConns(tuning.MaxOpenConns)
		sqlDB.SetMaxIdleConns(tuning.MaxIdleConns)
		sqlDB.SetConnMaxLifetime(tuning.ConnMaxLifetime)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	db := &DB{gorm: g, dialect: dialect, dsn: opts.DSN, pgConfig: pgConfig, lockCheck: lockCheckInterval,
		txRetries: max(tuning.TxRetries, 0), listenCheck: tuning.ListenCheck}
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
// job engine).
func (db *DB) Gorm() *gorm.DB { return db.gorm }

// DSN returns the PostgreSQL DSN, empty for SQLite.
func (db *DB) DSN() string { return db.dsn }

// mapError turns database errors into application errors; what names the object.
func mapError(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case models.ErrorCode(err) != models.CodeInternal:
		return err // an application error already
	case errors.Is(err, gorm.ErrRecordNotFound):
		return models.Errorf(models.CodeNotFound, "%s not found", what)
	case errors.Is(err, gorm.ErrDuplicatedKey) || strings.Contains(err.Error(), "UNIQUE constraint failed"):
		return models.WrapError(models.CodeConflict, err, what+" already exists")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), pgCode(err) == pgQueryCanceled:
		return models.WrapError(models.CodeUnavailable, err, "the database did not answer in time")
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}
