package resolvers

import (
	"context"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"kaas/audit"
	"kaas/clusters"
	"kaas/graph/model"
	"kaas/models"
	"kaas/rbac"
)

// signedIn is a Sessions whose caller is fixed (or nobody, with err).
type signedIn struct {
	Sessions
	caller models.Identity
	err    error
}

func (s signedIn) Viewer(context.Context) (models.Identity, error) { return s.caller, s.err }

// registry is a Clusters of fixed clusters; operators and admins are named by user ID.
type registry struct {
	Clusters
	clusters  map[string]*models.Cluster
	active    string // the active cluster's ID, "" for none
	operators map[string]bool
	admins    map[string]string // user ID → the cluster ID they administer
	gets      atomic.Int32      // Get calls
}

func (r *registry) IsOperator(id models.Identity) bool { return r.operators[id.UserID] }

func (r *registry) IsAdmin(id models.Identity, c *models.Cluster) bool {
	return c != nil && r.admins[id.UserID] == c.ID
}

func (r *registry) Get(_ context.Context, id string) (*models.Cluster, error) {
	r.gets.Add(1)
	if c, ok := r.clusters[id]; ok {
		return c, nil
	}
	return nil, models.Errorf(models.CodeNotFound, "cluster not found")
}

func (r *registry) Active(_ context.Context, _ string) (*models.Cluster, error) {
	return r.clusters[r.active], nil
}

func (r *registry) Client(*models.Cluster) (clusters.Client, error) { return panelClient{}, nil }

// panelClient stands for the cluster client the registry hands out; bindingService
// never calls it.
type panelClient struct{ clusters.Client }

// recordedAction is one entry a trail recorded.
type recordedAction struct {
	actor, action, cluster, target string
	code                           models.Code
}

// trail is an AuditTrail that keeps recorded actions and pages through fixed entries
// with the real scope decision (audit.Recorder over entryStore).
type trail struct {
	recorded []recordedAction
	pages    *audit.Recorder
}

func (t *trail) Record(_ context.Context, actor models.Principal, action, clusterID, target string, err error) {
	t.recorded = append(t.recorded, recordedAction{actor.UserID, action, clusterID, target, models.ErrorCode(err)})
}

func (t *trail) Page(ctx context.Context, access audit.Access, q audit.Query) (audit.Page, error) {
	return t.pages.Page(ctx, access, q)
}

// entryStore is an audit.Store of fixed entries; it keeps the filters asked for.
type entryStore struct {
	entries []models.AuditEntry
	filters []models.AuditFilter
}

func (s *entryStore) AddAudit(context.Context, *models.AuditEntry) error { return nil }

func (s *entryStore) Audit(_ context.Context, f models.AuditFilter) ([]models.AuditEntry, error) {
	s.filters = append(s.filters, f)
	return s.entries[:min(f.Limit, len(s.entries))], nil
}

// bindingService is a Bindings that creates and deletes whatever it is asked to, or
// fails with err; it keeps the inputs.
type bindingService struct {
	Bindings
	err     error
	created []rbac.CreateInput
	deleted []string
}

func (b *bindingService) Create(_ context.Context, cluster rbac.Cluster, in rbac.CreateInput) (rbac.Binding, error) {
	if cluster == nil {
		return rbac.Binding{}, models.Errorf(models.CodeInternal, "no cluster client")
	}
	b.created = append(b.created, in)
	return rbac.Binding{Name: in.Name, Namespace: in.Namespace, RoleKind: "ClusterRole", RoleName: in.RoleName}, b.err
}

func (b *bindingService) Delete(_ context.Context, cluster rbac.Cluster, namespace, name string) error {
	b.deleted = append(b.deleted, models.BindingID(namespace, name))
	return b.err
}

func (b *bindingService) Roles(context.Context) ([]models.Role, error) {
	return []models.Role{{ID: "r1", Name: "developer"}}, nil
}

var (
	alice = models.Identity{UserID: "alice-id", Username: "alice"} // administers prod
	oscar = models.Identity{UserID: "oscar-id", Username: "oscar"} // operator
	bob   = models.Identity{UserID: "bob-id", Username: "bob"}     // nothing
)

func newResolver(caller models.Identity, callerErr error, active string, entries ...models.AuditEntry) (*Resolver, *trail, *bindingService, *entryStore) {
	reg := &registry{
		clusters:  map[string]*models.Cluster{"prod-id": {ID: "prod-id", Name: "prod"}, "dev-id": {ID: "dev-id", Name: "dev"}},
		active:    active,
		operators: map[string]bool{oscar.UserID: true},
		admins:    map[string]string{alice.UserID: "prod-id"},
	}
	store := &entryStore{entries: entries}
	tr := &trail{pages: audit.NewRecorder(store, slog.New(slog.DiscardHandler))}
	bs := &bindingService{}
	return &Resolver{Auth: signedIn{caller: caller, err: callerErr}, Registry: reg, Audit: tr, RBAC: bs}, tr, bs, store
}

