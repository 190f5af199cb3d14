package rbac

import (
	"context"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"kaas/identity"
	"kaas/kube"
	"kaas/models"
)

// keystoneStub stands in for Keystone in these unit tests of input checks and mapping;
// the real Keystone is searched in identity's tests and e2e's TestClusterAdministration.
type keystoneStub struct {
	searches int
	page     models.KeystoneUserPage
}

func (k *keystoneStub) Roles(context.Context) ([]models.Role, error) {
	return []models.Role{{ID: "r1", Name: "developers"}}, nil
}

func (k *keystoneStub) User(context.Context, string) (models.Identity, error) {
	return models.Identity{}, models.Errorf(models.CodeNotFound, "no")
}

func (k *keystoneStub) SearchUsers(_ context.Context, _ string, offset, _ int) (models.KeystoneUserPage, error) {
	k.searches++
	p := k.page
	p.Offset = offset
	return p, nil
}

func TestSearchUsersInput(t *testing.T) {
	cases := []struct {
		name          string
		query         string
		offset, limit int
		code          models.Code
	}{
		{"a name part", "ali", 0, 20, ""},
		{"empty lists everyone", "", 0, 20, ""},
		{"64 characters", strings.Repeat("x", 64), 0, 100, ""},
		{"65 characters", strings.Repeat("x", 65), 0, 20, models.CodeInvalid},
		{"a control character", "a\x00b", 0, 20, models.CodeInvalid},
		{"negative offset", "a", -1, 20, models.CodeInvalid},
		{"limit 0", "a", 0, 0, models.CodeInvalid},
		{"limit over the maximum", "a", 0, 101, models.CodeInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ks := &keystoneStub{}
			_, err := New(ks, identity.NewUsernameRule("Default")).SearchUsers(context.Background(), tc.query, tc.offset, tc.limit)
			if got := models.ErrorCode(err); got != tc.code {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.code)
			}
			if want := map[bool]int{true: 1, false: 0}[tc.code == ""]; ks.searches != want {
				t.Fatalf("Keystone searched %d times, want %d", ks.searches, want)
			}
		})
	}
}

func TestSearchUsersNamesKubernetesUsers(t *testing.T) {
	ks := &keystoneStub{page: models.KeystoneUserPage{Total: 3, Users: []models.KeystoneUser{
		{ID: "u1", Name: "alice", Domain: "Default", DomainID: "default"},
		{ID: "u2", Name: "alice", Domain: "eng", DomainID: "d2"},
		{ID: "u3", Name: "system:evil", Domain: "Default", DomainID: "default"},
	}}}
	page, err := New(ks, identity.NewUsernameRule("Default")).SearchUsers(context.Background(), "a", 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range page.Users {
		got = append(got, u.ID+"="+u.KubernetesName)
	}
	if strings.Join(got, " ") != "u1=alice u2=alice@eng u3=" || page.Total != 3 {
		t.Fatalf("users = %v total %d", got, page.Total)
	}
}

func TestListShowsUsersByNameAndDomain(t *testing.T) {
	binding := func(name string, ann map[string]string, subjects ...rbacv1.Subject) *rbacv1.ClusterRoleBinding {
		return &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: ann},
			RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "view"}, Subjects: subjects}
	}
	user := func(n string) rbacv1.Subject { return rbacv1.Subject{Kind: rbacv1.UserKind, Name: n} }
	cs := fake.NewClientset(
		binding("one-user", map[string]string{userIDsAnnotation: "u-ursula"}, user("ursula")),
		binding("other-domain", nil, user("alice@eng")),
		binding("two-users", map[string]string{userIDsAnnotation: "u-x"}, user("bob"), user("carol")),
		binding("group", nil, rbacv1.Subject{Kind: rbacv1.GroupKind, Name: "r1"}),
	)
	bs, err := New(&keystoneStub{}, identity.NewUsernameRule("Default")).List(context.Background(), kube.NewCluster(cs, nil))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, b := range bs {
		var parts []string
		for _, s := range b.Subjects {
			parts = append(parts, strings.Join([]string{s.Kind, s.ID, s.Name, s.Domain, s.KeystoneID}, "|"))
		}
		got[b.Name] = strings.Join(parts, " ")
	}
	want := map[string]string{
		"one-user":     "KEYSTONE_USER|ursula|ursula|Default|u-ursula",
		"other-domain": "KEYSTONE_USER|alice@eng|alice|eng|",
		// The annotation holds one ID: with two users it names neither.
		"two-users": "KEYSTONE_USER|bob|bob|Default| KEYSTONE_USER|carol|carol|Default|",
		"group":     "KEYSTONE_ROLE|r1|developers||r1",
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %q, want %q", name, got[name], w)
		}
	}
}
