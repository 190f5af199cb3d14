package store

import (
	"time"

	"gorm.io/gorm"
)

// migrations are applied in order; append only, never edit one that has shipped.
var migrations = []migration{
	{1, "tokens, clusters, user settings, audit", migrate1},
	{2, "provisioning jobs and their events", migrate2},
	{3, "panel sessions", migrate3},
	{4, "token paging and pruning indexes, unique webhook credential hash", migrate4},
	{5, "cluster resize requests", migrate5},
	{6, "token change log", migrate6},
}

func migrate1(tx *gorm.DB) error {
	type token struct {
		ID              string `gorm:"primaryKey;size:36"`
		UserID          string `gorm:"size:64;not null;index:idx_tokens_user"`
		Username        string `gorm:"size:255;not null"`
		Name            string `gorm:"size:400;not null"`
		Prefix          string `gorm:"size:32;not null"`
		Hash            []byte `gorm:"size:32;not null;uniqueIndex:idx_tokens_hash"`
		CreatedAt       time.Time
		ExpiresAt       time.Time `gorm:"not null"`
		LastUsedAt      *time.Time
		LastUsedCluster *string `gorm:"size:64"`
	}
	type cluster struct {
		ID               string `gorm:"primaryKey;size:36"`
		Name             string `gorm:"size:63;not null;uniqueIndex:idx_clusters_name"`
		BaseDomain       string `gorm:"size:253;not null"`
		APIURL           string `gorm:"size:2048;not null"`
		CAPEM            string `gorm:"type:text;not null"`
		Status           string `gorm:"size:16;not null"`
		Driver           string `gorm:"size:16;not null"`
		AdminRoleIDs     string `gorm:"type:text;not null"`
		Workers          int    `gorm:"not null;default:3"`
		WorkerVCPU       int    `gorm:"not null;default:4"`
		WorkerRAMGB      int    `gorm:"not null;default:8"`
		WorkerDiskGB     int    `gorm:"not null;default:40"`
		RegistryDBGB     int    `gorm:"not null;default:10"`
		Credential       []byte `gorm:"not null"`
		WebhookTokenHash []byte `gorm:"size:32;index:idx_clusters_webhook"`
		CreatedAt        time.Time
		UpdatedAt        time.Time
	}
	type userSetting struct {
		UserID          string `gorm:"primaryKey;size:64"`
		ActiveClusterID string `gorm:"size:36"`
		UpdatedAt       time.Time
	}
	type auditEntry struct {
		ID        int64     `gorm:"primaryKey;autoIncrement"`
		At        time.Time `gorm:"not null;index:idx_audit_at"`
		ActorID   string    `gorm:"size:64;not null"`
		ActorName string    `gorm:"size:255;not null"`
		Action    string    `gorm:"size:64;not null"`
		ClusterID string    `gorm:"size:36;index:idx_audit_cluster"`
		Target    string    `gorm:"size:512"`
		Result    string    `gorm:"size:32;not null"`
		Detail    string    `gorm:"size:1024"`
	}
	for _, t := range []struct {
		model any
		name  string
	}{{&token{}, "tokens"}, {&cluster{}, "clusters"}, {&userSetting{}, "user_settings"}, {&auditEntry{}, "audit_entries"}} {
		if err := tx.Table(t.name).Migrator().CreateTable(t.model); err != nil {
			return err
		}
	}
	return nil
}

func migrate2(tx *gorm.DB) error {
	type job struct {
		ID              string     `gorm:"primaryKey;size:36"`
		Kind            string     `gorm:"size:64;not null"`
		Args            string     `gorm:"type:text;not null"`
		Status          string     `gorm:"size:16;not null;index:idx_jobs_claim,priority:1"`
		CancelRequested bool       `gorm:"not null"`
		Step            int        `gorm:"not null"`
		StepName        string     `gorm:"size:64;not null"`
		Percent         int        `gorm:"not null"`
		Attempts        int        `gorm:"not null"`
		Error           string     `gorm:"type:text;not null"`
		LeaseOwner      string     `gorm:"size:128;not null"`
		LeaseExpiresAt  *time.Time `gorm:"index:idx_jobs_claim,priority:2"`
		CreatedBy       string     `gorm:"size:255;not null"`
		CreatedAt       time.Time  `gorm:"not null;index:idx_jobs_created"`
		StartedAt       *time.Time
		FinishedAt      *time.Time
		UpdatedAt       time.Time `gorm:"not null"`
	}
	type jobEvent struct {
		ID      int64     `gorm:"primaryKey;autoIncrement"`
		JobID   string    `gorm:"size:36;not null;uniqueIndex:idx_job_events_seq,priority:1"`
		Seq     int       `gorm:"not null;uniqueIndex:idx_job_events_seq,priority:2"`
		At      time.Time `gorm:"not null"`
		Step    string    `gorm:"size:64;not null"`
		Percent int       `gorm:"not null"`
		Level   string    `gorm:"size:8;not null"`
		Message string    `gorm:"type:text;not null"`
		Status  string    `gorm:"size:16;not null"`
	}
	if err := tx.Table("jobs").Migrator().CreateTable(&job{}); err != nil {
		return err
	}
	return tx.Table("job_events").Migrator().CreateTable(&jobEvent{})
}

