package rbac_test

import (
	"context"
	"reflect"
	"testing"

	"kaas/models"
	"kaas/rbac"
)

// bindingCluster is an rbac.Cluster holding bindings in memory; it records what was
// created and deleted.
type bindingCluster struct {
	roles      []string
	namespaces []string
	bindings   []models.KubeBinding
	created    []models.KubeBinding
	deleted    []string
}

func (c *bindingCluster) Bindings(context.Context) ([]models.KubeBinding, error) {
	return c.bindings, nil
}

func (c *bindingCluster) ClusterRoles(context.Context) ([]models.KubeClusterRole, error) {
	var out []models.KubeClusterRole
	for _, r := range c.roles {
		out = append(out, models.KubeClusterRole{Name: r, Rules: 1})
	}
	return out, nil
}

func (c *bindingCluster) ClusterRoleExists(_ context.Context, name string) (bool, error) {
	return contains(c.roles, name), nil
}

func (c *bindingCluster) NamespaceExists(_ context.Context, name string) (bool, error) {
	return contains(c.namespaces, name), nil
}

func (c *bindingCluster) CreateBinding(_ context.Context, b models.KubeBinding) error {
	c.created = append(c.created, b)
	return nil
}

func (c *bindingCluster) GetBinding(_ context.Context, namespace, name string) (models.KubeBinding, error) {
	for _, b := range c.bindings {
		if b.Namespace == namespace && b.Name == name {
			return b, nil
		}
	}
	return models.KubeBinding{}, models.Errorf(models.CodeNotFound, "not found on the cluster")
}

func (c *bindingCluster) DeleteBinding(_ context.Context, namespace, name string) error {
	c.deleted = append(c.deleted, models.BindingID(namespace, name))
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// oneUser is a Keystone of one user, u-1 (alice).
type oneUser struct{ *fakeKeystone }

func (*oneUser) User(_ context.Context, id string) (models.Identity, error) {
	if id != "u-1" {
		return models.Identity{}, models.Errorf(models.CodeNotFound, "no user")
	}
	return models.Identity{UserID: "u-1", Username: "alice", Domain: "Default"}, nil
}

// TestCreateSendsTheBinding checks what Create asks the cluster to create.
func TestCreateSendsTheBinding(t *testing.T) {
	ks := &oneUser{&fakeKeystone{roles: []models.Role{{ID: "r-1", Name: "developer"}}}}
	tests := []struct {
		name     string
		in       rbac.CreateInput
		wantCode models.Code
		want     models.KubeBinding
	}{
		{"role subject, cluster-wide", rbac.CreateInput{Name: "devs", RoleName: "view", SubjectKind: rbac.SubjectRole, SubjectID: "r-1"}, "",
			models.KubeBinding{Name: "devs", RoleKind: "ClusterRole", RoleName: "view", Subjects: []models.KubeSubject{{Kind: models.KubeGroupKind, Name: "r-1"}}}},
		{"user subject in a namespace keeps the user ID", rbac.CreateInput{Name: "alice-edit", Namespace: "shop", RoleName: "edit", SubjectKind: rbac.SubjectUser, SubjectID: "u-1"}, "",
			models.KubeBinding{Name: "alice-edit", Namespace: "shop", RoleKind: "ClusterRole", RoleName: "edit",
				Subjects: []models.KubeSubject{{Kind: models.KubeUserKind, Name: "alice"}}, Annotations: map[string]string{"kaas.io/keystone-user-ids": "u-1"}}},
		{"unknown ClusterRole", rbac.CreateInput{Name: "x", RoleName: "root", SubjectKind: rbac.SubjectRole, SubjectID: "r-1"}, models.CodeInvalid, models.KubeBinding{}},
		{"unknown namespace", rbac.CreateInput{Name: "x", Namespace: "nope", RoleName: "view", SubjectKind: rbac.SubjectRole, SubjectID: "r-1"}, models.CodeInvalid, models.KubeBinding{}},
		{"unknown role", rbac.CreateInput{Name: "x", RoleName: "view", SubjectKind: rbac.SubjectRole, SubjectID: "r-9"}, models.CodeInvalid, models.KubeBinding{}},
		{"unknown user", rbac.CreateInput{Name: "x", RoleName: "view", SubjectKind: rbac.SubjectUser, SubjectID: "u-9"}, models.CodeInvalid, models.KubeBinding{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &bindingCluster{roles: []string{"view", "edit"}, namespaces: []string{"shop"}}
			_, err := rbac.New(ks, plainNames{}).Create(context.Background(), c, tt.in)
			if got := models.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if tt.wantCode != "" {
				if len(c.created) != 0 {
					t.Fatalf("a refused binding was created: %+v", c.created)
				}
				return
			}
			if len(c.created) != 1 || !reflect.DeepEqual(c.created[0], tt.want) {
				t.Fatalf("created %+v, want %+v", c.created, tt.want)
			}
		})
	}
}

// TestDeleteRefusesProtectedBindings deletes only bindings the platform does not manage.
func TestDeleteRefusesProtectedBindings(t *testing.T) {
	bindings := []models.KubeBinding{
		{Name: "devs"},
		{Name: "edit-shop", Namespace: "shop"},
		{Name: models.DefaultAdminBinding},
		{Name: "kubeadm:get-nodes", Labels: map[string]string{"kubernetes.io/bootstrapping": "rbac-defaults"}},
		{Name: "system:controller", Namespace: "kube-system"},
	}
	tests := []struct {
		name            string
		namespace, bind string
		wantCode        models.Code
	}{
		{"cluster-wide", "", "devs", ""},
		{"namespaced", "shop", "edit-shop", ""},
		{"the default admin binding", "", models.DefaultAdminBinding, models.CodeForbidden},
		{"a bootstrapping binding", "", "kubeadm:get-nodes", models.CodeForbidden},
		{"in a protected namespace", "kube-system", "system:controller", models.CodeForbidden},
		{"missing", "", "ghost", models.CodeNotFound},
		{"unnameable", "", "", models.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &bindingCluster{bindings: bindings}
			err := rbac.New(&fakeKeystone{}, plainNames{}).Delete(context.Background(), c, tt.namespace, tt.bind)
			if got := models.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
			}
			wantDeleted := []string(nil)
			if tt.wantCode == "" {
				wantDeleted = []string{models.BindingID(tt.namespace, tt.bind)}
			}
			if !reflect.DeepEqual(c.deleted, wantDeleted) {
				t.Fatalf("deleted %v, want %v", c.deleted, wantDeleted)
			}
		})
	}
}
