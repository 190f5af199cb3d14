package kube_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"

	"kaas/internal/testenv"
	"kaas/kube"
	"kaas/localcluster"
)

// startCluster starts a real etcd, kube-apiserver and controller manager for the test.
func startCluster(t *testing.T) kubernetes.Interface {
	t.Helper()
	bin := os.Getenv("KAAS_KUBE_BIN_DIR")
	if bin == "" {
		t.Fatal("KAAS_KUBE_BIN_DIR is not set: run `make test`")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := localcluster.Start(ctx, localcluster.Options{BinDir: bin, Dir: t.TempDir(), Name: "drain", ControllerManager: true})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	cs, _, err := kube.Client(c.AdminKubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestDrainEvictsHonoursBudgetsAndDeletesTheNode(t *testing.T) {
	cs := startCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	testenv.RegisterNode(t, cs, "worker-2")
	testenv.RegisterNode(t, cs, "worker-1")
	for _, p := range []*corev1.Pod{
		testenv.PodOn("web", "default", "worker-2", map[string]string{"app": "web"}, nil),
		testenv.PodOn("batch", "default", "worker-2", nil, nil),
		testenv.PodOn("static", "default", "worker-2", nil, map[string]string{corev1.MirrorPodAnnotationKey: "x"}),
		testenv.PodOn("elsewhere", "default", "worker-1", nil, nil),
	} {
		if _, err := cs.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create pod %s: %v", p.Name, err)
		}
	}
	// web runs and is ready, as its kubelet would report (a pending pod may always be
	// evicted; a running one only as its budget allows).
	web, err := cs.CoreV1().Pods("default").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	web.Status.Phase = corev1.PodRunning
	web.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()}}
	if _, err := cs.CoreV1().Pods("default").UpdateStatus(ctx, web, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("play web's kubelet: %v", err)
	}
	// A budget that allows no disruption of web: the drain must wait for it.
	one := intstr.FromInt32(1)
	pdb := &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec:       policyv1.PodDisruptionBudgetSpec{MinAvailable: &one, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}},
	}
	if _, err := cs.PolicyV1().PodDisruptionBudgets("default").Create(ctx, pdb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	testenv.PlayKubelets(t, cs, "worker-2")

	var mu sync.Mutex
	var said []string
	say := func(s string) { mu.Lock(); said = append(said, s); mu.Unlock() }
	done := make(chan error, 1)
	go func() { done <- kube.Drain(ctx, cs, "worker-2", say) }()

	// While the budget stands, web stays and the node stays.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := cs.CoreV1().Pods("default").Get(ctx, "batch", metav1.GetOptions{})
		if err != nil {
			break // batch was evicted and ended
		}
		if time.Now().After(deadline) {
			t.Fatal("batch was not evicted within 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("Drain returned while a budget forbade evicting web: %v", err)
	case <-time.After(2 * time.Second):
	}
	if p, err := cs.CoreV1().Pods("default").Get(ctx, "web", metav1.GetOptions{}); err != nil || p.DeletionTimestamp != nil {
		t.Fatalf("web was evicted against its budget: %v", err)
	}
	n, err := cs.CoreV1().Nodes().Get(ctx, "worker-2", metav1.GetOptions{})
	if err != nil || !n.Spec.Unschedulable {
		t.Fatalf("worker-2 during the drain: %v, unschedulable=%v", err, err == nil && n.Spec.Unschedulable)
	}
	// The budget goes: the drain finishes.
	if err := cs.PolicyV1().PodDisruptionBudgets("default").Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if _, err := cs.CoreV1().Nodes().Get(ctx, "worker-2", metav1.GetOptions{}); err == nil {
		t.Error("worker-2 still exists after the drain")
	}
	if _, err := cs.CoreV1().Pods("default").Get(ctx, "web", metav1.GetOptions{}); err == nil {
		t.Error("web is still there")
	}
	if p, err := cs.CoreV1().Pods("default").Get(ctx, "static", metav1.GetOptions{}); err == nil && p.DeletionTimestamp != nil {
		t.Error("the drain evicted a static pod")
	}
	if p, err := cs.CoreV1().Pods("default").Get(ctx, "elsewhere", metav1.GetOptions{}); err != nil || p.DeletionTimestamp != nil {
		t.Errorf("a pod of another node was touched: %v", err)
	}
	if _, err := cs.CoreV1().Nodes().Get(ctx, "worker-1", metav1.GetOptions{}); err != nil {
		t.Errorf("worker-1: %v", err)
	}
	mu.Lock()
	joined := strings.Join(said, "\n")
	mu.Unlock()
	for _, want := range []string{"cordoned", "evicted default/batch", "evicted default/web", "drained and deleted"} {
		if !strings.Contains(joined, want) {
			t.Errorf("progress lacks %q:\n%s", want, joined)
		}
	}
	// Draining a node that is gone is a no-op.
	if err := kube.Drain(ctx, cs, "worker-2", say); err != nil {
		t.Errorf("second drain: %v", err)
	}
}