func migrate3(tx *gorm.DB) error {
	type session struct {
		IDHash    []byte    `gorm:"primaryKey;size:32"`
		UserID    string    `gorm:"size:64;not null;index:idx_sessions_user"`
		CreatedAt time.Time `gorm:"not null"`
		ExpiresAt time.Time `gorm:"not null;index:idx_sessions_expires"`
	}
	return tx.Table("sessions").Migrator().CreateTable(&session{})
}

// migrate4 serves a user's tokens newest first straight from an index (so a page costs
// the same at 10 or 10,000 tokens), lets the pruner find expired tokens without a scan,
// and makes the webhook credential hash a unique lookup key. Its back-fill turns hashes
// that are not SHA-256 sums (empty values written by older versions for clusters without
// a credential) into NULL, which the unique index allows any number of times.
func migrate4(tx *gorm.DB) error {
	for _, stmt := range []string{
		"CREATE INDEX idx_tokens_user_created ON tokens (user_id, created_at, id)",
		"DROP INDEX IF EXISTS idx_tokens_user",
		"CREATE INDEX idx_tokens_expires ON tokens (expires_at)",
		"UPDATE clusters SET webhook_token_hash = NULL WHERE webhook_token_hash IS NOT NULL AND length(webhook_token_hash) <> 32",
		"DROP INDEX IF EXISTS idx_clusters_webhook",
		"CREATE UNIQUE INDEX idx_clusters_webhook_hash ON clusters (webhook_token_hash)",
	} {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}

// migrate5 keeps cluster admins' resize requests. The partial unique index allows one
// pending request per cluster, whoever asks and however many ask at once.
func migrate5(tx *gorm.DB) error {
	type resizeRequest struct {
		ID             string    `gorm:"primaryKey;size:36"`
		ClusterID      string    `gorm:"size:36;not null"`
		Status         string    `gorm:"size:16;not null"`
		Workers        int       `gorm:"not null"`
		WorkerVCPU     int       `gorm:"not null"`
		WorkerRAMGB    int       `gorm:"not null"`
		WorkerDiskGB   int       `gorm:"not null"`
		RegistryDBGB   int       `gorm:"not null"`
		Reason         string    `gorm:"size:1000;not null"`
		RequesterID    string    `gorm:"size:64;not null"`
		RequesterName  string    `gorm:"size:255;not null"`
		DeciderName    string    `gorm:"size:255;not null"`
		DecisionReason string    `gorm:"size:1000;not null"`
		JobID          string    `gorm:"size:36;not null"`
		CreatedAt      time.Time `gorm:"not null"`
		DecidedAt      *time.Time
	}
	if err := tx.Table("resize_requests").Migrator().CreateTable(&resizeRequest{}); err != nil {
		return err
	}
	for _, stmt := range []string{
		"CREATE INDEX idx_resize_requests_cluster ON resize_requests (cluster_id, created_at)",
		"CREATE INDEX idx_resize_requests_created ON resize_requests (created_at)",
		"CREATE UNIQUE INDEX idx_resize_requests_pending ON resize_requests (cluster_id) WHERE status = 'PENDING'",
	} {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}

// migrate6 adds the token change log: one row per token created or deleted, numbered in
// commit order, from which every replica's in-memory token index catches up.
func migrate6(tx *gorm.DB) error {
	type tokenChange struct {
		Seq       int64     `gorm:"primaryKey;autoIncrement"`
		TokenID   string    `gorm:"size:36;not null"`
		TokenHash []byte    `gorm:"size:32;not null"`
		Deleted   bool      `gorm:"not null"`
		At        time.Time `gorm:"not null;index:idx_token_changes_at"`
	}
	return tx.Table("token_changes").Migrator().CreateTable(&tokenChange{})
}
