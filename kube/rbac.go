package kube

import (
	"context"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"kaas/models"
)

// ManagedByLabel marks objects the panel created.
const ManagedByLabel = "app.kubernetes.io/managed-by"

// ManagedByValue is the panel's value of ManagedByLabel.
const ManagedByValue = "kaas-panel"

// Bindings lists every ClusterRoleBinding and RoleBinding, cluster-wide ones first.
func Bindings(ctx context.Context, cs kubernetes.Interface) ([]models.KubeBinding, error) {
	crbs, err := cs.RbacV1().ClusterRoleBindings().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, MapError(err, "list cluster role bindings")
	}
	rbs, err := cs.RbacV1().RoleBindings("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, MapError(err, "list role bindings")
	}
	out := make([]models.KubeBinding, 0, len(crbs.Items)+len(rbs.Items))
	for _, b := range crbs.Items {
		out = append(out, binding(b.ObjectMeta, b.RoleRef, b.Subjects))
	}
	for _, b := range rbs.Items {
		out = append(out, binding(b.ObjectMeta, b.RoleRef, b.Subjects))
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// ClusterRoles lists the ClusterRoles, without the system ones, by name.
func ClusterRoles(ctx context.Context, cs kubernetes.Interface) ([]models.KubeClusterRole, error) {
	list, err := cs.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, MapError(err, "list cluster roles")
	}
	var out []models.KubeClusterRole
	for _, r := range list.Items {
		if !strings.HasPrefix(r.Name, "system:") {
			out = append(out, models.KubeClusterRole{Name: r.Name, Rules: len(r.Rules)})
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
// ClusterRole b.RoleName, labelled as the panel's, with b's subjects and annotations.
func CreateBinding(ctx context.Context, cs kubernetes.Interface, b models.KubeBinding) error {
	meta := metav1.ObjectMeta{Name: b.Name, Namespace: b.Namespace, Labels: map[string]string{ManagedByLabel: ManagedByValue}, Annotations: b.Annotations}
	ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: b.RoleName}
	subjects := make([]rbacv1.Subject, len(b.Subjects))
	for i, sub := range b.Subjects {
		subjects[i] = rbacv1.Subject{Kind: sub.Kind, APIGroup: rbacv1.GroupName, Name: sub.Name}
	}
	var err error
	if b.Namespace == "" {
		_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: meta, RoleRef: ref, Subjects: subjects}, metav1.CreateOptions{})
	} else {
		_, err = cs.RbacV1().RoleBindings(b.Namespace).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: meta, RoleRef: ref, Subjects: subjects}, metav1.CreateOptions{})
	}
	return MapError(err, "create binding")
}

// GetBinding returns one binding.
func GetBinding(ctx context.Context, cs kubernetes.Interface, namespace, name string) (models.KubeBinding, error) {
	if namespace == "" {
		b, err := cs.RbacV1().ClusterRoleBindings().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return models.KubeBinding{}, MapError(err, "get cluster role binding")
		}
		return binding(b.ObjectMeta, b.RoleRef, b.Subjects), nil
	}
	b, err := cs.RbacV1().RoleBindings(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return models.KubeBinding{}, MapError(err, "get role binding")
	}
	return binding(b.ObjectMeta, b.RoleRef, b.Subjects), nil
}

// binding is the panel's view of a ClusterRoleBinding or RoleBinding.
func binding(meta metav1.ObjectMeta, ref rbacv1.RoleRef, subjects []rbacv1.Subject) models.KubeBinding {
	b := models.KubeBinding{Name: meta.Name, Namespace: meta.Namespace, RoleKind: ref.Kind, RoleName: ref.Name,
		Labels: meta.Labels, Annotations: meta.Annotations, Created: meta.CreationTimestamp.Time}
	for _, sub := range subjects {
		b.Subjects = append(b.Subjects, models.KubeSubject{Kind: sub.Kind, Name: sub.Name})
	}
	return b
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
