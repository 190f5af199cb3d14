package rbac_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"kaas/kube"
	"kaas/models"
	"kaas/rbac"
)

// fakeKeystone is a FAKE Keystone that counts how often the role list is read.
type fakeKeystone struct {
	mu        sync.Mutex
	roles     []models.Role
	roleLists atomic.Int32
}

func (k *fakeKeystone) Roles(context.Context) ([]models.Role, error) {
	k.roleLists.Add(1)
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]models.Role(nil), k.roles...), nil
}

func (k *fakeKeystone) User(context.Context, string) (models.Identity, error) {
	return models.Identity{}, models.Errorf(models.CodeNotFound, "no user")
}

func (k *fakeKeystone) SearchUsers(context.Context, string, int, int) (models.KeystoneUserPage, error) {
	return models.KeystoneUserPage{}, nil
}

func (k *fakeKeystone) add(r models.Role) {
	k.mu.Lock()
	k.roles = append(k.roles, r)
	k.mu.Unlock()
}

type plainNames struct{}

func (plainNames) Of(id models.Identity) (string, error) { return id.Username, nil }

func (plainNames) Split(name string) (string, string) { return name, "Default" }

// clusterWithRoles is a FAKE cluster (client-go's fake clientset) holding ClusterRoles,
// counting the list calls it answers.
func clusterWithRoles(t *testing.T, lists *atomic.Int32, names ...string) *fake.Clientset {
	t.Helper()
	var objs []runtime.Object
	for _, n := range names {
		role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: n}}
		if n != "view" { // view stays empty, as where no controller manager aggregates it
			role.Rules = []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}}
		}
		objs = append(objs, role)
	}
	cs := fake.NewClientset(objs...)
	cs.PrependReactor("list", "clusterroles", func(k8stesting.Action) (bool, runtime.Object, error) {
		lists.Add(1)
		return false, nil, nil
	})
	return cs
}

// TestUpstreamAnswersAreShared asks for the role list and a cluster's ClusterRoles many
// times, at once and in a row, and finds one upstream call each.
func TestUpstreamAnswersAreShared(t *testing.T) {
	ks := &fakeKeystone{roles: []models.Role{{ID: "r1", Name: "member"}}}
	svc := rbac.New(ks, plainNames{})
	var lists atomic.Int32
	cs := clusterWithRoles(t, &lists, "view", "edit", "system:node")
	ctx := context.Background()

	var wg sync.WaitGroup
	for range 30 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if rs, err := svc.Roles(ctx); err != nil || len(rs) != 1 {
				t.Errorf("roles = %v, %v", rs, err)
			}
		}()
		go func() {
			defer wg.Done()
			names, err := svc.ClusterRoles(ctx, "cluster-1", kube.NewCluster(cs, nil))
			if err != nil || len(names) != 2 || names[0] != "edit" || names[1] != "view" {
				t.Errorf("cluster roles = %v, %v", names, err)
			}
		}()
	}
	wg.Wait()
	if n := ks.roleLists.Load(); n != 1 {
		t.Errorf("Keystone's role list read %d times for 30 askers, want 1", n)
	}
	if empty, err := svc.EmptyClusterRoles(ctx, "cluster-1", kube.NewCluster(cs, nil)); err != nil || len(empty) != 1 || empty[0] != "view" {
		t.Errorf("empty cluster roles = %v, %v; want [view]", empty, err)
	}
	if n := lists.Load(); n != 1 {
		t.Errorf("ClusterRoles listed %d times for 31 askers, want 1", n)
	}

	// Another cluster has its own answer.
	var otherLists atomic.Int32
	other := clusterWithRoles(t, &otherLists, "admin")
	if names, err := svc.ClusterRoles(ctx, "cluster-2", kube.NewCluster(other, nil)); err != nil || len(names) != 1 || names[0] != "admin" {
		t.Fatalf("second cluster's roles = %v, %v", names, err)
	}
}

// TestARoleMadeSinceIsFound binds a Keystone role created after the role list was
// remembered: the binding is made, not refused as unknown.
func TestARoleMadeSinceIsFound(t *testing.T) {
	ks := &fakeKeystone{roles: []models.Role{{ID: "r1", Name: "member"}}}
	svc := rbac.New(ks, plainNames{})
	var lists atomic.Int32
	cs := clusterWithRoles(t, &lists, "view")
	ctx := context.Background()
	if _, err := svc.Roles(ctx); err != nil {
		t.Fatal(err)
	}
	ks.add(models.Role{ID: "r2", Name: "demo-cluster-admin"})

	tests := []struct {
		name, subject string
		code          models.Code
	}{
		{"a role made since the list was read", "r2", ""},
		{"a role Keystone does not have", "r404", models.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := svc.Create(ctx, kube.NewCluster(cs, nil), rbac.CreateInput{Name: "b-" + tt.subject, RoleName: "view", SubjectKind: rbac.SubjectRole, SubjectID: tt.subject})
			if got := models.ErrorCode(err); got != tt.code {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.code)
			}
			if tt.code == "" && (len(b.Subjects) != 1 || b.Subjects[0].Name != "demo-cluster-admin") {
				t.Fatalf("binding = %+v", b)
			}
		})
	}
	bs, err := svc.List(ctx, kube.NewCluster(cs, nil))
	if err != nil || len(bs) != 1 || bs[0].Subjects[0].Kind != rbac.SubjectRole || bs[0].Subjects[0].Name != "demo-cluster-admin" {
		t.Fatalf("bindings = %+v, %v", bs, err)
	}
}
