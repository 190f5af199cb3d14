package addons

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kaas/models"
)

// FieldManager is the server-side apply field manager of every object the panel applies.
const FieldManager = "kaas-panel"

// Labels on every object of an add-on.
const (
	// AddonLabel names the add-on an object belongs to.
	AddonLabel     = "kaas.io/addon"
	managedByLabel = "app.kubernetes.io/managed-by"
	managedByValue = "kaas-panel"
)

// Cluster is what the installer does on one cluster; kube.Applier is one.
type Cluster interface {
	// Apply server-side applies obj and reports whether the cluster changed it.
	Apply(ctx context.Context, obj *unstructured.Unstructured) (changed bool, err error)
	// Get returns an object, NOT_FOUND when missing.
	Get(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) (*unstructured.Unstructured, error)
	// Delete deletes an object; a missing one is no error.
	Delete(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) error
	// Namespaced reports whether objects of the kind live in a namespace.
	Namespaced(gvk schema.GroupVersionKind) (bool, error)
}

// Target is the cluster an add-on is applied to.
type Target struct {
	Name, BaseDomain string
	// Kubeconfig is the panel's admin kubeconfig of the cluster.
	Kubeconfig []byte
	// RegistryDBGB sizes the registry's database volume; zero means 10.
	RegistryDBGB int
}

// Action is what a job does with an add-on.
type Action string

// The actions on an add-on.
const (
	ActionInstall Action = "install"
	ActionUpgrade Action = "upgrade"
	ActionRemove  Action = "remove"
)

// Result counts what an action did to the cluster's objects.
type Result struct {
	// Applied objects, of which Changed the cluster changed (new or different).
	Applied, Changed int
	// Deleted objects: all of a removed add-on, those an upgrade no longer has.
	Deleted int
}

// String says what the action did, for a job's progress.
func (r Result) String() string {
	return fmt.Sprintf("%d objects applied (%d changed, %d unchanged), %d deleted", r.Applied, r.Changed, r.Applied-r.Changed, r.Deleted)
}

// Installer applies the catalog's add-ons to clusters, upgrades and removes them and
// reports their health from the cluster's own objects. What an add-on put on a cluster
// is recorded there, in a ConfigMap kaas-addon-<name> of the panel's namespace (its
// inventory), so an upgrade deletes what the new version no longer has and a removal
// deletes exactly what was installed.
type Installer struct {
	Catalog *Catalog
	// Connect reaches a cluster through its admin kubeconfig.
	Connect func(kubeconfig []byte) (Cluster, error)
	// Defaults are the add-ons a new cluster gets, in order; nil means every add-on of
	// the catalog (the CNI first).
	Defaults []string
	// PodSubnet is the clusters' pod network (the CNI's configuration).
	PodSubnet string
}

