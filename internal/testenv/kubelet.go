package testenv

import (
	"context"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/kubernetes"
)

// RegisterNode plays a kubelet's first act on a cluster with no kubelet: it registers a
// Node object of the name.
func RegisterNode(tb testing.TB, cs kubernetes.Interface, name string) {
	tb.Helper()
	if _, err := cs.CoreV1().Nodes().Create(context.Background(), &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		tb.Fatalf("register node %s: %v", name, err)
	}
}

// PlayKubelets does what the nodes' kubelets would for pods being deleted on them: it
// ends them at once, until the test ends.
func PlayKubelets(tb testing.TB, cs kubernetes.Interface, nodes ...string) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		zero := int64(0)
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			for _, node := range nodes {
				pods, err := cs.CoreV1().Pods("").List(context.Background(), metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("spec.nodeName", node).String()})
				if err != nil {
					continue
				}
				for _, p := range pods.Items {
					if p.DeletionTimestamp != nil {
						_ = cs.CoreV1().Pods(p.Namespace).Delete(context.Background(), p.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
					}
				}
			}
		}
	}()
	tb.Cleanup(func() { close(stop); wg.Wait() })
}

// PodOn returns a pod bound to node (it never runs: no kubelet pulls its image).
func PodOn(name, namespace, node string, labels, annotations map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: labels, Annotations: annotations},
		Spec:       corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "app", Image: "registry.invalid/app:1"}}},
	}
}
