package store

import (
	"context"

	"gorm.io/gorm"

	"kaas/models"
)

// CreateCluster stores a new cluster; a taken name is CONFLICT.
func (db *DB) CreateCluster(ctx context.Context, c *models.Cluster) error {
	return mapError(db.gorm.WithContext(ctx).Create(c).Error, "cluster "+c.Name)
}

// Clusters returns every cluster by name.
func (db *DB) Clusters(ctx context.Context) ([]models.Cluster, error) {
	var cs []models.Cluster
	return cs, mapError(db.gorm.WithContext(ctx).Order("name").Find(&cs).Error, "clusters")
}

// Cluster returns one cluster by ID.
func (db *DB) Cluster(ctx context.Context, id string) (*models.Cluster, error) {
	var c models.Cluster
	if err := db.gorm.WithContext(ctx).Where("id = ?", id).Take(&c).Error; err != nil {
		return nil, mapError(err, "cluster")
	}
	return &c, nil
}

// ClusterByName returns one cluster by name.
func (db *DB) ClusterByName(ctx context.Context, name string) (*models.Cluster, error) {
	var c models.Cluster
	if err := db.gorm.WithContext(ctx).Where("name = ?", name).Take(&c).Error; err != nil {
		return nil, mapError(err, "cluster "+name)
	}
	return &c, nil
}

// WebhookClusterName returns the name of the cluster whose webhook credential hashes to
// hash, "" when none does: one lookup in the unique index on the hash.
func (db *DB) WebhookClusterName(ctx context.Context, hash []byte) (string, error) {
	var names []string
	err := db.gorm.WithContext(ctx).Model(&models.Cluster{}).Where("webhook_token_hash = ?", hash).Limit(1).Pluck("name", &names).Error
	if err != nil || len(names) == 0 {
		return "", mapError(err, "cluster by webhook credential")
	}
	return names[0], nil
}

// UpdateCluster saves every field of c.
func (db *DB) UpdateCluster(ctx context.Context, c *models.Cluster) error {
	return mapError(db.gorm.WithContext(ctx).Save(c).Error, "cluster "+c.Name)
}

// DeleteCluster removes a cluster and forgets it as anyone's active cluster.
func (db *DB) DeleteCluster(ctx context.Context, id string) error {
	return mapError(db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Delete(&models.Cluster{}, "id = ?", id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		return tx.Model(&models.UserSetting{}).Where("active_cluster_id = ?", id).Update("active_cluster_id", "").Error
	}), "cluster")
}

// ActiveClusterID returns the user's chosen cluster ID, empty when none was chosen.
func (db *DB) ActiveClusterID(ctx context.Context, userID string) (string, error) {
	var s models.UserSetting
	err := db.gorm.WithContext(ctx).Where("user_id = ?", userID).Limit(1).Find(&s).Error
	return s.ActiveClusterID, mapError(err, "user settings")
}

// SetActiveClusterID persists the user's chosen cluster.
func (db *DB) SetActiveClusterID(ctx context.Context, userID, clusterID string) error {
	s := models.UserSetting{UserID: userID, ActiveClusterID: clusterID}
	err := db.gorm.WithContext(ctx).Save(&s).Error
	return mapError(err, "user settings")
}
