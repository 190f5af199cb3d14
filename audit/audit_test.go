package audit

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"kaas/models"
)

// memoryStore is a Store that keeps entries in a slice and remembers the last filter.
type memoryStore struct {
	added   []models.AuditEntry
	listed  []models.AuditFilter
	entries []models.AuditEntry
	addErr  error
	// ctxErrs are the contexts' errors AddAudit was called with.
	ctxErrs []error
}

func (s *memoryStore) AddAudit(ctx context.Context, e *models.AuditEntry) error {
	s.ctxErrs = append(s.ctxErrs, ctx.Err())
	if s.addErr != nil {
		return s.addErr
	}
	s.added = append(s.added, *e)
	return nil
}

func (s *memoryStore) Audit(ctx context.Context, f models.AuditFilter) ([]models.AuditEntry, error) {
	s.listed = append(s.listed, f)
	n := min(f.Limit, len(s.entries))
	return s.entries[:n], nil
}

// fixedAccess is an Access with fixed answers; it counts AdministeredCluster calls.
type fixedAccess struct {
	caller      models.Identity
	callerErr   error
	operator    bool
	administers string // the cluster AdministeredCluster returns
	adminErr    error
	adminAsked  []*string
}

func (a *fixedAccess) Caller(ctx context.Context) (models.Identity, error) {
	return a.caller, a.callerErr
}

func (a *fixedAccess) IsOperator(models.Identity) bool { return a.operator }

func (a *fixedAccess) AdministeredCluster(ctx context.Context, clusterID *string) (string, error) {
	a.adminAsked = append(a.adminAsked, clusterID)
	return a.administers, a.adminErr
}

func ptr[T any](v T) *T { return &v }

func TestPageScope(t *testing.T) {
	forbidden := models.Errorf(models.CodeForbidden, "only admins of cluster c may do this")
	tests := []struct {
		name        string
		access      fixedAccess
		query       Query
		wantCode    models.Code // "" for success
		wantCluster string      // the filter's ClusterID
		askedAdmin  bool
	}{
		{"operator sees the whole trail", fixedAccess{operator: true}, Query{All: true}, "", "", false},
		{"non-operator asking for the whole trail is refused", fixedAccess{administers: "c1"}, Query{All: true}, models.CodeForbidden, "", false},
		{"operator names any cluster", fixedAccess{operator: true}, Query{ClusterID: ptr("c9")}, "", "c9", false},
		{"operator without a cluster sees the active one they administer", fixedAccess{operator: true, administers: "c1"}, Query{}, "", "c1", true},
		{"admin sees their cluster", fixedAccess{administers: "c2"}, Query{ClusterID: ptr("c2")}, "", "c2", true},
		{"non-admin is refused", fixedAccess{adminErr: forbidden}, Query{ClusterID: ptr("c3")}, models.CodeForbidden, "", true},
		{"nobody signed in", fixedAccess{callerErr: models.Errorf(models.CodeUnauthenticated, "sign in")}, Query{All: true}, models.CodeUnauthenticated, "", false},
		{"page size too large", fixedAccess{operator: true}, Query{All: true, First: ptr(MaxPageSize + 1)}, models.CodeInvalid, "", false},
		{"page size zero", fixedAccess{operator: true}, Query{All: true, First: ptr(0)}, models.CodeInvalid, "", false},
		{"cursor not an ID", fixedAccess{operator: true}, Query{All: true, Before: ptr("abc")}, models.CodeInvalid, "", false},
		{"cursor zero", fixedAccess{operator: true}, Query{All: true, Before: ptr("0")}, models.CodeInvalid, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &memoryStore{}
			r := NewRecorder(store, slog.New(slog.DiscardHandler))
			_, err := r.Page(context.Background(), &tt.access, tt.query)
			if got := models.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if asked := len(tt.access.adminAsked) > 0; asked != tt.askedAdmin {
				t.Errorf("asked whether the caller administers a cluster = %v, want %v", asked, tt.askedAdmin)
			}
			if tt.wantCode != "" {
				if len(store.listed) != 0 {
					t.Errorf("a refused page read the store: %+v", store.listed)
				}
				return
			}
			if len(store.listed) != 1 || store.listed[0].ClusterID != tt.wantCluster {
				t.Fatalf("filters = %+v, want one for cluster %q", store.listed, tt.wantCluster)
			}
		})
	}
}

