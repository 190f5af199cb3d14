package store_test

import (
	"testing"

	"gorm.io/gorm"

	"kaas/internal/testenv"
	"kaas/models"
	"kaas/store"
)

// TestModelsMapToMigratedColumns checks the one source of truth for columns: the
// migrations create the tables, and every field the store reads or writes through a
// model maps (by gorm's naming) to a column they created.
func TestModelsMapToMigratedColumns(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		for _, tt := range []struct {
			name  string
			model any
		}{
			{"tokens", &models.Token{}},
			{"clusters", &models.Cluster{}},
			{"user_settings", &models.UserSetting{}},
			{"audit_entries", &models.AuditEntry{}},
			{"jobs", &models.Job{}},
			{"job_events", &models.JobEvent{}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				stmt := &gorm.Statement{DB: db.Gorm()}
				if err := stmt.Parse(tt.model); err != nil {
					t.Fatalf("parse model: %v", err)
				}
				if stmt.Schema.Table != tt.name {
					t.Fatalf("the model maps to table %q, want %q", stmt.Schema.Table, tt.name)
				}
				m := db.Gorm().Migrator()
				if len(stmt.Schema.DBNames) == 0 {
					t.Fatal("the model maps no column")
				}
				for _, col := range stmt.Schema.DBNames {
					if !m.HasColumn(tt.model, col) {
						t.Errorf("the model maps field to column %s.%s, which no migration created", tt.name, col)
					}
				}
			})
		}
	})
}
