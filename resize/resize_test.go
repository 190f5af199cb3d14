package resize

import (
	"context"
	"sync"
	"testing"
	"time"

	"kaas/models"
)

// fakeStore is an in-memory Store with the real one's rules: one pending request per
// cluster, decisions only from the expected status.
type fakeStore struct {
	mu sync.Mutex
	rs map[string]models.ResizeRequest
}

func newFakeStore() *fakeStore { return &fakeStore{rs: map[string]models.ResizeRequest{}} }

func (f *fakeStore) AddResizeRequest(_ context.Context, r *models.ResizeRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.rs {
		if o.ClusterID == r.ClusterID && o.Status == models.ResizePending {
			return models.Errorf(models.CodeConflict, "this cluster already has a pending resize request")
		}
	}
	f.rs[r.ID] = *r
	return nil
}

func (f *fakeStore) ResizeRequest(_ context.Context, id string) (*models.ResizeRequest, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.rs[id]
	if !ok {
		return nil, models.Errorf(models.CodeNotFound, "resize request not found")
	}
	return &r, nil
}

func (f *fakeStore) ResizeRequests(_ context.Context, flt models.ResizeFilter) ([]models.ResizeRequest, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []models.ResizeRequest
	for _, r := range f.rs {
		if (flt.ClusterID == "" || r.ClusterID == flt.ClusterID) && (flt.Status == "" || r.Status == flt.Status) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeStore) DecideResizeRequest(_ context.Context, r *models.ResizeRequest, from models.ResizeStatus) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	have, ok := f.rs[r.ID]
	if !ok || have.Status != from {
		return false, nil
	}
	have.Status, have.DeciderName, have.DecisionReason, have.JobID, have.DecidedAt = r.Status, r.DeciderName, r.DecisionReason, r.JobID, r.DecidedAt
	f.rs[r.ID] = have
	return true, nil
}

// fakeJobs records the resize jobs it was asked for; only OPENSTACK clusters resize.
type fakeJobs struct {
	mu      sync.Mutex
	started []models.ClusterSize
	fail    error
}

func (f *fakeJobs) CanResize(c *models.Cluster) error {
	if c.Driver != "openstack" {
		return models.Errorf(models.CodeInvalid, "the panel did not make cluster %s's workers", c.Name)
	}
	return nil
}

func (f *fakeJobs) EnqueueResize(_ context.Context, c *models.Cluster, size models.ClusterSize, by string) (*models.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	f.started = append(f.started, size)
	return &models.Job{ID: "job-" + c.Name, CreatedBy: by}, nil
}

// fakeClusters holds registered clusters by ID.
type fakeClusters map[string]*models.Cluster

func (f fakeClusters) Get(_ context.Context, id string) (*models.Cluster, error) {
	if c, ok := f[id]; ok {
		return c, nil
	}
	return nil, models.Errorf(models.CodeNotFound, "cluster not found")
}

// fakeAudit keeps the entries it was given.
type fakeAudit struct {
	mu      sync.Mutex
	entries []string
}

func (f *fakeAudit) Record(_ context.Context, actor models.Principal, action, clusterID, target string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	result := "ok"
	if err != nil {
		result = string(models.ErrorCode(err))
	}
	f.entries = append(f.entries, actor.Username+" "+action+" "+result)
}

type world struct {
	svc    *Service
	store  *fakeStore
	jobs   *fakeJobs
	audit  *fakeAudit
	cloud  *models.Cluster
	local  *models.Cluster
	admin  models.Principal
	oper   models.Principal
	before time.Time
}

func newWorld() *world {
	w := &world{
		store: newFakeStore(), jobs: &fakeJobs{}, audit: &fakeAudit{},
		cloud: &models.Cluster{ID: "c1", Name: "prod", Driver: "openstack", Size: models.DefaultClusterSize},
		local: &models.Cluster{ID: "c2", Name: "dev", Driver: "local", Size: models.DefaultClusterSize},
		admin: models.Principal{UserID: "u1", Username: "alice"},
		oper:  models.Principal{UserID: "u2", Username: "oscar"},
	}
	w.svc = NewService(w.store, w.jobs, fakeClusters{"c1": w.cloud, "c2": w.local}, w.audit)
	w.svc.now = func() time.Time { return time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC) }
	return w
}