func TestPageFilterAndCursor(t *testing.T) {
	entries := []models.AuditEntry{{ID: 30}, {ID: 20}, {ID: 10}}
	tests := []struct {
		name       string
		query      Query
		wantLimit  int
		wantBefore int64
		wantNext   string
	}{
		{"default page size, not full", Query{All: true}, DefaultPageSize, 0, ""},
		{"full page gives the next cursor", Query{All: true, First: ptr(2)}, 2, 0, "20"},
		{"cursor and filters pass through", Query{All: true, First: ptr(3), Before: ptr("31"), Action: "login", Actor: "alice"}, 3, 31, "10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &memoryStore{entries: entries}
			r := NewRecorder(store, slog.New(slog.DiscardHandler))
			p, err := r.Page(context.Background(), &fixedAccess{operator: true}, tt.query)
			if err != nil {
				t.Fatal(err)
			}
			f := store.listed[0]
			if f.Limit != tt.wantLimit || f.Before != tt.wantBefore || f.Action != tt.query.Action || f.ActorName != tt.query.Actor {
				t.Errorf("filter = %+v", f)
			}
			if p.NextBefore != tt.wantNext {
				t.Errorf("NextBefore = %q, want %q", p.NextBefore, tt.wantNext)
			}
		})
	}
}

func TestRecord(t *testing.T) {
	alice := models.Principal{UserID: "u1", Username: "alice", Domain: "Corp", DomainID: "d1"}
	tests := []struct {
		name       string
		names      func(username, domain, domainID string) string
		target     string
		err        error
		wantName   string
		wantResult string
		wantDetail string
		wantTarget int // length
	}{
		{"success", nil, "t", nil, "alice", "ok", "", 1},
		{"the trail's name rule", func(u, d, _ string) string { return d + "\\" + u }, "t", nil, "Corp\\alice", "ok", "", 1},
		{"failure keeps the code and public message", nil, "t", models.Errorf(models.CodeForbidden, "only admins"), "alice", "FORBIDDEN", "only admins", 1},
		{"internal failure hides its cause", nil, "t", errors.New("db password wrong"), "alice", "INTERNAL", "internal error", 1},
		{"long target is cut", nil, strings.Repeat("x", 600), nil, "alice", "ok", "", 512},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &memoryStore{}
			r := NewRecorder(store, slog.New(slog.DiscardHandler))
			r.Names = tt.names
			r.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)) }
			r.Record(context.Background(), alice, ActionLogin, "c1", tt.target, tt.err)
			if len(store.added) != 1 {
				t.Fatalf("entries = %d", len(store.added))
			}
			e := store.added[0]
			if e.ActorName != tt.wantName || e.Result != tt.wantResult || e.Detail != tt.wantDetail || len(e.Target) != tt.wantTarget ||
				e.ActorID != "u1" || e.ClusterID != "c1" || e.Action != ActionLogin || e.At.Location() != time.UTC {
				t.Errorf("entry = %+v", e)
			}
		})
	}
}

// TestRecordSurvivesCancellation writes the entry of an action whose request was
// cancelled, and only logs a store failure.
func TestRecordSurvivesCancellation(t *testing.T) {
	store := &memoryStore{}
	r := NewRecorder(store, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r.Record(ctx, models.Principal{UserID: "u1"}, ActionSessionsEnd, "", "", nil)
	if len(store.added) != 1 || store.ctxErrs[0] != nil {
		t.Fatalf("entries = %d, store context error %v: want the cancelled request's entry written", len(store.added), store.ctxErrs)
	}
	failing := &memoryStore{addErr: errors.New("disk full")}
	NewRecorder(failing, slog.New(slog.DiscardHandler)).Record(context.Background(), models.Principal{}, ActionLogin, "", "", nil)
}
