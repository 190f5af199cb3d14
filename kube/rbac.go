package kube

import (
	"context"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// ManagedByLabel marks objects the panel created.
const ManagedByLabel = "app.kubernetes.io/managed-by"

// ManagedByValue is the panel's value of ManagedByLabel.
const ManagedByValue = "kaas-panel"

// Binding is a ClusterRoleBinding (Namespace "") or RoleBinding.
type Binding struct {
	Name      string
	Namespace string
	RoleKind  string
	RoleName  string
	Subjects  []rbacv1.Subject
	Labels    map[string]string
	// Annotations hold what the panel noted on a binding it made (the Keystone user ID).
	Annotations map[string]string
	Created     metav1.Time
}

// Bindings lists every ClusterRoleBinding and RoleBinding, cluster-wide ones first.
func Bindings(ctx context.Context, cs kubernetes.Interface) ([]Binding, error) {
	crbs, err := cs.RbacV1().ClusterRoleBindings().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, MapError(err, "list cluster role bindings")
	}
	rbs, err := cs.RbacV1().RoleBindings("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, MapError(err, "list role bindings")
	}
	out := make([]Binding, 0, len(crbs.Items)+len(rbs.Items))
	for _, b := range crbs.Items {
		out = append(out, Binding{Name: b.Name, RoleKind: b.RoleRef.Kind, RoleName: b.RoleRef.Name, Subjects: b.Subjects, Labels: b.Labels, Annotations: b.Annotations, Created: b.CreationTimestamp})
	}
	for _, b := range rbs.Items {
		out = append(out, Binding{Name: b.Name, Namespace: b.Namespace, RoleKind: b.RoleRef.Kind, RoleName: b.RoleRef.Name, Subjects: b.Subjects, Labels: b.Labels, Annotations: b.Annotations, Created: b.CreationTimestamp})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// ClusterRole is a ClusterRole a binding may grant.
type ClusterRole struct {
	Name string
	// Rules is how many rules it holds: 0 for an aggregated role (view, edit, admin) that
	// no controller manager has filled in, which grants nothing.
	Rules int
}

// ClusterRoles lists the ClusterRoles, without the system ones, by name.
func ClusterRoles(ctx context.Context, cs kubernetes.Interface) ([]ClusterRole, error) {
	list, err := cs.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, MapError(err, "list cluster roles")
	}
	var out []ClusterRole
	for _, r := range list.Items {
		if !strings.HasPrefix(r.Name, "system:") {
			out = append(out, ClusterRole{Name: r.Name, Rules: len(r.Rules)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ClusterRoleExists reports whether a ClusterRole exists.
func ClusterRoleExists(ctx context.Context, cs kubernetes.Interface, name string) (bool, error) {
	_, err := cs.RbacV1().ClusterRoles().Get(ctx, name, metav1.GetOptions{})
	return exists(err, "get cluster role")
}

// NamespaceExists reports whether a namespace exists.
func NamespaceExists(ctx context.Context, cs kubernetes.Interface, name string) (bool, error) {
	_, err := cs.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	return exists(err, "get namespace")
}

// exists turns a Get's error into whether the object exists.
func exists(err error, op string) (bool, error) {
	if err == nil {
		return true, nil
	}
	mapped := MapError(err, op)
	if isNotFound(mapped) {
		return false, nil
	}
	return false, mapped
}

// CreateBinding creates a ClusterRoleBinding (namespace "") or a RoleBinding to the
// ClusterRole roleName, labelled as the panel's.
func CreateBinding(ctx context.Context, cs kubernetes.Interface, b Binding, annotations map[string]string) error {
	meta := metav1.ObjectMeta{Name: b.Name, Namespace: b.Namespace, Labels: map[string]string{ManagedByLabel: ManagedByValue}, Annotations: annotations}
	ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: b.RoleName}
	var err error
	if b.Namespace == "" {
		_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: meta, RoleRef: ref, Subjects: b.Subjects}, metav1.CreateOptions{})
	} else {
		_, err = cs.RbacV1().RoleBindings(b.Namespace).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: meta, RoleRef: ref, Subjects: b.Subjects}, metav1.CreateOptions{})
	}
	return MapError(err, "create binding")
}

// GetBinding returns one binding.
func GetBinding(ctx context.Context, cs kubernetes.Interface, namespace, name string) (Binding, error) {
	if namespace == "" {
		b, err := cs.RbacV1().ClusterRoleBindings().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return Binding{}, MapError(err, "get cluster role binding")
		}
		return Binding{Name: b.Name, RoleKind: b.RoleRef.Kind, RoleName: b.RoleRef.Name, Subjects: b.Subjects, Labels: b.Labels, Annotations: b.Annotations, Created: b.CreationTimestamp}, nil
	}
	b, err := cs.RbacV1().RoleBindings(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return Binding{}, MapError(err, "get role binding")
	}
	return Binding{Name: b.Name, Namespace: b.Namespace, RoleKind: b.RoleRef.Kind, RoleName: b.RoleRef.Name, Subjects: b.Subjects, Labels: b.Labels, Annotations: b.Annotations, Created: b.CreationTimestamp}, nil
}

// DeleteBinding deletes a binding.
func DeleteBinding(ctx context.Context, cs kubernetes.Interface, namespace, name string) error {
	var err error
	if namespace == "" {
		err = cs.RbacV1().ClusterRoleBindings().Delete(ctx, name, metav1.DeleteOptions{})
	} else {
		err = cs.RbacV1().RoleBindings(namespace).Delete(ctx, name, metav1.DeleteOptions{})
	}
	return MapError(err, "delete binding")
}