func TestRequestRules(t *testing.T) {
	cases := []struct {
		name    string
		cluster func(*world) *models.Cluster
		change  Change
		code    models.Code
	}{
		{"more workers", func(w *world) *models.Cluster { return w.cloud }, Change{Workers: 4, Reason: "black friday"}, ""},
		{"fewer workers of a new size", func(w *world) *models.Cluster { return w.cloud }, Change{Workers: 1, WorkerVCPU: 8}, ""},
		{"same size", func(w *world) *models.Cluster { return w.cloud }, Change{Workers: 3}, models.CodeInvalid},
		{"no workers", func(w *world) *models.Cluster { return w.cloud }, Change{Workers: 0}, models.CodeInvalid},
		{"too many", func(w *world) *models.Cluster { return w.cloud }, Change{Workers: 101}, models.CodeInvalid},
		{"a disk too small", func(w *world) *models.Cluster { return w.cloud }, Change{Workers: 4, WorkerDiskGB: 5}, models.CodeInvalid},
		{"a control-plane-only cluster", func(w *world) *models.Cluster { return w.local }, Change{Workers: 4}, models.CodeInvalid},
		{"a reason too long", func(w *world) *models.Cluster { return w.cloud }, Change{Workers: 4, Reason: string(make([]rune, 1001))}, models.CodeInvalid},
		{"a reason not UTF-8", func(w *world) *models.Cluster { return w.cloud }, Change{Workers: 4, Reason: "\xff"}, models.CodeInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld()
			r, err := w.svc.Request(context.Background(), w.admin, tc.cluster(w), tc.change)
			if got := models.ErrorCode(err); tc.code != "" && got != tc.code || tc.code == "" && err != nil {
				t.Fatalf("Request: %v (code %q), want code %q", err, got, tc.code)
			}
			n, _ := w.store.ResizeRequests(context.Background(), models.ResizeFilter{})
			if tc.code != "" {
				if len(n) != 0 {
					t.Errorf("a refused request was stored: %+v", n)
				}
				return
			}
			if r.Status != models.ResizePending || r.Size.Workers != tc.change.Workers || r.RequesterName != "alice" || len(n) != 1 {
				t.Errorf("request = %+v, stored %d", r, len(n))
			}
			if tc.change.WorkerVCPU != 0 && r.Size.WorkerVCPU != tc.change.WorkerVCPU {
				t.Errorf("new workers' vCPUs = %d, want %d", r.Size.WorkerVCPU, tc.change.WorkerVCPU)
			}
			if tc.change.WorkerVCPU == 0 && r.Size.WorkerVCPU != models.DefaultClusterSize.WorkerVCPU {
				t.Errorf("an unchanged worker size became %d vCPUs", r.Size.WorkerVCPU)
			}
			if len(w.jobs.started) != 0 {
				t.Errorf("a request started a job: %v", w.jobs.started)
			}
		})
	}
}

func TestOnePendingRequestPerCluster(t *testing.T) {
	w := newWorld()
	ctx := context.Background()
	if _, err := w.svc.Request(ctx, w.admin, w.cloud, Change{Workers: 4}); err != nil {
		t.Fatal(err)
	}
	_, err := w.svc.Request(ctx, w.admin, w.cloud, Change{Workers: 5})
	if models.ErrorCode(err) != models.CodeConflict {
		t.Fatalf("second pending request: %v, want CONFLICT", err)
	}
	want := []string{"alice cluster.resize-request ok", "alice cluster.resize-request CONFLICT"}
	if len(w.audit.entries) != 2 || w.audit.entries[0] != want[0] || w.audit.entries[1] != want[1] {
		t.Errorf("audit = %q, want %q", w.audit.entries, want)
	}
}

