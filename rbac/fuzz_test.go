package rbac_test

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/validation/path"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"kaas/identity"
	"kaas/kube"
	"kaas/models"
	"kaas/rbac"
)

const fuzzRoleID = "5f0e5b1c7d2a4c1e9f3b8a6d4e2c1b0a"

// keystone knows one role and one user, and records IDs it is asked for that would not
// be a single segment of a Keystone URL path.
type keystone struct{ unsafe []string }

func (k *keystone) Roles(context.Context) ([]models.Role, error) {
	return []models.Role{{ID: fuzzRoleID, Name: "member"}}, nil
}

func (k *keystone) SearchUsers(context.Context, string, int, int) (models.KeystoneUserPage, error) {
	return models.KeystoneUserPage{}, nil
}

func (k *keystone) User(_ context.Context, id string) (models.Identity, error) {
	if !urlSegment(id) {
		k.unsafe = append(k.unsafe, id)
	}
	if id == "u1" {
		return models.Identity{UserID: "u1", Username: "alice", Domain: "Default", DomainID: "default", Enabled: true}, nil
	}
	return models.Identity{}, models.Errorf(models.CodeNotFound, "no user")
}

func urlSegment(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/?#%\\") &&
		!strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f })
}

// FuzzBindings runs createBinding's and deleteBinding's inputs (name, namespace, role,
// subject kind and ID) through the rbac service on a fake cluster. Bad input is INVALID
// (CONFLICT, NOT_FOUND or FORBIDDEN where those apply) and changes nothing; every name
// that reaches the cluster is one client-go can put in a URL path, and every ID that
// reaches Keystone is one URL path segment; a created binding obeys the rules.
func FuzzBindings(f *testing.F) {
	for _, s := range []struct{ name, ns, role, kind, subject string }{
		{"team-view", "", "view", rbac.SubjectRole, fuzzRoleID},
		{"team-view", "team-a", "view", rbac.SubjectUser, "u1"},
		{"x", "kube-system", "view", rbac.SubjectRole, fuzzRoleID},
		{"system:x", "", "view", rbac.SubjectRole, fuzzRoleID},
		{"kaas:default-cluster-admin", "", "cluster-admin", rbac.SubjectRole, fuzzRoleID},
		{"a", "", "a/b", rbac.SubjectRole, fuzzRoleID},
		{"a", "", "..", rbac.SubjectRole, fuzzRoleID},
		{"a", "", "view", rbac.SubjectUser, "../projects"},
		{"a", "", "view", rbac.SubjectUser, "u1?x=1"},
		{"a", "no-such-ns", "view", rbac.SubjectRole, "nope"},
		{"a", "Team", "view", "GROUP", fuzzRoleID},
		{strings.Repeat("a", 254), "", "view", rbac.SubjectRole, fuzzRoleID},
		{" a ", " team-a ", " view ", rbac.SubjectRole, " " + fuzzRoleID + " "},
		{"a", "", "system:aggregate-to-view", rbac.SubjectRole, fuzzRoleID},
	} {
		f.Add(s.name, s.ns, s.role, s.kind, s.subject)
	}
	cs := fake.NewClientset(
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "view"}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "cluster-admin"}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "system:aggregate-to-view"}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: models.DefaultAdminBinding}, RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "cluster-admin"}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kube-system"}},
	)
	// The real client refuses (with an error the panel can only call INTERNAL) a name
	// that is not a URL path segment; the fake records it instead.
	var unsafeNames []string
	creates := 0
	cs.PrependReactor("*", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		var name string
		if a.GetVerb() == "create" {
			creates++
		}
		switch a := a.(type) {
		case k8stesting.GetAction:
			name = a.GetName()
		case k8stesting.DeleteAction:
			name = a.GetName()
		case k8stesting.CreateAction:
			if o, ok := a.GetObject().(metav1.Object); ok {
				name = o.GetName()
			}
		}
		if ns := a.GetNamespace(); ns != "" && len(path.IsValidPathSegmentName(ns)) > 0 {
			unsafeNames = append(unsafeNames, ns)
		}
		if len(path.IsValidPathSegmentName(name)) > 0 {
			unsafeNames = append(unsafeNames, name)
		}
		return false, nil, nil
	})
	ks := &keystone{}
	svc := rbac.New(ks, identity.NewUsernameRule("Default"))
	ctx := context.Background()
	cluster := kube.NewCluster(cs, nil)

	f.Fuzz(func(t *testing.T, name, namespace, role, kind, subject string) {
		unsafeNames, ks.unsafe, creates = unsafeNames[:0], ks.unsafe[:0], 0
		b, err := svc.Create(ctx, cluster, rbac.CreateInput{Name: name, Namespace: namespace, RoleName: role, SubjectKind: kind, SubjectID: subject})
		if len(unsafeNames) > 0 || len(ks.unsafe) > 0 {
			t.Fatalf("Create(%q, %q, %q, %q, %q) sent %q to the cluster and %q to Keystone", name, namespace, role, kind, subject, unsafeNames, ks.unsafe)
		}
		if err != nil {
			c := models.ErrorCode(err)
			if c != models.CodeInvalid && c != models.CodeConflict {
				t.Fatalf("Create = %v (%s), want INVALID or CONFLICT", err, c)
			}
			// Bad input changes nothing: no create reaches the cluster, but the one the
			// cluster refuses as a duplicate.
			if creates > 0 && c != models.CodeConflict {
				t.Fatalf("a refused Create sent %d creates to the cluster", creates)
			}
		} else {
			checkCreated(t, cs, b)
		}

		err = svc.Delete(ctx, cluster, namespace, name)
		if len(unsafeNames) > 0 {
			t.Fatalf("Delete(%q, %q) sent %q to the cluster", namespace, name, unsafeNames)
		}
		switch c := models.ErrorCode(err); {
		case err == nil:
			if b.Name == "" || b.Name != strings.TrimSpace(name) || b.Namespace != strings.TrimSpace(namespace) {
				t.Fatalf("Delete(%q, %q) removed a binding the panel did not create now", namespace, name)
			}
		case c != models.CodeInvalid && c != models.CodeNotFound && c != models.CodeForbidden:
			t.Fatalf("Delete = %v (%s)", err, c)
		}
		// Whatever this input made is gone before the next one, so no input's verdict
		// depends on an earlier one's leftovers.
		if b.Name != "" {
			if _, err := cluster.GetBinding(ctx, b.Namespace, b.Name); models.ErrorCode(err) != models.CodeNotFound {
				t.Fatalf("Delete(%q, %q) left the binding it was asked to remove (%v)", namespace, name, err)
			}
		}
	})
}

