package kube

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"kaas/models"
)

// EnsureNamespace creates a namespace unless it exists.
func EnsureNamespace(ctx context.Context, cs kubernetes.Interface, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{ManagedByLabel: ManagedByValue}}}
	_, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if err = MapError(err, "create namespace "+name); models.ErrorCode(err) == models.CodeConflict {
		return nil
	}
	return err
}

// EnsureGroupClusterRoleBinding makes the ClusterRoleBinding name bind the group to the
// ClusterRole, creating or correcting it.
func EnsureGroupClusterRoleBinding(ctx context.Context, cs kubernetes.Interface, name, group, clusterRole string) error {
	want := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{ManagedByLabel: ManagedByValue}},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clusterRole},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: group}},
	}
	crbs := cs.RbacV1().ClusterRoleBindings()
	have, err := crbs.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		if mapped := MapError(err, "get cluster role binding"); !isNotFound(mapped) {
			return mapped
		}
		_, err = crbs.Create(ctx, want, metav1.CreateOptions{})
		return MapError(err, "create cluster role binding")
	}
	if have.RoleRef != want.RoleRef {
		// roleRef cannot change: replace the binding.
		if err := crbs.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			return MapError(err, "replace cluster role binding")
		}
		_, err = crbs.Create(ctx, want, metav1.CreateOptions{})
		return MapError(err, "create cluster role binding")
	}
	have.Subjects = want.Subjects
	_, err = crbs.Update(ctx, have, metav1.UpdateOptions{})
	return MapError(err, "update cluster role binding")
}

// EnsureVeleroSchedule creates a Velero Schedule of every namespace unless one with the
// name exists.
func EnsureVeleroSchedule(ctx context.Context, dc dynamic.Interface, name, cron string, ttl string) error {
	res := dc.Resource(ScheduleGVR).Namespace(VeleroNamespace)
	if _, err := res.Get(ctx, name, metav1.GetOptions{}); err == nil {
		return nil
	} else if mapped := MapError(err, "get schedule"); !isNotFound(mapped) {
		return mapped
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": ScheduleGVR.GroupVersion().String(),
		"kind":       "Schedule",
		"metadata":   map[string]any{"name": name, "namespace": VeleroNamespace, "labels": map[string]any{ManagedByLabel: ManagedByValue}},
		"spec": map[string]any{
			"schedule": cron,
			"template": map[string]any{"includedNamespaces": []any{"*"}, "ttl": ttl},
		},
	}}
	_, err := res.Create(ctx, u, metav1.CreateOptions{})
	if err = MapError(err, "create schedule"); models.ErrorCode(err) == models.CodeConflict {
		return nil
	}
	return err
}
