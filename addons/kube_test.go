package addons_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"kaas/addons"
	"kaas/kube"
	"kaas/localcluster"
	"kaas/models"
)

// realCluster is a real etcd and kube-apiserver (no controller manager, no nodes: nothing
// ever writes a workload's status but the test itself) and the clients to inspect it.
type realCluster struct {
	kubeconfig []byte
	cs         kubernetes.Interface
	dc         dynamic.Interface
	applier    *kube.Applier
}

func startCluster(t *testing.T) *realCluster {
	t.Helper()
	bin := os.Getenv("KAAS_KUBE_BIN_DIR")
	if bin == "" {
		t.Fatalf("KAAS_KUBE_BIN_DIR is not set: run `make test`")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c, err := localcluster.Start(ctx, localcluster.Options{BinDir: bin, Dir: t.TempDir(), Name: "addons",
		Log: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("stop cluster: %v", err)
		}
	})
	kc := c.AdminKubeconfig()
	cs, cfg, err := kube.Client(kc)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ap, err := kube.NewApplier(kc, addons.FieldManager)
	if err != nil {
		t.Fatal(err)
	}
	return &realCluster{kubeconfig: kc, cs: cs, dc: dc, applier: ap}
}

func installer(t *testing.T, catalog *addons.Catalog) *addons.Installer {
	return &addons.Installer{Catalog: catalog, Connect: func(kc []byte) (addons.Cluster, error) {
		return kube.NewApplier(kc, addons.FieldManager)
	}}
}

type ref struct {
	APIVersion, Kind, Namespace, Name string
}

// recorded returns the objects the inventory ConfigMap of an add-on names, plus the
// ConfigMap itself.
func (rc *realCluster) recorded(t *testing.T, addon string) []ref {
	t.Helper()
	cm, err := rc.cs.CoreV1().ConfigMaps(models.SystemNamespace).Get(context.Background(), "kaas-addon-"+addon, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("inventory of %s: %v", addon, err)
	}
	var refs []ref
	if err := json.Unmarshal([]byte(cm.Data["objects"]), &refs); err != nil {
		t.Fatal(err)
	}
	return append(refs, ref{"v1", "ConfigMap", models.SystemNamespace, cm.Name})
}

// resourceVersions returns each object's resourceVersion, failing when one is missing or
// was not applied by the panel's field manager.
func (rc *realCluster) resourceVersions(t *testing.T, refs []ref) map[ref]string {
	t.Helper()
	out := map[ref]string{}
	for _, r := range refs {
		u, err := rc.applier.Get(context.Background(), schema.FromAPIVersionAndKind(r.APIVersion, r.Kind), r.Namespace, r.Name)
		if err != nil {
			t.Fatalf("%v: %v", r, err)
		}
		applied := false
		for _, mf := range u.GetManagedFields() {
			applied = applied || (mf.Manager == addons.FieldManager && mf.Operation == metav1.ManagedFieldsOperationApply)
		}
		if !applied {
			t.Errorf("%v is not applied by %s: %v", r, addons.FieldManager, u.GetManagedFields())
		}
		out[r] = u.GetResourceVersion()
	}
	return out
}

func healthOf(t *testing.T, in *addons.Installer, kc []byte, name string) addons.Health {
	t.Helper()
	hs, err := in.Health(context.Background(), addons.Target{Name: "prod", BaseDomain: "example.com", Kubeconfig: kc})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if h.Addon.Name == name {
			return h
		}
	}
	t.Fatalf("no health of %s", name)
	return addons.Health{}
}

