package addons

import (
	"context"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kaas/models"
)

// fakeCluster is an in-memory FAKE of a cluster for the installer's logic: apply stores
// the object and bumps its resourceVersion only when its content differs. The real
// kube-apiserver is in kube_test.go.
type fakeCluster struct {
	objects map[string]*unstructured.Unstructured
	rv      int
}

func newFakeCluster() *fakeCluster {
	return &fakeCluster{objects: map[string]*unstructured.Unstructured{}}
}

var clusterScoped = []string{"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass", "CSIDriver", "IngressClass"}

func fakeKey(gvk schema.GroupVersionKind, namespace, name string) string {
	return gvk.Group + "/" + gvk.Kind + "/" + namespace + "/" + name
}

func (f *fakeCluster) Apply(_ context.Context, obj *unstructured.Unstructured) (bool, error) {
	k := fakeKey(obj.GroupVersionKind(), obj.GetNamespace(), obj.GetName())
	in := obj.DeepCopy()
	if have, ok := f.objects[k]; ok {
		in.SetResourceVersion(have.GetResourceVersion())
		in.SetGeneration(have.GetGeneration())
		if reflect.DeepEqual(have.Object, in.Object) {
			return false, nil
		}
	}
	// Like the API server, a new object is generation 1 and a change makes the next.
	in.SetGeneration(1)
	if have, ok := f.objects[k]; ok {
		in.SetGeneration(have.GetGeneration() + 1)
	}
	f.rv++
	in.SetResourceVersion(strconv.Itoa(f.rv))
	f.objects[k] = in
	return true, nil
}

func (f *fakeCluster) Get(_ context.Context, gvk schema.GroupVersionKind, namespace, name string) (*unstructured.Unstructured, error) {
	if o, ok := f.objects[fakeKey(gvk, namespace, name)]; ok {
		return o.DeepCopy(), nil
	}
	return nil, models.Errorf(models.CodeNotFound, "not found on the cluster")
}

func (f *fakeCluster) Delete(_ context.Context, gvk schema.GroupVersionKind, namespace, name string) error {
	delete(f.objects, fakeKey(gvk, namespace, name))
	return nil
}

func (f *fakeCluster) Namespaced(gvk schema.GroupVersionKind) (bool, error) {
	return !slices.Contains(clusterScoped, gvk.Kind), nil
}

