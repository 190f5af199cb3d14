package kube

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"kaas/models"
)

// Health asks the kube-apiserver's /healthz and returns whether it is healthy and what
// it said (or why it could not be asked).
func Health(ctx context.Context, cs kubernetes.Interface) (bool, string) {
	body, err := cs.Discovery().RESTClient().Get().AbsPath("/healthz").DoRaw(ctx)
	if err != nil {
		return false, models.ErrorMessage(MapError(err, "healthz"))
	}
	msg := strings.TrimSpace(string(body))
	return msg == "ok", msg
}

// Nodes lists the cluster's nodes with their capacity.
func Nodes(ctx context.Context, cs kubernetes.Interface) ([]models.KubeNode, error) {
	list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, MapError(err, "list nodes")
	}
	out := make([]models.KubeNode, 0, len(list.Items))
	for _, n := range list.Items {
		node := models.KubeNode{Name: n.Name, KubeletVersion: n.Status.NodeInfo.KubeletVersion}
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady {
				node.Ready = c.Status == corev1.ConditionTrue
			}
		}
		for label := range n.Labels {
			if role, ok := strings.CutPrefix(label, "node-role.kubernetes.io/"); ok && role != "" {
				node.Roles = append(node.Roles, role)
			}
		}
		if q, ok := n.Status.Capacity[corev1.ResourceCPU]; ok {
			node.VCPU = int(q.Value())
		}
		if q, ok := n.Status.Capacity[corev1.ResourceMemory]; ok {
			node.MemoryBytes = float64(q.Value())
		}
		if q, ok := n.Status.Capacity[corev1.ResourceEphemeralStorage]; ok {
			node.StorageBytes = float64(q.Value())
		}
		out = append(out, node)
	}
	return out, nil
}
