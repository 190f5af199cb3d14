package addons

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"kaas/models"
)

// Status is an add-on's or a workload's health.
type Status string

// The health of an add-on, worst first.
const (
	// StatusDown: a workload has no ready replica, or an object is missing.
	StatusDown Status = "DOWN"
	// StatusProgressing: some replicas are ready, or a change is being rolled out.
	StatusProgressing Status = "PROGRESSING"
	// StatusUp: every workload has all its replicas ready.
	StatusUp Status = "UP"
	// StatusNotInstalled: the add-on is in the catalog but not on the cluster.
	StatusNotInstalled Status = "NOT_INSTALLED"
)

func worse(a, b Status) Status {
	rank := map[Status]int{StatusDown: 0, StatusProgressing: 1, StatusUp: 2}
	if rank[b] < rank[a] {
		return b
	}
	return a
}

// Workload is the readiness of one Deployment, DaemonSet or StatefulSet.
type Workload struct {
	Kind, Namespace, Name string
	Ready, Desired        int
	Status                Status
	Message               string
}

// Health is one add-on of the catalog on one cluster.
type Health struct {
	Addon Addon
	// Installed is the version on the cluster, empty when not installed.
	Installed string
	Status    Status
	// Ready and Desired add up the replicas of the add-on's workloads.
	Ready, Desired int
	Workloads      []Workload
	Message        string
}

// Health reports every add-on of the catalog on the cluster: for an installed one, the
// readiness of its workloads as the cluster's own objects say (ready replicas against
// desired ones).
func (in *Installer) Health(ctx context.Context, t Target) ([]Health, error) {
	cl, err := in.Connect(t.Kubeconfig)
	if err != nil {
		return nil, err
	}
	var out []Health
	for _, a := range in.Catalog.Addons() {
		h, err := health(ctx, cl, a)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

func health(ctx context.Context, cl Cluster, a Addon) (Health, error) {
	h := Health{Addon: a, Status: StatusNotInstalled, Workloads: []Workload{}}
	inv, err := readInventory(ctx, cl, a.Name)
	if err != nil || inv == nil {
		return h, err
	}
	h.Installed, h.Status = inv.Version, StatusUp
	missing := 0
	for _, r := range sortedRefs(inv.Objects) {
		u, err := cl.Get(ctx, r.gvk(), r.Namespace, r.Name)
		// A kind the cluster no longer serves (its CRD deleted) is as missing as the object.
		if code := models.ErrorCode(err); code == models.CodeNotFound || code == models.CodeInvalid {
			missing++
			if workloadKinds[r.Kind] {
				h.Workloads = append(h.Workloads, Workload{Kind: r.Kind, Namespace: r.Namespace, Name: r.Name, Status: StatusDown, Message: "missing"})
			}
			h.Status = StatusDown
			continue
		}
		if err != nil {
			return Health{}, err
		}
		if !workloadKinds[r.Kind] {
			continue
		}
		w := workloadHealth(u)
		h.Workloads = append(h.Workloads, w)
		h.Ready += w.Ready
		h.Desired += w.Desired
		h.Status = worse(h.Status, w.Status)
	}
	switch {
	case missing > 0:
		h.Message = fmt.Sprintf("%d of its objects are missing", missing)
	case len(h.Workloads) == 0:
		h.Message = "no workloads: every object is there"
	default:
		h.Message = fmt.Sprintf("%d/%d replicas ready", h.Ready, h.Desired)
	}
	return h, nil
}

// workloadHealth reads a workload's readiness from its status, as its controller (and the
// kubelets) wrote it.
func workloadHealth(u *unstructured.Unstructured) Workload {
	num := func(f ...string) int { n, _, _ := unstructured.NestedInt64(u.Object, f...); return int(n) }
	w := Workload{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
	updated := 0
	switch w.Kind {
	case "DaemonSet":
		w.Desired, w.Ready, updated = num("status", "desiredNumberScheduled"), num("status", "numberReady"), num("status", "updatedNumberScheduled")
	default: // Deployment, StatefulSet
		w.Desired = 1
		if n, found, _ := unstructured.NestedInt64(u.Object, "spec", "replicas"); found {
			w.Desired = int(n)
		}
		w.Ready, updated = num("status", "readyReplicas"), num("status", "updatedReplicas")
	}
	observed := int64(num("status", "observedGeneration"))
	switch {
	case observed < u.GetGeneration():
		w.Status, w.Message = StatusProgressing, "its controller has not acted on the latest change yet"
	case w.Kind == "DaemonSet" && w.Desired == 0:
		w.Status, w.Message = StatusDown, "no node to run on"
	case w.Ready == 0 && w.Desired > 0:
		w.Status, w.Message = StatusDown, "no replica is ready"
	case w.Ready < w.Desired || updated < w.Desired:
		w.Status, w.Message = StatusProgressing, fmt.Sprintf("%d of %d replicas ready, %d updated", w.Ready, w.Desired, updated)
	default:
		w.Status, w.Message = StatusUp, fmt.Sprintf("%d/%d replicas ready", w.Ready, w.Desired)
	}
	return w
}
