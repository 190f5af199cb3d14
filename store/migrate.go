package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migration is one versioned schema change. Its up function uses frozen copies of the
// models as they were at that version, never the live models, so old migrations keep
// meaning the same thing.
type migration struct {
	version int
	name    string
	up      func(tx *gorm.DB) error
}

// schemaMigration records an applied migration.
type schemaMigration struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	Name      string
	AppliedAt time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// migrationLockID is the PostgreSQL advisory lock that serializes replicas' migrations.
const migrationLockID = 0x6b616173 // "kaas"

func (db *DB) migrate(ctx context.Context) error {
	return db.gorm.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		if db.dialect == Postgres {
			// Waiting for another replica's migrations, and a migration itself, may take
			// longer than the statement timeout of ordinary requests.
			if err := conn.Exec("SET statement_timeout = 0").Error; err != nil {
				return fmt.Errorf("lift statement timeout: %w", err)
			}
			defer conn.Exec("RESET statement_timeout")
			if err := conn.Exec("SELECT pg_advisory_lock(?)", migrationLockID).Error; err != nil {
				return fmt.Errorf("lock: %w", err)
			}
			defer conn.Exec("SELECT pg_advisory_unlock(?)", migrationLockID)
		}
		if err := conn.AutoMigrate(&schemaMigration{}); err != nil {
			return fmt.Errorf("migrations table: %w", err)
		}
		var applied []int
		if err := conn.Model(&schemaMigration{}).Pluck("version", &applied).Error; err != nil {
			return fmt.Errorf("read applied: %w", err)
		}
		done := map[int]bool{}
		for _, v := range applied {
			done[v] = true
		}
		for _, m := range migrations {
			if done[m.version] {
				continue
			}
			err := conn.Transaction(func(tx *gorm.DB) error {
				if err := m.up(tx); err != nil {
					return err
				}
				return tx.Create(&schemaMigration{Version: m.version, Name: m.name, AppliedAt: time.Now().UTC()}).Error
			})
			if err != nil {
				return fmt.Errorf("migration %d %s: %w", m.version, m.name, err)
			}
		}
		return nil
	})
}

// SchemaVersion returns the highest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.gorm.WithContext(ctx).Model(&schemaMigration{}).Select("COALESCE(MAX(version), 0)").Scan(&v).Error
	return v, err
}