func ptr[T any](v T) *T { return &v }

// TestClusterAdminGate checks the gate of every admin field (KeystoneRoles here): who
// passes, and that a refusal is recorded as access.denied on the cluster.
func TestClusterAdminGate(t *testing.T) {
	tests := []struct {
		name      string
		caller    models.Identity
		callerErr error
		clusterID *string
		active    string
		wantCode  models.Code
		recorded  []recordedAction
	}{
		{"admin of the named cluster", alice, nil, ptr("prod-id"), "", "", nil},
		{"admin of the active cluster", alice, nil, nil, "prod-id", "", nil},
		{"admin of another cluster", alice, nil, ptr("dev-id"), "", models.CodeForbidden,
			[]recordedAction{{alice.UserID, audit.ActionAccessDenied, "dev-id", "", models.CodeForbidden}}},
		{"operators do not administer clusters", oscar, nil, ptr("prod-id"), "", models.CodeForbidden,
			[]recordedAction{{oscar.UserID, audit.ActionAccessDenied, "prod-id", "", models.CodeForbidden}}},
		{"no cluster yet", alice, nil, nil, "", models.CodeNotFound, nil},
		{"unknown cluster", alice, nil, ptr("gone-id"), "", models.CodeNotFound, nil},
		{"nobody signed in", models.Identity{}, models.Errorf(models.CodeUnauthenticated, "sign in"), ptr("prod-id"), "", models.CodeUnauthenticated, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, tr, _, _ := newResolver(tt.caller, tt.callerErr, tt.active)
			roles, err := (&queryResolver{r}).KeystoneRoles(context.Background(), tt.clusterID)
			if got := models.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if tt.wantCode == "" && (len(roles) != 1 || roles[0].Name != "developer") {
				t.Fatalf("roles = %v", roles)
			}
			if !reflect.DeepEqual(tr.recorded, tt.recorded) {
				t.Fatalf("recorded %+v, want %+v", tr.recorded, tt.recorded)
			}
		})
	}
}

// TestBindingMutationsAreAudited checks the audit entry of each binding mutation, named by
// its binding ID, and that a failed one is recorded with its code.
func TestBindingMutationsAreAudited(t *testing.T) {
	tests := []struct {
		name       string
		serviceErr error
		mutate     func(m *mutationResolver) error
		want       recordedAction
	}{
		{"create a RoleBinding", nil, func(m *mutationResolver) error {
			b, err := m.CreateBinding(context.Background(), model.CreateBindingInput{ClusterID: ptr("prod-id"), Name: "devs", Namespace: ptr("shop"), RoleName: "view", SubjectKind: model.SubjectKindKeystoneRole, SubjectID: "r1"})
			if err == nil && (b.ID != "shop/devs" || *b.Namespace != "shop") {
				t.Errorf("binding = %+v", b)
			}
			return err
		}, recordedAction{alice.UserID, audit.ActionBindingCreate, "prod-id", "shop/devs → view", ""}},
		{"create refused by the service", models.Errorf(models.CodeInvalid, "bad name"), func(m *mutationResolver) error {
			_, err := m.CreateBinding(context.Background(), model.CreateBindingInput{ClusterID: ptr("prod-id"), Name: "Devs", RoleName: "view", SubjectKind: model.SubjectKindKeystoneRole, SubjectID: "r1"})
			return err
		}, recordedAction{alice.UserID, audit.ActionBindingCreate, "prod-id", "Devs → view", models.CodeInvalid}},
		{"delete a ClusterRoleBinding", nil, func(m *mutationResolver) error {
			ok, err := m.DeleteBinding(context.Background(), model.DeleteBindingInput{ClusterID: ptr("prod-id"), Name: "devs"})
			if err == nil && !ok {
				t.Error("DeleteBinding = false without an error")
			}
			return err
		}, recordedAction{alice.UserID, audit.ActionBindingDelete, "prod-id", "devs", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, tr, bs, _ := newResolver(alice, nil, "")
			bs.err = tt.serviceErr
			err := tt.mutate(&mutationResolver{r})
			if models.ErrorCode(err) != tt.want.code {
				t.Fatalf("err = %v, want code %q", err, tt.want.code)
			}
			if len(tr.recorded) != 1 || tr.recorded[0] != tt.want {
				t.Fatalf("recorded %+v, want %+v", tr.recorded, tt.want)
			}
		})
	}
}