func checkCreated(t *testing.T, cs *fake.Clientset, b rbac.Binding) {
	t.Helper()
	var ref rbacv1.RoleRef
	var subjects []rbacv1.Subject
	if b.Namespace == "" {
		o, err := cs.RbacV1().ClusterRoleBindings().Get(context.Background(), b.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("created binding %q not found: %v", b.Name, err)
		}
		ref, subjects = o.RoleRef, o.Subjects
	} else {
		o, err := cs.RbacV1().RoleBindings(b.Namespace).Get(context.Background(), b.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("created binding %s/%s not found: %v", b.Namespace, b.Name, err)
		}
		ref, subjects = o.RoleRef, o.Subjects
	}
	switch {
	case strings.HasPrefix(b.Name, "system:") || b.Name == models.DefaultAdminBinding || len(b.Name) > 253:
		t.Fatalf("created the binding name %q", b.Name)
	case models.IsProtectedNamespace(b.Namespace):
		t.Fatalf("created a binding in %q", b.Namespace)
	case ref.Kind != "ClusterRole" || (ref.Name != "view" && ref.Name != "cluster-admin" && ref.Name != "system:aggregate-to-view"):
		t.Fatalf("created a binding to %+v", ref)
	case len(subjects) != 1:
		t.Fatalf("created subjects %+v", subjects)
	case !(subjects[0].Kind == rbacv1.GroupKind && subjects[0].Name == fuzzRoleID) && !(subjects[0].Kind == rbacv1.UserKind && subjects[0].Name == "alice"):
		t.Fatalf("created the subject %+v", subjects[0])
	}
}