// DefaultNames returns the add-ons a new cluster gets, in install order.
func (in *Installer) DefaultNames() []string {
	if in.Defaults != nil {
		return in.Defaults
	}
	var names []string
	for _, a := range in.Catalog.Addons() {
		names = append(names, a.Name)
	}
	// The network first: nothing else runs without it.
	slices.SortStableFunc(names, func(a, b string) int {
		return cmp.Compare(b2i(b == "cni"), b2i(a == "cni"))
	})
	return names
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CheckDefaults returns an error naming any default add-on the catalog lacks.
func (in *Installer) CheckDefaults() error {
	for _, n := range in.Defaults {
		if _, err := in.Catalog.Addon(n); err != nil {
			return fmt.Errorf("default add-ons: %s", models.ErrorMessage(err))
		}
	}
	return nil
}

// Check validates an action before a job is queued for it: the add-on and version must
// be in the catalog (INVALID otherwise).
func (in *Installer) Check(action Action, name, version string) error {
	switch action {
	case ActionInstall, ActionUpgrade:
		_, _, err := in.Catalog.Resolve(name, version)
		return err
	case ActionRemove:
		_, err := in.Catalog.Addon(name)
		return err
	}
	return models.Errorf(models.CodeInvalid, "unknown add-on action %q", action)
}

func (in *Installer) params(t Target) Params {
	p := Params{Cluster: t.Name, Domain: t.BaseDomain, WildcardHost: "*." + t.Name + "." + t.BaseDomain,
		PodSubnet: in.PodSubnet, RegistryDBGB: t.RegistryDBGB}
	if p.PodSubnet == "" {
		p.PodSubnet = "10.244.0.0/16"
	}
	if p.RegistryDBGB <= 0 {
		p.RegistryDBGB = 10
	}
	return p
}

// InstallDefaults installs the default add-ons on a new cluster, each at its latest
// version. An add-on installed already (a step run again) is applied again at the
// version it has, which changes nothing.
func (in *Installer) InstallDefaults(ctx context.Context, t Target, progress func(string)) error {
	cl, err := in.Connect(t.Kubeconfig)
	if err != nil {
		return err
	}
	for _, name := range in.DefaultNames() {
		a, err := in.Catalog.Addon(name)
		if err != nil {
			return err
		}
		inv, err := readInventory(ctx, cl, name)
		if err != nil {
			return err
		}
		v := a.Latest()
		if inv != nil {
			if have, ok := a.Version(inv.Version); ok {
				v = have
			}
		}
		res, err := in.apply(ctx, cl, t, a, v, inv)
		if err != nil {
			return err
		}
		progress(fmt.Sprintf("%s %s: %s", name, v.Name, res))
	}
	return nil
}

// Run does one action on one add-on: install it (at version, default the latest; an
// add-on installed at another version is CONFLICT), upgrade it (to version, default the
// latest; it must be installed) or remove it (nothing to do when it is not installed).
// Run again with the same arguments it changes nothing more, so a job may repeat it.
func (in *Installer) Run(ctx context.Context, t Target, action Action, name, version string, progress func(string)) (Result, error) {
	if err := in.Check(action, name, version); err != nil {
		return Result{}, err
	}
	cl, err := in.Connect(t.Kubeconfig)
	if err != nil {
		return Result{}, err
	}
	inv, err := readInventory(ctx, cl, name)
	if err != nil {
		return Result{}, err
	}
	if action == ActionRemove {
		if inv == nil {
			progress(name + " is not installed")
			return Result{}, nil
		}
		return in.remove(ctx, cl, name, inv, progress)
	}
	a, v, err := in.Catalog.Resolve(name, version)
	if err != nil {
		return Result{}, err
	}
	switch {
	case action == ActionInstall && inv != nil && inv.Version != v.Name:
		return Result{}, models.Errorf(models.CodeConflict, "%s is installed at version %s: upgrade it instead", name, inv.Version)
	case action == ActionUpgrade && inv == nil:
		return Result{}, models.Errorf(models.CodeConflict, "%s is not installed: install it first", name)
	}
	if inv != nil && inv.Version != v.Name {
		progress(fmt.Sprintf("%s: %s → %s", name, inv.Version, v.Name))
	}
	res, err := in.apply(ctx, cl, t, a, v, inv)
	if err != nil {
		return Result{}, err
	}
	progress(fmt.Sprintf("%s %s: %s", name, v.Name, res))
	return res, nil
}

// objects renders a version for a cluster with the namespaces and labels the installer
// gives every object, in apply order.
func (in *Installer) objects(cl Cluster, t Target, a Addon, v Version) ([]*unstructured.Unstructured, error) {
	objs, err := a.render(v, in.params(t))
	if err != nil {
		return nil, err
	}
	for _, o := range objs {
		namespaced, err := cl.Namespaced(o.GroupVersionKind())
		if err != nil {
			return nil, err
		}
		switch {
		case !namespaced:
			o.SetNamespace("")
		case o.GetNamespace() == "":
			o.SetNamespace(a.Namespace)
		}
		labels := o.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[managedByLabel], labels[AddonLabel] = managedByValue, a.Name
		o.SetLabels(labels)
	}
	slices.SortStableFunc(objs, func(x, y *unstructured.Unstructured) int {
		return cmp.Compare(applyRank(x.GetKind()), applyRank(y.GetKind()))
	})
	return objs, nil
}

// applyRank orders kinds so that what an object needs exists before it: namespaces and
// API types, then identities, configuration, workloads, routes.
func applyRank(kind string) int {
	order := []string{"Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding",
		"ConfigMap", "Secret", "StorageClass", "CSIDriver", "PriorityClass", "IngressClass", "Service"}
	if i := slices.Index(order, kind); i >= 0 {
		return i
	}
	if kind == "Ingress" {
		return len(order) + 2
	}
	return len(order) + 1
}

func (in *Installer) apply(ctx context.Context, cl Cluster, t Target, a Addon, v Version, prev *inventory) (Result, error) {
	objs, err := in.objects(cl, t, a, v)
	if err != nil {
		return Result{}, err
	}
	var res Result
	next := &inventory{Addon: a.Name, Version: v.Name}
	for _, o := range objs {
		changed, err := cl.Apply(ctx, o)
		if err != nil {
			return res, fmt.Errorf("%s %s: %w", a.Name, v.Name, err)
		}
		res.Applied++
		if changed {
			res.Changed++
		}
		next.Objects = append(next.Objects, refOf(o))
	}
	// Prune before recording: until the new inventory is written, the old one still
	// names what a repeated run must delete.
	if prev != nil {
		keep := map[objectRef]bool{}
		for _, r := range next.Objects {
			keep[r.key()] = true
		}
		gone := slices.DeleteFunc(slices.Clone(prev.Objects), func(r objectRef) bool { return keep[r.key()] })
		n, err := deleteAll(ctx, cl, gone)
		res.Deleted += n
		if err != nil {
			return res, fmt.Errorf("%s %s: %w", a.Name, v.Name, err)
		}
	}
	if err := writeInventory(ctx, cl, next); err != nil {
		return res, err
	}
	return res, nil
}

func (in *Installer) remove(ctx context.Context, cl Cluster, name string, inv *inventory, progress func(string)) (Result, error) {
	n, err := deleteAll(ctx, cl, inv.Objects)
	res := Result{Deleted: n}
	if err != nil {
		return res, fmt.Errorf("remove %s: %w", name, err)
	}
	if err := cl.Delete(ctx, configMapGVK, models.SystemNamespace, inventoryName(name)); err != nil {
		return res, fmt.Errorf("remove %s: %w", name, err)
	}
	progress(fmt.Sprintf("%s %s removed: %s", name, inv.Version, res))
	return res, nil
}

// deleteAll deletes objects in the reverse of the apply order (namespaces last).
func deleteAll(ctx context.Context, cl Cluster, refs []objectRef) (int, error) {
	refs = slices.Clone(refs)
	slices.SortStableFunc(refs, func(x, y objectRef) int { return cmp.Compare(applyRank(y.Kind), applyRank(x.Kind)) })
	for i, r := range refs {
		if err := cl.Delete(ctx, r.gvk(), r.Namespace, r.Name); err != nil {
			return i, err
		}
	}
	return len(refs), nil
}

// objectRef names one object an add-on put on a cluster.
type objectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

func refOf(o *unstructured.Unstructured) objectRef {
	return objectRef{APIVersion: o.GetAPIVersion(), Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName()}
}

func (r objectRef) gvk() schema.GroupVersionKind {
	return schema.FromAPIVersionAndKind(r.APIVersion, r.Kind)
}

// key identifies the object whatever API version names it.
func (r objectRef) key() objectRef {
	r.APIVersion = r.gvk().Group
	return r
}

// inventory is what one add-on put on a cluster, at which version.
type inventory struct {
	Addon   string
	Version string
	Objects []objectRef
}

var configMapGVK = schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}

