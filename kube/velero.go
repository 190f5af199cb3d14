package kube

import (
	"context"
	"sort"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"kaas/models"
)

// VeleroNamespace is where Velero's objects live.
const VeleroNamespace = "velero"

// The Velero resources the panel reads and creates.
var (
	BackupGVR   = schema.GroupVersionResource{Group: "velero.io", Version: "v1", Resource: "backups"}
	ScheduleGVR = schema.GroupVersionResource{Group: "velero.io", Version: "v1", Resource: "schedules"}
	RestoreGVR  = schema.GroupVersionResource{Group: "velero.io", Version: "v1", Resource: "restores"}
)

// VeleroInstalled reports whether the cluster serves Velero's API.
func VeleroInstalled(cs kubernetes.Interface) (bool, error) {
	groups, err := cs.Discovery().ServerGroups()
	if err != nil {
		return false, MapError(err, "discover API groups")
	}
	for _, g := range groups.Groups {
		if g.Name == BackupGVR.Group {
			return true, nil
		}
	}
	return false, nil
}

// ListVelero lists objects of one Velero resource, newest first.
func ListVelero(ctx context.Context, dc dynamic.Interface, gvr schema.GroupVersionResource) ([]models.VeleroObject, error) {
	list, err := dc.Resource(gvr).Namespace(VeleroNamespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, MapError(err, "list "+gvr.Resource)
	}
	out := make([]models.VeleroObject, 0, len(list.Items))
	for _, u := range list.Items {
		out = append(out, veleroObject(u))
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Created, out[j].Created
		if a == nil || b == nil {
			return out[i].Name > out[j].Name
		}
		return a.After(*b)
	})
	return out, nil
}

func veleroObject(u unstructured.Unstructured) models.VeleroObject {
	str := func(f ...string) string { s, _, _ := unstructured.NestedString(u.Object, f...); return s }
	num := func(f ...string) int { n, _, _ := unstructured.NestedInt64(u.Object, f...); return int(n) }
	tm := func(f ...string) *time.Time {
		s := str(f...)
		if s == "" {
			return nil
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil
		}
		return &t
	}
	ns, _, _ := unstructured.NestedStringSlice(u.Object, "spec", "includedNamespaces")
	if ns == nil {
		ns, _, _ = unstructured.NestedStringSlice(u.Object, "spec", "template", "includedNamespaces")
	}
	created := u.GetCreationTimestamp().Time
	o := models.VeleroObject{
		Name: u.GetName(), Phase: str("status", "phase"), IncludedNamespaces: ns, Schedule: str("spec", "schedule"),
		BackupName: str("spec", "backupName"), Started: tm("status", "startTimestamp"), Completed: tm("status", "completionTimestamp"),
		Expires: tm("status", "expiration"), LastBackup: tm("status", "lastBackup"), Errors: num("status", "errors"), Warnings: num("status", "warnings"),
	}
	if !created.IsZero() {
		o.Created = &created
	}
	if o.Phase == "" {
		o.Phase = "New"
	}
	return o
}

// CreateVelero creates a Velero object from its spec; the name is generated from prefix.
func CreateVelero(ctx context.Context, dc dynamic.Interface, gvr schema.GroupVersionResource, kind, prefix string, spec map[string]any) (models.VeleroObject, error) {
	u := unstructured.Unstructured{Object: map[string]any{
		"apiVersion": gvr.GroupVersion().String(),
		"kind":       kind,
		"metadata": map[string]any{
			"generateName": prefix,
			"namespace":    VeleroNamespace,
			"labels":       map[string]any{ManagedByLabel: ManagedByValue},
		},
		"spec": spec,
	}}
	created, err := dc.Resource(gvr).Namespace(VeleroNamespace).Create(ctx, &u, metav1.CreateOptions{})
	if err != nil {
		return models.VeleroObject{}, MapError(err, "create "+kind)
	}
	return veleroObject(*created), nil
}

// GetVelero returns one Velero object.
func GetVelero(ctx context.Context, dc dynamic.Interface, gvr schema.GroupVersionResource, name string) (models.VeleroObject, error) {
	u, err := dc.Resource(gvr).Namespace(VeleroNamespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return models.VeleroObject{}, MapError(err, "get "+gvr.Resource)
	}
	return veleroObject(*u), nil
}
