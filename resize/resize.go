// Package resize keeps cluster admins' requests to resize a cluster's workers and turns
// an operator's decision into a resize job or a declined request with its reason. Who may
// ask and who may decide is the caller's check; this package holds the rules of the
// requests themselves and records every step in the audit trail.
package resize

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"kaas/models"
)

// Audit actions of resizes.
const (
	ActionRequest = "cluster.resize-request"
	ActionApprove = "cluster.resize-approve"
	ActionDecline = "cluster.resize-decline"
	ActionResize  = "cluster.resize"
)

// Store persists resize requests.
type Store interface {
	AddResizeRequest(ctx context.Context, r *models.ResizeRequest) error
	ResizeRequest(ctx context.Context, id string) (*models.ResizeRequest, error)
	ResizeRequests(ctx context.Context, f models.ResizeFilter) ([]models.ResizeRequest, error)
	DecideResizeRequest(ctx context.Context, r *models.ResizeRequest, from models.ResizeStatus) (bool, error)
}

// Jobs starts resize jobs.
type Jobs interface {
	// CanResize returns an INVALID error for a cluster whose workers the panel cannot
	// change (it did not make them, or it has none).
	CanResize(c *models.Cluster) error
	// EnqueueResize starts a durable job that brings c's workers to size.
	EnqueueResize(ctx context.Context, c *models.Cluster, size models.ClusterSize, by string) (*models.Job, error)
}

// Clusters finds registered clusters.
type Clusters interface {
	Get(ctx context.Context, id string) (*models.Cluster, error)
}

// Auditor records what was done.
type Auditor interface {
	Record(ctx context.Context, actor models.Principal, action, clusterID, target string, err error)
}

// Service is the resize workflow.
type Service struct {
	store    Store
	jobs     Jobs
	clusters Clusters
	audit    Auditor
	now      func() time.Time
}

// NewService returns a Service.
func NewService(store Store, jobs Jobs, clusters Clusters, audit Auditor) *Service {
	return &Service{store: store, jobs: jobs, clusters: clusters, audit: audit, now: time.Now}
}

// Change is a requested resize of a cluster's workers. Zero per-worker fields keep the
// cluster's current worker size.
type Change struct {
	Workers      int
	WorkerVCPU   int
	WorkerRAMGB  int
	WorkerDiskGB int
	Reason       string
}

// target returns the size c's workers become, or an INVALID error.
func (s *Service) target(c *models.Cluster, ch Change) (models.ClusterSize, error) {
	if err := s.jobs.CanResize(c); err != nil {
		return models.ClusterSize{}, err
	}
	size := c.Size
	size.Workers = ch.Workers
	for _, f := range []struct {
		dst *int
		v   int
	}{{&size.WorkerVCPU, ch.WorkerVCPU}, {&size.WorkerRAMGB, ch.WorkerRAMGB}, {&size.WorkerDiskGB, ch.WorkerDiskGB}} {
		if f.v != 0 {
			*f.dst = f.v
		}
	}
	if err := size.Validate(); err != nil {
		return models.ClusterSize{}, err
	}
	if size == c.Size {
		return models.ClusterSize{}, models.Errorf(models.CodeInvalid, "cluster %s already has %d workers of this size", c.Name, c.Size.Workers)
	}
	return size, nil
}

// Request records actor's request to resize cluster c, for an operator to decide. A
// cluster has at most one pending request: a second is a CONFLICT.
func (s *Service) Request(ctx context.Context, actor models.Principal, c *models.Cluster, ch Change) (*models.ResizeRequest, error) {
	r, err := s.request(ctx, actor, c, ch)
	s.audit.Record(ctx, actor, ActionRequest, c.ID, describe(ch.Workers, c.Name), err)
	return r, err
}