func inventoryName(addon string) string { return "kaas-addon-" + addon }

func readInventory(ctx context.Context, cl Cluster, addon string) (*inventory, error) {
	u, err := cl.Get(ctx, configMapGVK, models.SystemNamespace, inventoryName(addon))
	if models.ErrorCode(err) == models.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	data, _, _ := unstructured.NestedStringMap(u.Object, "data")
	inv := &inventory{Addon: addon, Version: data["version"]}
	if err := json.Unmarshal([]byte(data["objects"]), &inv.Objects); err != nil {
		return nil, fmt.Errorf("read inventory of %s: %w", addon, err)
	}
	return inv, nil
}

func writeInventory(ctx context.Context, cl Cluster, inv *inventory) error {
	ns := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": models.SystemNamespace, "labels": map[string]any{managedByLabel: managedByValue}},
	}}
	if _, err := cl.Apply(ctx, ns); err != nil {
		return err
	}
	objects, err := json.Marshal(inv.Objects)
	if err != nil {
		return fmt.Errorf("inventory of %s: %w", inv.Addon, err)
	}
	cm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{
			"name": inventoryName(inv.Addon), "namespace": models.SystemNamespace,
			"labels": map[string]any{managedByLabel: managedByValue, AddonLabel: inv.Addon},
		},
		"data": map[string]any{"addon": inv.Addon, "version": inv.Version, "objects": string(objects)},
	}}
	_, err = cl.Apply(ctx, cm)
	return err
}

// workloadKinds are the kinds whose readiness makes an add-on's health.
var workloadKinds = map[string]bool{"Deployment": true, "DaemonSet": true, "StatefulSet": true}

// sortedRefs returns refs by kind, namespace and name (stable output for pages).
func sortedRefs(refs []objectRef) []objectRef {
	out := slices.Clone(refs)
	slices.SortFunc(out, func(a, b objectRef) int {
		return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	return out
}
