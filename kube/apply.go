package kube

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"

	"kaas/models"
)

// Applier writes objects of any kind to one cluster with server-side apply under one
// field manager, and reads and deletes them.
type Applier struct {
	dc           dynamic.Interface
	mapper       *restmapper.DeferredDiscoveryRESTMapper
	fieldManager string
}

// NewApplier connects to the cluster of an admin kubeconfig; objects it applies are
// owned by fieldManager.
func NewApplier(kubeconfig []byte, fieldManager string) (*Applier, error) {
	cfg, _, err := ParseKubeconfig(kubeconfig)
	if err != nil {
		return nil, err
	}
	// An add-on is tens of objects, each read and applied: client-go's default of 5
	// requests a second would make that half a minute.
	cfg.QPS, cfg.Burst = 100, 200
	cs, dc, err := clients(cfg)
	if err != nil {
		return nil, err
	}
	return &Applier{dc: dc, fieldManager: fieldManager,
		mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(cs.Discovery()))}, nil
}

// mapping finds the resource of a kind, asking the cluster again once when a kind is not
// known yet (its CustomResourceDefinition may have been applied since).
func (a *Applier) mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		a.mapper.Reset()
		m, err = a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if meta.IsNoMatchError(err) {
		return nil, models.WrapError(models.CodeInvalid, err, "the cluster does not serve "+gvk.String())
	}
	if err != nil {
		return nil, MapError(err, "discover "+gvk.String())
	}
	return m, nil
}

// Namespaced reports whether objects of the kind live in a namespace.
func (a *Applier) Namespaced(gvk schema.GroupVersionKind) (bool, error) {
	m, err := a.mapping(gvk)
	if err != nil {
		return false, err
	}
	return m.Scope.Name() == meta.RESTScopeNameNamespace, nil
}

func (a *Applier) resource(gvk schema.GroupVersionKind, namespace string) (dynamic.ResourceInterface, error) {
	m, err := a.mapping(gvk)
	if err != nil {
		return nil, err
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return a.dc.Resource(m.Resource).Namespace(namespace), nil
	}
	return a.dc.Resource(m.Resource), nil
}

// Apply server-side applies obj (forcing ownership of fields another manager holds: the
// applier's manifests are the truth) and reports whether the cluster changed it. An
// applied CustomResourceDefinition is waited for until its API is served.
func (a *Applier) Apply(ctx context.Context, obj *unstructured.Unstructured) (bool, error) {
	gvk := obj.GroupVersionKind()
	ri, err := a.resource(gvk, obj.GetNamespace())
	if err != nil {
		return false, err
	}
	what := gvk.Kind + " " + qualified(obj.GetNamespace(), obj.GetName())
	before := ""
	if have, err := ri.Get(ctx, obj.GetName(), metav1.GetOptions{}); err == nil {
		before = have.GetResourceVersion()
	} else if !apierrors.IsNotFound(err) {
		return false, MapError(err, "get "+what)
	}
	after, err := ri.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: a.fieldManager, Force: true})
	if err != nil {
		return false, MapError(err, "apply "+what)
	}
	if gvk.Group == "apiextensions.k8s.io" && gvk.Kind == "CustomResourceDefinition" {
		if err := a.waitEstablished(ctx, ri, obj.GetName()); err != nil {
			return false, err
		}
	}
	return after.GetResourceVersion() != before, nil
}

// waitEstablished waits until a CustomResourceDefinition's API is served, so objects of
// its kind (or a discovery of its group) work right after the apply.
func (a *Applier) waitEstablished(ctx context.Context, ri dynamic.ResourceInterface, name string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		crd, err := ri.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return MapError(err, "get CustomResourceDefinition "+name)
		}
		conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
		for _, c := range conds {
			if m, ok := c.(map[string]any); ok && m["type"] == "Established" && m["status"] == "True" {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return models.WrapError(models.CodeUnavailable, ctx.Err(), "CustomResourceDefinition "+name+" is not established")
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Get returns one object; a missing one is NOT_FOUND.
func (a *Applier) Get(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) (*unstructured.Unstructured, error) {
	ri, err := a.resource(gvk, namespace)
	if err != nil {
		return nil, err
	}
	u, err := ri.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, MapError(err, "get "+gvk.Kind+" "+qualified(namespace, name))
	}
	return u, nil
}

// Delete deletes one object, its dependents in the background; a missing one (or a kind
// the cluster no longer serves) is no error.
func (a *Applier) Delete(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) error {
	ri, err := a.resource(gvk, namespace)
	if models.ErrorCode(err) == models.CodeInvalid {
		return nil
	}
	if err != nil {
		return err
	}
	background := metav1.DeletePropagationBackground
	err = ri.Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &background})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return MapError(err, "delete "+gvk.Kind+" "+qualified(namespace, name))
}

func qualified(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return fmt.Sprintf("%s/%s", namespace, name)
}