func TestApproveStartsOneJob(t *testing.T) {
	w := newWorld()
	ctx := context.Background()
	r, err := w.svc.Request(ctx, w.admin, w.cloud, Change{Workers: 5, WorkerRAMGB: 16})
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.svc.Approve(ctx, w.oper, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != models.ResizeApproved || got.JobID != "job-prod" || got.DeciderName != "oscar" || got.DecidedAt == nil {
		t.Errorf("approved request = %+v", got)
	}
	stored, _ := w.store.ResizeRequest(ctx, r.ID)
	if stored.JobID != "job-prod" || stored.Status != models.ResizeApproved {
		t.Errorf("stored request = %+v", stored)
	}
	if len(w.jobs.started) != 1 || w.jobs.started[0].Workers != 5 || w.jobs.started[0].WorkerRAMGB != 16 {
		t.Errorf("jobs = %+v, want one to 5 workers of 16 GB", w.jobs.started)
	}
	// Deciding again is a CONFLICT and starts nothing.
	if _, err := w.svc.Approve(ctx, w.oper, r.ID); models.ErrorCode(err) != models.CodeConflict {
		t.Errorf("second approval: %v, want CONFLICT", err)
	}
	if _, err := w.svc.Decline(ctx, w.oper, r.ID, "too late"); models.ErrorCode(err) != models.CodeConflict {
		t.Errorf("decline after approval: %v, want CONFLICT", err)
	}
	if len(w.jobs.started) != 1 {
		t.Errorf("%d jobs, want 1", len(w.jobs.started))
	}
	// Once decided, the cluster may have a new pending request.
	if _, err := w.svc.Request(ctx, w.admin, w.cloud, Change{Workers: 6}); err != nil {
		t.Errorf("a request after the decision: %v", err)
	}
}

func TestConcurrentApprovalsStartOneJob(t *testing.T) {
	w := newWorld()
	ctx := context.Background()
	r, err := w.svc.Request(ctx, w.admin, w.cloud, Change{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.svc.Approve(ctx, w.oper, r.ID)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if models.ErrorCode(err) != models.CodeConflict {
			t.Errorf("a losing approval: %v, want CONFLICT", err)
		}
	}
	if ok != 1 || len(w.jobs.started) != 1 {
		t.Errorf("%d approvals succeeded and %d jobs started, want 1 and 1", ok, len(w.jobs.started))
	}
}

func TestFailedEnqueueLeavesTheRequestPending(t *testing.T) {
	w := newWorld()
	ctx := context.Background()
	r, err := w.svc.Request(ctx, w.admin, w.cloud, Change{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	w.jobs.fail = models.Errorf(models.CodeUnavailable, "the job store is unavailable")
	if _, err := w.svc.Approve(ctx, w.oper, r.ID); models.ErrorCode(err) != models.CodeUnavailable {
		t.Fatalf("approve: %v, want UNAVAILABLE", err)
	}
	stored, _ := w.store.ResizeRequest(ctx, r.ID)
	if stored.Status != models.ResizePending || stored.DeciderName != "" {
		t.Errorf("after a failed approval the request is %+v, want pending", stored)
	}
	w.jobs.fail = nil
	if _, err := w.svc.Approve(ctx, w.oper, r.ID); err != nil {
		t.Errorf("second approval: %v", err)
	}
}

func TestDecline(t *testing.T) {
	cases := []struct {
		name   string
		id     func(r *models.ResizeRequest) string
		reason string
		code   models.Code
	}{
		{"with a reason", func(r *models.ResizeRequest) string { return r.ID }, "  over budget ", ""},
		{"without a reason", func(r *models.ResizeRequest) string { return r.ID }, "   ", models.CodeInvalid},
		{"an unknown request", func(*models.ResizeRequest) string { return "5b0f6b1e-0000-4000-8000-000000000000" }, "no", models.CodeNotFound},
		{"not an ID", func(*models.ResizeRequest) string { return "../../etc" }, "no", models.CodeNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld()
			ctx := context.Background()
			r, err := w.svc.Request(ctx, w.admin, w.cloud, Change{Workers: 4})
			if err != nil {
				t.Fatal(err)
			}
			got, err := w.svc.Decline(ctx, w.oper, tc.id(r), tc.reason)
			if models.ErrorCode(err) != tc.code && !(tc.code == "" && err == nil) {
				t.Fatalf("Decline: %v, want %q", err, tc.code)
			}
			stored, _ := w.store.ResizeRequest(ctx, r.ID)
			if tc.code != "" {
				if stored.Status != models.ResizePending {
					t.Errorf("a refused decline changed the request: %+v", stored)
				}
				return
			}
			if got.Status != models.ResizeDeclined || got.DecisionReason != "over budget" || stored.Status != models.ResizeDeclined {
				t.Errorf("declined = %+v, stored %+v", got, stored)
			}
			if len(w.jobs.started) != 0 {
				t.Errorf("a decline started a job")
			}
		})
	}
}

func TestApproveRechecksTheCluster(t *testing.T) {
	w := newWorld()
	ctx := context.Background()
	r, err := w.svc.Request(ctx, w.admin, w.cloud, Change{Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	// Meanwhile an operator resized the cluster to exactly that.
	w.cloud.Size.Workers = 4
	if _, err := w.svc.Approve(ctx, w.oper, r.ID); models.ErrorCode(err) != models.CodeInvalid {
		t.Fatalf("approve a request the cluster already meets: %v, want INVALID", err)
	}
	if len(w.jobs.started) != 0 {
		t.Errorf("a job started")
	}
}

func TestListRefusesAnUnknownStatus(t *testing.T) {
	w := newWorld()
	if _, err := w.svc.List(context.Background(), models.ResizeFilter{Status: "MAYBE"}); models.ErrorCode(err) != models.CodeInvalid {
		t.Errorf("List(MAYBE): %v, want INVALID", err)
	}
}