// TestAuditEntriesScope checks the resolver's part of the audit page: the filter passed
// to the trail and the access the trail is given (a refused admin check is recorded).
func TestAuditEntriesScope(t *testing.T) {
	entries := []models.AuditEntry{{ID: 9}, {ID: 7}}
	tests := []struct {
		name        string
		caller      models.Identity
		filter      *model.AuditFilter
		first       *int
		wantCode    models.Code
		wantCluster string
		wantNext    *string
		denied      bool
	}{
		{"operator, whole trail", oscar, &model.AuditFilter{All: ptr(true)}, nil, "", "", nil, false},
		{"operator, one cluster", oscar, &model.AuditFilter{ClusterID: ptr("dev-id")}, nil, "", "dev-id", nil, false},
		{"admin, own cluster, full page", alice, &model.AuditFilter{ClusterID: ptr("prod-id")}, ptr(2), "", "prod-id", ptr("7"), false},
		{"admin, whole trail", alice, &model.AuditFilter{All: ptr(true)}, nil, models.CodeForbidden, "", nil, false},
		{"stranger, a cluster", bob, &model.AuditFilter{ClusterID: ptr("prod-id")}, nil, models.CodeForbidden, "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, tr, _, store := newResolver(tt.caller, nil, "")
			store.entries = entries
			page, err := (&queryResolver{r}).AuditEntries(context.Background(), tt.filter, tt.first, nil)
			if got := models.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if denied := len(tr.recorded) == 1 && tr.recorded[0].action == audit.ActionAccessDenied; denied != tt.denied {
				t.Fatalf("recorded %+v, access denied recorded = %v", tr.recorded, tt.denied)
			}
			if tt.wantCode != "" {
				return
			}
			if len(store.filters) != 1 || store.filters[0].ClusterID != tt.wantCluster {
				t.Fatalf("filters = %+v, want cluster %q", store.filters, tt.wantCluster)
			}
			if !reflect.DeepEqual(page.NextBefore, tt.wantNext) || len(page.Entries) == 0 {
				t.Fatalf("page = %+v (next %v), want next %v", page, page.NextBefore, tt.wantNext)
			}
		})
	}
}

func TestClusterSize(t *testing.T) {
	tests := []struct {
		name string
		in   *model.ClusterSizeInput
		want *models.ClusterSize
	}{
		{"none", nil, nil},
		{"all defaults", &model.ClusterSizeInput{}, &models.DefaultClusterSize},
		{"some given", &model.ClusterSizeInput{Workers: ptr(5), WorkerDiskGb: ptr(100)}, &models.ClusterSize{Workers: 5, WorkerVCPU: 4, WorkerRAMGB: 8, WorkerDiskGB: 100, RegistryDBGB: 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clusterSize(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("clusterSize = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestListRowsReadEachClusterOnce resolves the cluster fields of 60 audit entries and 60
// resize requests naming 3 clusters and a deleted one, concurrently as gqlgen resolves a
// list's fields, in one operation (WithLookups): each cluster is read once, not once per
// row and field. Without the memo every field reads it.
func TestListRowsReadEachClusterOnce(t *testing.T) {
	reg := &registry{clusters: map[string]*models.Cluster{
		"c1": {ID: "c1", Name: "one", Size: models.ClusterSize{Workers: 1}},
		"c2": {ID: "c2", Name: "two", Size: models.ClusterSize{Workers: 2}},
		"c3": {ID: "c3", Name: "three", Size: models.ClusterSize{Workers: 3}},
	}}
	r := &Resolver{Registry: reg}
	audits, resizes := &auditEntryResolver{r}, &resizeRequestResolver{r}
	ids := []string{"c1", "c2", "c3", "gone"}
	ctx := WithLookups(context.Background())
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			id := ids[i%len(ids)]
			want := reg.clusters[id]
			name, err := audits.ClusterName(ctx, &models.AuditEntry{ClusterID: id})
			if err != nil || (name == nil) != (want == nil) || want != nil && *name != want.Name {
				t.Errorf("audit entry of %s: cluster name %v, %v", id, name, err)
			}
			req := &models.ResizeRequest{ClusterID: id}
			name, err = resizes.ClusterName(ctx, req)
			if err != nil || (name == nil) != (want == nil) || want != nil && *name != want.Name {
				t.Errorf("resize request of %s: cluster name %v, %v", id, name, err)
			}
			from, err := resizes.From(ctx, req)
			if err != nil || (from == nil) != (want == nil) || want != nil && from.Workers != want.Size.Workers {
				t.Errorf("resize request of %s: from %v, %v", id, from, err)
			}
		})
	}
	wg.Wait()
	if got := reg.gets.Load(); got != int32(len(ids)) {
		t.Errorf("%d cluster reads for 180 fields naming %d clusters, want %d", got, len(ids), len(ids))
	}
	reg.gets.Store(0)
	for range 3 {
		if _, err := audits.ClusterName(context.Background(), &models.AuditEntry{ClusterID: "c1"}); err != nil {
			t.Fatal(err)
		}
	}
	if got := reg.gets.Load(); got != 3 {
		t.Errorf("without the memo: %d reads for 3 fields, want 3", got)
	}
}