func (f *fakeCluster) names() []string {
	var out []string
	for k := range f.objects {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func testCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := LoadCatalog(os.DirFS("testdata/catalog"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testInstaller(t *testing.T, c *Catalog, fc *fakeCluster) *Installer {
	return &Installer{Catalog: c, Connect: func([]byte) (Cluster, error) { return fc, nil }}
}

var prod = Target{Name: "prod", BaseDomain: "example.com"}

func TestEmbeddedCatalog(t *testing.T) {
	c, err := LoadCatalog(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range c.Addons() {
		names = append(names, a.Name)
	}
	want := []string{"cinder-csi", "cni", "ingress", "logging", "monitoring", "registry", "velero"}
	if !slices.Equal(names, want) {
		t.Fatalf("add-ons %v, want %v", names, want)
	}
	fc := newFakeCluster()
	in := testInstaller(t, c, fc)
	if got := in.DefaultNames(); got[0] != "cni" || len(got) != len(want) {
		t.Errorf("default install order %v: the CNI first, then every add-on", got)
	}
	if err := in.InstallDefaults(context.Background(), prod, func(string) {}); err != nil {
		t.Fatal(err)
	}
	for _, a := range c.Addons() {
		h, err := health(context.Background(), fc, a)
		if err != nil {
			t.Fatal(err)
		}
		if h.Installed != a.Latest().Name || len(h.Workloads) == 0 {
			t.Errorf("%s: installed %q with %d workloads, want %s with some", a.Name, h.Installed, len(h.Workloads), a.Latest().Name)
		}
	}
	if ingress, _ := c.Addon("ingress"); ingress.Latest().Name != "1.12.1" || len(ingress.Versions) != 2 {
		t.Errorf("ingress versions %v, latest %s", ingress.Versions, ingress.Latest().Name)
	}
	dep, err := fc.Get(context.Background(), schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, "kaas-ingress", "ingress-nginx-controller")
	if err != nil {
		t.Fatal(err)
	}
	if n, _, _ := unstructured.NestedInt64(dep.Object, "spec", "replicas"); n != 2 {
		t.Errorf("ingress controller replicas %d, want 2", n)
	}
	cm, err := fc.Get(context.Background(), configMapGVK, "kaas-ingress", "ingress-nginx-controller")
	if err != nil {
		t.Fatal(err)
	}
	if host, _, _ := unstructured.NestedString(cm.Object, "data", "wildcard-host"); host != "*.prod.example.com" {
		t.Errorf("wildcard host %q", host)
	}
	if dep.GetLabels()[AddonLabel] != "ingress" || dep.GetLabels()[managedByLabel] != managedByValue {
		t.Errorf("labels %v", dep.GetLabels())
	}
	flannel, err := fc.Get(context.Background(), schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "DaemonSet"}, "kube-system", "kube-flannel")
	if err != nil || flannel.GetLabels()[AddonLabel] != "cni" {
		t.Errorf("the CNI's DaemonSet in kube-system: %v", err)
	}
}

func TestLoadCatalogOverride(t *testing.T) {
	base := fstest.MapFS{
		"web/addon.yaml":       {Data: []byte("description: web\nnamespace: web\n")},
		"web/1.0.0/web.yaml":   {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  v: one\n")},
		"web/1.2.0/web.yaml":   {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  v: base\n")},
		"web/1.10.0/web.yaml":  {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  v: ten\n")},
		"web/1.10.0/README.md": {Data: []byte("not a manifest")},
	}
	cm := func(v string) []byte {
		return []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  v: " + v + "\n")
	}
	tests := []struct {
		name     string
		override fstest.MapFS
		// wantVersions of web, oldest first; wantData of web 1.2.0's ConfigMap.
		wantVersions []string
		wantData     string
		wantErr      string
	}{
		{name: "no override", override: fstest.MapFS{}, wantVersions: []string{"1.0.0", "1.2.0", "1.10.0"}, wantData: "base"},
		{name: "adds a version", override: fstest.MapFS{"web/2.0.0/web.yaml": {Data: cm("two")}}, wantVersions: []string{"1.0.0", "1.2.0", "1.10.0", "2.0.0"}, wantData: "base"},
		{name: "replaces a version", override: fstest.MapFS{"web/1.2.0/web.yaml": {Data: cm("operator")}}, wantVersions: []string{"1.0.0", "1.2.0", "1.10.0"}, wantData: "operator"},
		{name: "adds an add-on", override: fstest.MapFS{"dns/addon.yaml": {Data: []byte("namespace: dns\n")}, "dns/0.1.0/a.yaml": {Data: cm("x")}}, wantVersions: []string{"1.0.0", "1.2.0", "1.10.0"}, wantData: "base"},
		{name: "an add-on without a namespace", override: fstest.MapFS{"dns/0.1.0/a.yaml": {Data: cm("x")}}, wantErr: "dns: addon.yaml names no namespace"},
		{name: "a version that is no version", override: fstest.MapFS{"web/latest/web.yaml": {Data: cm("x")}}, wantErr: `version "latest" is not of the form 1.2.3`},
		{name: "a version without manifests", override: fstest.MapFS{"web/3.0.0/notes.txt": {Data: []byte("x")}}, wantErr: "web 3.0.0: no manifests"},
		{name: "a broken template", override: fstest.MapFS{"web/3.0.0/web.yaml": {Data: []byte("name: {{.Cluster")}}, wantErr: "web 3.0.0"},
		{name: "an unknown parameter", override: fstest.MapFS{"web/3.0.0/web.yaml": {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{.Nope}}\n")}}, wantErr: "can't evaluate field Nope"},
		{name: "a document without a kind", override: fstest.MapFS{"web/3.0.0/web.yaml": {Data: []byte("apiVersion: v1\nmetadata:\n  name: x\n")}}, wantErr: "apiVersion, kind and metadata.name are required"},
		{name: "owning kube-system", override: fstest.MapFS{"web/3.0.0/web.yaml": {Data: []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-system\n")}}, wantErr: "declares namespace kube-system"},
		{name: "unknown addon.yaml field", override: fstest.MapFS{"web/addon.yaml": {Data: []byte("namespace: web\nreplicas: 3\n")}}, wantErr: "addon.yaml"},
		{name: "a name that is no DNS label", override: fstest.MapFS{"Web_App/1.0.0/a.yaml": {Data: cm("x")}}, wantErr: "a name is a DNS label"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadCatalog(base, tt.override)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			web, err := c.Addon("web")
			if err != nil {
				t.Fatal(err)
			}
			var versions []string
			for _, v := range web.Versions {
				versions = append(versions, v.Name)
			}
			if !slices.Equal(versions, tt.wantVersions) {
				t.Errorf("versions %v, want %v", versions, tt.wantVersions)
			}
			v, _ := web.Version("1.2.0")
			objs, err := web.render(v, Params{})
			if err != nil {
				t.Fatal(err)
			}
			if got, _, _ := unstructured.NestedString(objs[0].Object, "data", "v"); got != tt.wantData {
				t.Errorf("1.2.0 renders v=%q, want %q", got, tt.wantData)
			}
		})
	}
}

func TestRun(t *testing.T) {
	ctx := context.Background()
	noProgress := func(string) {}
	tests := []struct {
		name string
		// before are actions run first, which must succeed.
		before  [][3]string
		action  Action
		version string
		want    Result
		code    models.Code
		// wantVersion is the recorded version after the action ("" for none).
		wantVersion string
	}{
		{name: "install the latest", action: ActionInstall, want: Result{Applied: 5, Changed: 5}, wantVersion: "2.0.0"},
		{name: "install an older version", action: ActionInstall, version: "1.0.0", want: Result{Applied: 5, Changed: 5}, wantVersion: "1.0.0"},
		{name: "install again changes nothing", before: [][3]string{{"install", "1.0.0"}}, action: ActionInstall, version: "1.0.0", want: Result{Applied: 5}, wantVersion: "1.0.0"},
		{name: "install over another version", before: [][3]string{{"install", "1.0.0"}}, action: ActionInstall, version: "2.0.0", code: models.CodeConflict, wantVersion: "1.0.0"},
		{name: "upgrade what is not installed", action: ActionUpgrade, code: models.CodeConflict},
		{name: "upgrade changes one, adds one, deletes one", before: [][3]string{{"install", "1.0.0"}}, action: ActionUpgrade, version: "2.0.0", want: Result{Applied: 5, Changed: 2, Deleted: 1}, wantVersion: "2.0.0"},
		{name: "upgrade again changes nothing", before: [][3]string{{"install", "1.0.0"}, {"upgrade", "2.0.0"}}, action: ActionUpgrade, version: "2.0.0", want: Result{Applied: 5}, wantVersion: "2.0.0"},
		{name: "an unknown version", action: ActionInstall, version: "9.9.9", code: models.CodeInvalid},
		{name: "remove", before: [][3]string{{"install", "1.0.0"}}, action: ActionRemove, want: Result{Deleted: 5}},
		{name: "remove what is not installed", action: ActionRemove},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFakeCluster()
			in := testInstaller(t, testCatalog(t), fc)
			for _, b := range tt.before {
				if _, err := in.Run(ctx, prod, Action(b[0]), "demo", b[1], noProgress); err != nil {
					t.Fatalf("%v: %v", b, err)
				}
			}
			got, err := in.Run(ctx, prod, tt.action, "demo", tt.version, noProgress)
			if models.ErrorCode(err) != tt.code || (tt.code == "" && err != nil) {
				t.Fatalf("error %v, want code %q", err, tt.code)
			}
			if got != tt.want {
				t.Errorf("result %+v, want %+v", got, tt.want)
			}
			inv, err := readInventory(ctx, fc, "demo")
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.wantVersion == "" && inv != nil:
				t.Errorf("inventory says %s is installed", inv.Version)
			case tt.wantVersion != "" && (inv == nil || inv.Version != tt.wantVersion):
				t.Errorf("inventory %+v, want version %s", inv, tt.wantVersion)
			}
			if tt.action == ActionRemove && tt.code == "" {
				// Only the panel's namespace is left, the inventory gone with the add-on.
				if names := fc.names(); len(names) > 1 {
					t.Errorf("left on the cluster: %v", names)
				}
			}
		})
	}
}

func TestWorkloadHealth(t *testing.T) {
	obj := func(kind string, generation int64, spec, status map[string]any) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": kind, "metadata": map[string]any{"name": "w", "namespace": "n"}}}
		u.SetGeneration(generation)
		if spec != nil {
			u.Object["spec"] = spec
		}
		if status != nil {
			u.Object["status"] = status
		}
		return u
	}
	tests := []struct {
		name           string
		obj            *unstructured.Unstructured
		want           Status
		ready, desired int
	}{
		{name: "deployment no controller yet", obj: obj("Deployment", 1, map[string]any{"replicas": int64(2)}, nil), want: StatusProgressing, desired: 2},
		{name: "deployment no ready replica", obj: obj("Deployment", 1, map[string]any{"replicas": int64(2)}, map[string]any{"observedGeneration": int64(1)}), want: StatusDown, desired: 2},
		{name: "deployment one of two", obj: obj("Deployment", 1, map[string]any{"replicas": int64(2)}, map[string]any{"observedGeneration": int64(1), "readyReplicas": int64(1), "updatedReplicas": int64(2)}), want: StatusProgressing, ready: 1, desired: 2},
		{name: "deployment rolling out", obj: obj("Deployment", 2, map[string]any{"replicas": int64(2)}, map[string]any{"observedGeneration": int64(2), "readyReplicas": int64(2), "updatedReplicas": int64(1)}), want: StatusProgressing, ready: 2, desired: 2},
		{name: "deployment up", obj: obj("Deployment", 3, map[string]any{"replicas": int64(2)}, map[string]any{"observedGeneration": int64(3), "readyReplicas": int64(2), "updatedReplicas": int64(2)}), want: StatusUp, ready: 2, desired: 2},
		{name: "statefulset default one replica", obj: obj("StatefulSet", 1, map[string]any{}, map[string]any{"observedGeneration": int64(1), "readyReplicas": int64(1), "updatedReplicas": int64(1)}), want: StatusUp, ready: 1, desired: 1},
		{name: "deployment scaled to zero", obj: obj("Deployment", 1, map[string]any{"replicas": int64(0)}, map[string]any{"observedGeneration": int64(1)}), want: StatusUp},
		{name: "daemonset on no node", obj: obj("DaemonSet", 1, nil, map[string]any{"observedGeneration": int64(1), "desiredNumberScheduled": int64(0)}), want: StatusDown},
		{name: "daemonset two of three", obj: obj("DaemonSet", 1, nil, map[string]any{"observedGeneration": int64(1), "desiredNumberScheduled": int64(3), "numberReady": int64(2), "updatedNumberScheduled": int64(3)}), want: StatusProgressing, ready: 2, desired: 3},
		{name: "daemonset up", obj: obj("DaemonSet", 1, nil, map[string]any{"observedGeneration": int64(1), "desiredNumberScheduled": int64(3), "numberReady": int64(3), "updatedNumberScheduled": int64(3)}), want: StatusUp, ready: 3, desired: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := workloadHealth(tt.obj)
			if w.Status != tt.want || w.Ready != tt.ready || w.Desired != tt.desired {
				t.Errorf("%s %d/%d (%s), want %s %d/%d", w.Status, w.Ready, w.Desired, w.Message, tt.want, tt.ready, tt.desired)
			}
		})
	}
}

func TestHealthOfAnAddon(t *testing.T) {
	ctx := context.Background()
	fc := newFakeCluster()
	in := testInstaller(t, testCatalog(t), fc)
	hs, err := in.Health(ctx, prod)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 1 || hs[0].Status != StatusNotInstalled {
		t.Fatalf("before install: %+v", hs)
	}
	if _, err := in.Run(ctx, prod, ActionInstall, "demo", "1.0.0", func(string) {}); err != nil {
		t.Fatal(err)
	}
	hs, _ = in.Health(ctx, prod)
	if h := hs[0]; h.Installed != "1.0.0" || h.Status != StatusProgressing || h.Desired != 2 || len(h.Workloads) != 2 {
		t.Errorf("just installed, no controller: %+v", h)
	}
	delete(fc.objects, fakeKey(schema.GroupVersionKind{Group: "apps", Kind: "Deployment"}, "kaas-demo", "demo"))
	hs, _ = in.Health(ctx, prod)
	if h := hs[0]; h.Status != StatusDown || !strings.Contains(h.Message, "1 of its objects are missing") {
		t.Errorf("a deleted Deployment: %+v", h)
	}
}
