package store

import (
	"context"

	"kaas/models"
)

// AddResizeRequest stores a new resize request; a second pending request for the same
// cluster is a CONFLICT.
func (db *DB) AddResizeRequest(ctx context.Context, r *models.ResizeRequest) error {
	err := mapError(db.gorm.WithContext(ctx).Create(r).Error, "resize request")
	if models.ErrorCode(err) == models.CodeConflict {
		return models.WrapError(models.CodeConflict, err, "this cluster already has a pending resize request")
	}
	return err
}

// ResizeRequest returns one request by ID, NOT_FOUND when unknown.
func (db *DB) ResizeRequest(ctx context.Context, id string) (*models.ResizeRequest, error) {
	var r models.ResizeRequest
	if err := db.gorm.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, mapError(err, "resize request")
	}
	return &r, nil
}

// ResizeRequests returns requests matching f, newest first (at most 500; 100 by default).
func (db *DB) ResizeRequests(ctx context.Context, f models.ResizeFilter) ([]models.ResizeRequest, error) {
	q := db.gorm.WithContext(ctx).Model(&models.ResizeRequest{})
	if f.ClusterID != "" {
		q = q.Where("cluster_id = ?", f.ClusterID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var rs []models.ResizeRequest
	return rs, mapError(q.Order("created_at DESC").Order("id DESC").Limit(f.Limit).Find(&rs).Error, "resize requests")
}

// DecideResizeRequest records a decision on a request that has status from, and reports
// whether it did: false means another decision came first.
func (db *DB) DecideResizeRequest(ctx context.Context, r *models.ResizeRequest, from models.ResizeStatus) (bool, error) {
	res := db.gorm.WithContext(ctx).Model(&models.ResizeRequest{}).
		Where("id = ? AND status = ?", r.ID, from).
		Updates(map[string]any{
			"status": r.Status, "decider_name": r.DeciderName, "decision_reason": r.DecisionReason,
			"job_id": r.JobID, "decided_at": r.DecidedAt,
		})
	return res.RowsAffected == 1, mapError(res.Error, "resize request")
}
