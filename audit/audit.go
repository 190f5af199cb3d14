// Package audit records who did what, when, on which cluster and how it ended.
package audit

import (
	"context"
	"log/slog"
	"time"

	"kaas/models"
)

// Actions recorded in the audit trail.
const (
	ActionLogin         = "login"
	ActionTokenCreate   = "token.create"
	ActionTokenDelete   = "token.delete"
	ActionClusterSelect = "cluster.select"
	ActionClusterAdopt  = "cluster.adopt"
	ActionWebhookIssue  = "cluster.webhook-credential"
	ActionBindingCreate = "binding.create"
	ActionBindingDelete = "binding.delete"
	ActionBackupCreate  = "backup.create"
	ActionRestoreCreate = "restore.create"
	ActionClusterCreate = "cluster.create"
	ActionClusterDelete = "cluster.delete"
	ActionJobCancel     = "job.cancel"
	ActionJobRetry      = "job.retry"
	ActionSessionsEnd   = "sessions.end"
	// ActionAddonPrefix followed by install, upgrade or remove: an add-on job asked for.
	ActionAddonPrefix = "addon."
	// ActionAccessDenied is an admin or operator action refused to a caller without the
	// role; its target is the GraphQL field.
	ActionAccessDenied = "access.denied"
)

// Store persists audit entries.
type Store interface {
	AddAudit(ctx context.Context, e *models.AuditEntry) error
	Audit(ctx context.Context, f models.AuditFilter) ([]models.AuditEntry, error)
}

// Recorder writes audit entries. A failure to write is logged, never returned: the
// action it describes has already happened.
type Recorder struct {
	store Store
	log   *slog.Logger
	now   func() time.Time
	// Names, when set, gives the actor's name as the trail shows it: the Kubernetes user
	// name (identity.UsernameRule.Display), so that two users of one name in different
	// domains stay apart.
	Names func(username, domain, domainID string) string
}

// NewRecorder returns a Recorder.
func NewRecorder(store Store, log *slog.Logger) *Recorder {
	return &Recorder{store: store, log: log, now: time.Now}
}

// Record writes one entry: actor did action on target (in cluster), ending with err.
func (r *Recorder) Record(ctx context.Context, actor models.Principal, action, clusterID, target string, err error) {
	name := actor.Username
	if r.Names != nil && name != "" {
		name = r.Names(actor.Username, actor.Domain, actor.DomainID)
	}
	e := &models.AuditEntry{
		At: r.now().UTC(), ActorID: actor.UserID, ActorName: truncate(name, 255), Action: action,
		ClusterID: clusterID, Target: truncate(target, 512), Result: "ok",
	}
	if err != nil {
		e.Result = string(models.ErrorCode(err))
		e.Detail = truncate(models.ErrorMessage(err), 1024)
	}
	// The entry is written even when the request that caused it was cancelled.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if werr := r.store.AddAudit(ctx, e); werr != nil {
		r.log.Error("write audit entry", "action", action, "err", werr)
	}
}

// List returns entries matching f, newest first.
func (r *Recorder) List(ctx context.Context, f models.AuditFilter) ([]models.AuditEntry, error) {
	return r.store.Audit(ctx, f)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