func (s *Service) request(ctx context.Context, actor models.Principal, c *models.Cluster, ch Change) (*models.ResizeRequest, error) {
	size, err := s.target(c, ch)
	if err != nil {
		return nil, err
	}
	reason, err := models.CleanReason(ch.Reason, false)
	if err != nil {
		return nil, err
	}
	r := &models.ResizeRequest{
		ID: uuid.NewString(), ClusterID: c.ID, Status: models.ResizePending, Size: size, Reason: reason,
		RequesterID: actor.UserID, RequesterName: actor.Username, CreatedAt: s.now().UTC(),
	}
	if err := s.store.AddResizeRequest(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// Resize starts a resize job for cluster c at once, for an operator.
func (s *Service) Resize(ctx context.Context, actor models.Principal, c *models.Cluster, ch Change) (*models.Job, error) {
	job, err := s.resize(ctx, actor, c, ch)
	s.audit.Record(ctx, actor, ActionResize, c.ID, describe(ch.Workers, c.Name), err)
	return job, err
}

func (s *Service) resize(ctx context.Context, actor models.Principal, c *models.Cluster, ch Change) (*models.Job, error) {
	size, err := s.target(c, ch)
	if err != nil {
		return nil, err
	}
	return s.jobs.EnqueueResize(ctx, c, size, actor.Username)
}

// Approve turns a pending request into a resize job. Of two decisions at once, one wins
// and the other is a CONFLICT.
func (s *Service) Approve(ctx context.Context, actor models.Principal, id string) (*models.ResizeRequest, error) {
	r, err := s.approve(ctx, actor, id)
	s.audit.Record(ctx, actor, ActionApprove, clusterOf(r), id, err)
	return r, err
}

func (s *Service) approve(ctx context.Context, actor models.Principal, id string) (*models.ResizeRequest, error) {
	r, c, err := s.pending(ctx, id)
	if err != nil {
		return r, err
	}
	// The cluster may have changed since the request: check again against what it is now.
	if _, err := s.target(c, changeTo(r.Size)); err != nil {
		return r, err
	}
	claimed := *r
	s.decide(&claimed, models.ResizeApproved, actor, "")
	if err := s.claim(ctx, &claimed, models.ResizePending); err != nil {
		return r, err
	}
	job, err := s.jobs.EnqueueResize(ctx, c, r.Size, actor.Username)
	if err != nil {
		// Back to pending, so that it can be approved again or declined.
		if _, rerr := s.store.DecideResizeRequest(context.WithoutCancel(ctx), r, models.ResizeApproved); rerr != nil {
			return r, fmt.Errorf("%w (and the request stays approved without a job: %v)", err, rerr)
		}
		return r, err
	}
	done := claimed
	done.JobID = job.ID
	if _, err := s.store.DecideResizeRequest(ctx, &done, models.ResizeApproved); err != nil {
		return &claimed, fmt.Errorf("record the resize job of request %s: %w", id, err)
	}
	return &done, nil
}

// Decline refuses a pending request; the reason is required and shown to the requester.
func (s *Service) Decline(ctx context.Context, actor models.Principal, id, reason string) (*models.ResizeRequest, error) {
	r, err := s.decline(ctx, actor, id, reason)
	s.audit.Record(ctx, actor, ActionDecline, clusterOf(r), id, err)
	return r, err
}

func (s *Service) decline(ctx context.Context, actor models.Principal, id, reason string) (*models.ResizeRequest, error) {
	reason, err := models.CleanReason(reason, true)
	if err != nil {
		return nil, err
	}
	r, _, err := s.pending(ctx, id)
	if err != nil {
		return r, err
	}
	declined := *r
	s.decide(&declined, models.ResizeDeclined, actor, reason)
	if err := s.claim(ctx, &declined, models.ResizePending); err != nil {
		return r, err
	}
	return &declined, nil
}

// List returns requests matching f, newest first.
func (s *Service) List(ctx context.Context, f models.ResizeFilter) ([]models.ResizeRequest, error) {
	if f.Status != "" && !models.ValidResizeStatus(f.Status) {
		return nil, models.Errorf(models.CodeInvalid, "unknown resize status %q", f.Status)
	}
	return s.store.ResizeRequests(ctx, f)
}

// Get returns one request, NOT_FOUND when unknown.
func (s *Service) Get(ctx context.Context, id string) (*models.ResizeRequest, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, models.Errorf(models.CodeNotFound, "resize request not found")
	}
	return s.store.ResizeRequest(ctx, id)
}

// pending returns a pending request and its cluster.
func (s *Service) pending(ctx context.Context, id string) (*models.ResizeRequest, *models.Cluster, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if r.Status != models.ResizePending {
		return r, nil, models.Errorf(models.CodeConflict, "this request was already %s", strings.ToLower(string(r.Status)))
	}
	c, err := s.clusters.Get(ctx, r.ClusterID)
	if err != nil {
		return r, nil, err
	}
	return r, c, nil
}

func (s *Service) decide(r *models.ResizeRequest, status models.ResizeStatus, actor models.Principal, reason string) {
	at := s.now().UTC()
	r.Status, r.DeciderName, r.DecisionReason, r.DecidedAt = status, actor.Username, reason, &at
}

// claim records r's decision if its stored status is still from.
func (s *Service) claim(ctx context.Context, r *models.ResizeRequest, from models.ResizeStatus) error {
	ok, err := s.store.DecideResizeRequest(ctx, r, from)
	if err != nil {
		return err
	}
	if !ok {
		return models.Errorf(models.CodeConflict, "another operator decided this request first")
	}
	return nil
}

func changeTo(size models.ClusterSize) Change {
	return Change{Workers: size.Workers, WorkerVCPU: size.WorkerVCPU, WorkerRAMGB: size.WorkerRAMGB, WorkerDiskGB: size.WorkerDiskGB}
}

func clusterOf(r *models.ResizeRequest) string {
	if r == nil {
		return ""
	}
	return r.ClusterID
}

func describe(workers int, cluster string) string {
	return fmt.Sprintf("%s → %d workers", cluster, workers)
}

// Resizable reports whether the panel can resize c's workers.
func (s *Service) Resizable(c *models.Cluster) bool { return s.jobs.CanResize(c) == nil }
