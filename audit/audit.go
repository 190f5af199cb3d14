// Package audit records who did what, when, on which cluster and how it ended.
package audit

import (
	"context"
	"log/slog"
	"strconv"
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

// Page sizes of the trail.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Access tells the trail who may read which part of it.
type Access interface {
	// Caller returns who is asking, UNAUTHENTICATED when nobody signed in.
	Caller(ctx context.Context) (models.Identity, error)
	// IsOperator reports whether the caller holds the operator role.
	IsOperator(caller models.Identity) bool
	// AdministeredCluster returns the ID of the cluster named (the caller's active one
	// when clusterID is nil) when the caller administers it, FORBIDDEN (and recorded)
	// otherwise.
	AdministeredCluster(ctx context.Context, clusterID *string) (string, error)
}

// Query is what a caller asks of the trail.
type Query struct {
	// All asks for the whole trail, every cluster's and none's.
	All bool
	// ClusterID names a cluster; nil means the caller's active one.
	ClusterID *string
	// Action and Actor filter when not empty.
	Action string
	Actor  string
	// First is the page size (DefaultPageSize when nil); Before, an entry ID, pages
	// backwards.
	First  *int
	Before *string
}

// Page is a page of the trail, newest first.
type Page struct {
	Entries []models.AuditEntry
	// NextBefore is the Before of the next page, "" when this one was not full.
	NextBefore string
}

// Page returns the page of the trail the caller asked for, of the part they may see:
// operators see the whole trail (All) or any one cluster's; everyone else sees only the
// trail of a cluster they administer.
func (r *Recorder) Page(ctx context.Context, access Access, q Query) (Page, error) {
	f := models.AuditFilter{Limit: DefaultPageSize, Action: q.Action, ActorName: q.Actor}
	if q.First != nil {
		if *q.First < 1 || *q.First > MaxPageSize {
			return Page{}, models.Errorf(models.CodeInvalid, "first must be between 1 and %d", MaxPageSize)
		}
		f.Limit = *q.First
	}
	if q.Before != nil {
		n, err := strconv.ParseInt(*q.Before, 10, 64)
		if err != nil || n < 1 {
			return Page{}, models.Errorf(models.CodeInvalid, "before must be an entry ID")
		}
		f.Before = n
	}
	caller, err := access.Caller(ctx)
	if err != nil {
		return Page{}, err
	}
	operator := access.IsOperator(caller)
	switch {
	case q.All:
		if !operator {
			return Page{}, models.Errorf(models.CodeForbidden, "only operators see the whole audit trail")
		}
	case operator && q.ClusterID != nil:
		f.ClusterID = *q.ClusterID
	default:
		id, err := access.AdministeredCluster(ctx, q.ClusterID)
		if err != nil {
			return Page{}, err
		}
		f.ClusterID = id
	}
	entries, err := r.store.Audit(ctx, f)
	if err != nil {
		return Page{}, err
	}
	p := Page{Entries: entries}
	if len(entries) == f.Limit {
		p.NextBefore = strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	return p, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
