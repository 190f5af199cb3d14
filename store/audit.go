package store

import (
	"context"
	"time"

	"kaas/models"
)

// AddAudit appends an audit entry.
func (db *DB) AddAudit(ctx context.Context, e *models.AuditEntry) error {
	return mapError(db.gorm.WithContext(ctx).Create(e).Error, "audit entry")
}

// Audit returns entries matching f, newest first.
func (db *DB) Audit(ctx context.Context, f models.AuditFilter) ([]models.AuditEntry, error) {
	q := db.gorm.WithContext(ctx).Model(&models.AuditEntry{})
	if f.ClusterID != "" {
		q = q.Where("cluster_id = ?", f.ClusterID)
	}
	if f.ActorName != "" {
		q = q.Where("actor_name = ?", f.ActorName)
	}
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if !f.Since.IsZero() {
		q = q.Where("at >= ?", f.Since)
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var es []models.AuditEntry
	return es, mapError(q.Order("id DESC").Limit(f.Limit).Find(&es).Error, "audit entries")
}

// DeleteAuditBefore removes audit entries recorded before cutoff and returns how many.
func (db *DB) DeleteAuditBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	n, err := db.deleteBatched(ctx, "audit_entries", "id", "at < ?", cutoff.UTC())
	return n, mapError(err, "old audit entries")
}