// TestCatalogOnRealAPIServer applies the embedded catalog, and a test catalog's upgrade
// and removal, to a real kube-apiserver.
func TestCatalogOnRealAPIServer(t *testing.T) {
	rc := startCluster(t)
	ctx := context.Background()
	target := addons.Target{Name: "prod", BaseDomain: "example.com", Kubeconfig: rc.kubeconfig}
	var progress []string
	note := func(s string) { progress = append(progress, s) }

	embedded, err := addons.LoadCatalog(addons.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	in := installer(t, embedded)

	t.Run("the catalog applies as the panel's field manager and a second run changes nothing", func(t *testing.T) {
		began := time.Now()
		if err := in.InstallDefaults(ctx, target, note); err != nil {
			t.Fatal(err)
		}
		t.Logf("installed every add-on in %s: %s", time.Since(began).Round(time.Millisecond), strings.Join(progress, "; "))
		before := map[ref]string{}
		for _, a := range embedded.Addons() {
			for r, rv := range rc.resourceVersions(t, rc.recorded(t, a.Name)) {
				before[r] = rv
			}
		}
		if len(before) < 60 {
			t.Errorf("only %d objects recorded", len(before))
		}
		progress = nil
		if err := in.InstallDefaults(ctx, target, note); err != nil {
			t.Fatal(err)
		}
		for _, p := range progress {
			if !strings.Contains(p, "(0 changed,") {
				t.Errorf("second run: %s", p)
			}
		}
		after := rc.resourceVersions(t, slices.Collect(func(yield func(ref) bool) {
			for r := range before {
				if !yield(r) {
					return
				}
			}
		}))
		for r, rv := range before {
			if after[r] != rv {
				t.Errorf("%v changed on the second run: resourceVersion %s → %s", r, rv, after[r])
			}
		}
		// Velero's API is served now: the provisioning bootstrap makes its schedule.
		if ok, err := kube.VeleroInstalled(rc.cs); err != nil || !ok {
			t.Errorf("Velero installed: %v, %v", ok, err)
		}
		ing, err := rc.cs.NetworkingV1().Ingresses("kaas-monitoring").Get(ctx, "grafana", metav1.GetOptions{})
		if err != nil || ing.Spec.Rules[0].Host != "grafana.prod.example.com" {
			t.Errorf("grafana's ingress: %v", err)
		}
		svc, err := rc.cs.CoreV1().Services("kaas-ingress").Get(ctx, "ingress-nginx-controller", metav1.GetOptions{})
		if err != nil || svc.Annotations["external-dns.alpha.kubernetes.io/hostname"] != "*.prod.example.com" {
			t.Errorf("the ingress controller's Service carries the wildcard host: %v", err)
		}
	})

	t.Run("without nodes no add-on is up", func(t *testing.T) {
		hs, err := in.Health(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			if h.Status != addons.StatusDown && h.Status != addons.StatusProgressing {
				t.Errorf("%s is %s (%s) on a cluster without nodes", h.Addon.Name, h.Status, h.Message)
			}
			if h.Ready != 0 {
				t.Errorf("%s: %d replicas ready", h.Addon.Name, h.Ready)
			}
		}
		if h := healthOf(t, in, rc.kubeconfig, "ingress"); h.Desired != 2 || h.Installed != "1.12.1" {
			t.Errorf("ingress: %d desired at %s, want 2 at 1.12.1", h.Desired, h.Installed)
		}
	})

	t.Run("moving ingress between its versions changes the controller and its configuration only", func(t *testing.T) {
		refs := rc.recorded(t, "ingress")
		at1121 := rc.resourceVersions(t, refs)
		res, err := in.Run(ctx, target, addons.ActionUpgrade, "ingress", "1.11.3", note)
		if err != nil {
			t.Fatal(err)
		}
		// The Deployment, its ConfigMap and the inventory.
		if res.Changed != 2 || res.Deleted != 0 {
			t.Errorf("1.12.1 → 1.11.3: %s", res)
		}
		at1113 := rc.resourceVersions(t, refs)
		var changed []string
		for _, r := range refs {
			if at1121[r] != at1113[r] {
				changed = append(changed, r.Kind+" "+r.Name)
			}
		}
		want := []string{"ConfigMap ingress-nginx-controller", "Deployment ingress-nginx-controller", "ConfigMap kaas-addon-ingress"}
		if !slices.Equal(changed, want) {
			t.Errorf("changed %v, want %v", changed, want)
		}
		d, _ := rc.cs.AppsV1().Deployments("kaas-ingress").Get(ctx, "ingress-nginx-controller", metav1.GetOptions{})
		if img := d.Spec.Template.Spec.Containers[0].Image; !strings.HasSuffix(img, ":v1.11.3") {
			t.Errorf("image %s", img)
		}
		if _, err := in.Run(ctx, target, addons.ActionUpgrade, "ingress", "", note); err != nil {
			t.Fatal(err)
		}
		if h := healthOf(t, in, rc.kubeconfig, "ingress"); h.Installed != "1.12.1" {
			t.Errorf("upgraded to %s", h.Installed)
		}
	})

	demoCatalog, err := addons.LoadCatalog(os.DirFS("testdata/catalog"))
	if err != nil {
		t.Fatal(err)
	}
	demo := installer(t, demoCatalog)
	deploy := ref{"apps/v1", "Deployment", "kaas-demo", "demo"}
	agent := ref{"apps/v1", "DaemonSet", "kaas-demo", "demo-agent"}
	config := ref{"v1", "ConfigMap", "kaas-demo", "demo-config"}
	oldSvc := ref{"v1", "Service", "kaas-demo", "demo-old"}
	extra := ref{"v1", "ConfigMap", "kaas-demo", "demo-extra"}
	namespace := ref{"v1", "Namespace", "", "kaas-demo"}

	t.Run("an upgrade changes only what changed", func(t *testing.T) {
		res, err := demo.Run(ctx, target, addons.ActionInstall, "demo", "1.0.0", note)
		if err != nil {
			t.Fatal(err)
		}
		if res.Applied != 5 || res.Changed != 5 {
			t.Errorf("install: %s", res)
		}
		v1 := rc.resourceVersions(t, []ref{namespace, deploy, agent, config, oldSvc})
		res, err = demo.Run(ctx, target, addons.ActionUpgrade, "demo", "2.0.0", note)
		if err != nil {
			t.Fatal(err)
		}
		if res != (addons.Result{Applied: 5, Changed: 2, Deleted: 1}) {
			t.Errorf("upgrade: %s, want 5 applied, 2 changed, 1 deleted", res)
		}
		v2 := rc.resourceVersions(t, []ref{namespace, deploy, agent, config, extra})
		for _, r := range []ref{namespace, deploy, agent} {
			if v1[r] != v2[r] {
				t.Errorf("%v changed (%s → %s), but 2.0.0 has it as 1.0.0 did", r, v1[r], v2[r])
			}
		}
		if v1[config] == v2[config] {
			t.Errorf("%v did not change", config)
		}
		cm, _ := rc.cs.CoreV1().ConfigMaps("kaas-demo").Get(ctx, "demo-config", metav1.GetOptions{})
		if cm.Data["greeting"] != "hello again from prod" || cm.Data["host"] != "*.prod.example.com" {
			t.Errorf("demo-config: %v", cm.Data)
		}
		if _, err := rc.cs.CoreV1().Services("kaas-demo").Get(ctx, "demo-old", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("the Service 2.0.0 dropped: %v", err)
		}
		if h := healthOf(t, demo, rc.kubeconfig, "demo"); h.Installed != "2.0.0" {
			t.Errorf("installed %s", h.Installed)
		}
	})

	t.Run("playNodeReady: workloads whose status says ready are UP", func(t *testing.T) {
		if h := healthOf(t, demo, rc.kubeconfig, "demo"); h.Status == addons.StatusUp {
			t.Fatalf("UP before any node played its part: %+v", h)
		}
		playNodeReady(t, rc.cs, 2, 1)
		h := healthOf(t, demo, rc.kubeconfig, "demo")
		if h.Status != addons.StatusUp || h.Ready != 3 || h.Desired != 3 {
			t.Errorf("after playNodeReady: %s %d/%d (%s)", h.Status, h.Ready, h.Desired, h.Message)
		}
		playNodeReady(t, rc.cs, 1, 1)
		if h := healthOf(t, demo, rc.kubeconfig, "demo"); h.Status != addons.StatusProgressing || h.Ready != 2 {
			t.Errorf("one replica lost: %s %d/%d", h.Status, h.Ready, h.Desired)
		}
		playNodeReady(t, rc.cs, 2, 0)
		if h := healthOf(t, demo, rc.kubeconfig, "demo"); h.Status != addons.StatusDown {
			t.Errorf("the agent's node lost: %s (%s)", h.Status, h.Message)
		}
	})

	t.Run("remove deletes what the add-on made", func(t *testing.T) {
		res, err := demo.Run(ctx, target, addons.ActionRemove, "demo", "", note)
		if err != nil {
			t.Fatal(err)
		}
		if res.Deleted != 5 {
			t.Errorf("remove: %s", res)
		}
		for _, r := range []ref{deploy, agent, config, extra} {
			if _, err := rc.applier.Get(ctx, schema.FromAPIVersionAndKind(r.APIVersion, r.Kind), r.Namespace, r.Name); models.ErrorCode(err) != models.CodeNotFound {
				t.Errorf("%v after remove: %v", r, err)
			}
		}
		// Without a controller manager the namespace stays Terminating.
		ns, err := rc.cs.CoreV1().Namespaces().Get(ctx, "kaas-demo", metav1.GetOptions{})
		if err == nil && ns.DeletionTimestamp == nil {
			t.Errorf("namespace kaas-demo is not being deleted")
		}
		if h := healthOf(t, demo, rc.kubeconfig, "demo"); h.Status != addons.StatusNotInstalled {
			t.Errorf("after remove: %s", h.Status)
		}
		// Removing the CNI leaves kube-system, where it lived.
		if _, err := in.Run(ctx, target, addons.ActionRemove, "cni", "", note); err != nil {
			t.Fatal(err)
		}
		if _, err := rc.cs.AppsV1().DaemonSets("kube-system").Get(ctx, "kube-flannel", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("flannel after remove: %v", err)
		}
		if ns, err := rc.cs.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{}); err != nil || ns.DeletionTimestamp != nil {
			t.Errorf("kube-system: %v", err)
		}
	})
}

// playNodeReady plays the part of nodes and the workload controllers, which this
// cluster does not have: it writes the status subresource of the test add-on's Deployment
// (ready replicas) and DaemonSet (nodes it runs on, all ready) as they would.
func playNodeReady(t *testing.T, cs kubernetes.Interface, deploymentReady, agentNodes int32) {
	t.Helper()
	ctx := context.Background()
	d, err := cs.AppsV1().Deployments("kaas-demo").Get(ctx, "demo", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: *d.Spec.Replicas, UpdatedReplicas: *d.Spec.Replicas,
		ReadyReplicas: deploymentReady, AvailableReplicas: deploymentReady}
	if _, err := cs.AppsV1().Deployments("kaas-demo").UpdateStatus(ctx, d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	ds, err := cs.AppsV1().DaemonSets("kaas-demo").Get(ctx, "demo-agent", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ds.Status = appsv1.DaemonSetStatus{ObservedGeneration: ds.Generation, DesiredNumberScheduled: agentNodes, CurrentNumberScheduled: agentNodes,
		NumberReady: agentNodes, UpdatedNumberScheduled: agentNodes, NumberAvailable: agentNodes}
	if _, err := cs.AppsV1().DaemonSets("kaas-demo").UpdateStatus(ctx, ds, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}
