package kube

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// drainPoll is how often Drain looks again at evictions a disruption budget refused and
// at pods still terminating.
const drainPoll = time.Second

// Drain takes a node out of its cluster as `kubectl drain` and `kubectl delete node` do:
// it marks the node unschedulable, evicts its pods through the Eviction API (so
// PodDisruptionBudgets hold: a refused eviction is tried again), waits until they are
// gone, then deletes the Node. Pods of DaemonSets and static (mirror) pods stay, as
// kubectl leaves them: they go with the node. A node that is already gone is drained.
// It waits as long as ctx allows; say passes what it is doing.
func Drain(ctx context.Context, cs kubernetes.Interface, node string, say func(string)) error {
	patch := []byte(`{"spec":{"unschedulable":true}}`)
	if _, err := cs.CoreV1().Nodes().Patch(ctx, node, types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return MapError(err, "cordon node "+node)
	}
	say("node " + node + " is cordoned")
	for {
		pods, err := evictable(ctx, cs, node)
		if err != nil {
			return err
		}
		if len(pods) == 0 {
			break
		}
		for _, p := range pods {
			if p.DeletionTimestamp != nil {
				continue
			}
			ev := &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace}}
			err := cs.PolicyV1().Evictions(p.Namespace).Evict(ctx, ev)
			switch {
			case err == nil:
				say("evicted " + p.Namespace + "/" + p.Name)
			case apierrors.IsNotFound(err):
			case apierrors.IsTooManyRequests(err):
				// A disruption budget says not now: try again on the next round.
			default:
				return MapError(err, "evict "+p.Namespace+"/"+p.Name)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("drain node %s: %d pods left: %w", node, len(pods), ctx.Err())
		case <-time.After(drainPoll):
		}
	}
	if err := cs.CoreV1().Nodes().Delete(ctx, node, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return MapError(err, "delete node "+node)
	}
	say("node " + node + " is drained and deleted")
	return nil
}

// evictable lists the node's pods that a drain evicts.
func evictable(ctx context.Context, cs kubernetes.Interface, node string) ([]corev1.Pod, error) {
	list, err := cs.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("spec.nodeName", node).String(),
	})
	if err != nil {
		return nil, MapError(err, "list pods of node "+node)
	}
	var out []corev1.Pod
	for _, p := range list.Items {
		if _, mirror := p.Annotations[corev1.MirrorPodAnnotationKey]; mirror || ownedByDaemonSet(p) {
			continue
		}
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

func ownedByDaemonSet(p corev1.Pod) bool {
	for _, o := range p.OwnerReferences {
		if o.Kind == "DaemonSet" && o.Controller != nil && *o.Controller {
			return true
		}
	}
	return false
}
