package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kaas/internal/apptest"
	"kaas/internal/testenv"
)

// TestKubernetesNamesCannotCollideOrClaimSystem attacks the user-name rule from outside:
// a Keystone user named like a Kubernetes component gets no identity on a real cluster,
// an alice of another domain is alice@<domain> there, and the real RBAC authorizer keeps a
// binding for one alice from granting the other.
func TestKubernetesNamesCannotCollideOrClaimSystem(t *testing.T) {
	panel := apptest.Start(t, apptest.Config(t))
	kc := startCluster(t, t.TempDir(), "e2e-names", plainWebhook(t, panel.URL), "")
	ks := testenv.NewKeystoneAdmin(t)
	domain := testenv.RandomName("e2e-other-")
	domainID := ks.CreateDomain(domain)
	otherAliceID := ks.CreateUserIn(domainID, "alice", "other-alice-pass")
	ks.CreateUserIn("default", "system:kube-controller-manager", "kcm-pass")

	// The component's name: the token exists, the cluster refuses it.
	kcm := panel.Client(t)
	if r := kcm.LoginAs("system:kube-controller-manager", "kcm-pass", ""); len(r.Errors) > 0 {
		t.Fatalf("login: %+v", r.Errors)
	}
	var viewer struct {
		Viewer struct{ KubernetesUsername *string }
	}
	kcm.MustDo(`{viewer{kubernetesUsername}}`, nil, &viewer)
	if viewer.Viewer.KubernetesUsername != nil {
		t.Fatalf("kubernetesUsername of system:kube-controller-manager = %q; want null", *viewer.Viewer.KubernetesUsername)
	}
	kcmSecret, _ := kcm.CreateToken("pose")
	if w, err := kubectlWhoami(t, kc, kcmSecret); err == nil || !unauthorized(err.Error()) {
		t.Fatalf("whoami as system:kube-controller-manager = %+v, %v; want Unauthorized", w, err)
	}

	alice := panel.Client(t)
	aliceID := alice.Login("alice")
	aliceSecret, _ := alice.CreateToken("alice")
	other := panel.Client(t)
	if r := other.LoginAs("alice", "other-alice-pass", domain); len(r.Errors) > 0 {
		t.Fatalf("login of the other alice: %+v", r.Errors)
	}
	otherSecret, _ := other.CreateToken("other")
	for _, c := range []struct{ secret, uid, want string }{{aliceSecret, aliceID, "alice"}, {otherSecret, otherAliceID, "alice@" + domain}} {
		w, err := kubectlWhoami(t, kc, c.secret)
		if err != nil || w.Status.UserInfo.Username != c.want || w.Status.UserInfo.UID != c.uid {
			t.Fatalf("whoami = %+v, %v; want %s (%s)", w.Status.UserInfo, err, c.want, c.uid)
		}
	}

	// A binding for the default domain's alice, made through the panel by a cluster
	// admin (alice herself, through the demo cluster-admin role).
	operator := panel.Client(t)
	operator.Login("oscar")
	var adopted struct {
		AdoptCluster struct{ ID string } `json:"adoptCluster"`
	}
	operator.MustDo(`mutation($i:AdoptClusterInput!){adoptCluster(input:$i){id}}`, map[string]any{"i": map[string]any{
		"name": "e2e-names", "baseDomain": "kaas.test", "kubeconfig": string(kc.AdminKubeconfig()),
		"adminRoleIds": []string{ks.RoleID("demo-cluster-admin")},
	}}, &adopted)
	bind := func(name, userID string) apptest.Response {
		return alice.Do(`mutation($i:CreateBindingInput!){createBinding(input:$i){subjects{id}}}`, map[string]any{"i": map[string]any{
			"clusterId": adopted.AdoptCluster.ID, "name": name, "roleName": "cluster-admin", "subjectKind": "KEYSTONE_USER", "subjectId": userID,
		}}, nil)
	}
	if r := bind("e2e-alice", aliceID); len(r.Errors) > 0 {
		t.Fatalf("bind alice: %+v", r.Errors)
	}
	getNS := func(secret string) error {
		_, stderr, err := kc.Kubectl(context.Background(), secret, "get", "ns", "-o", "name")
		return errorWith(err, stderr)
	}
	eventually(t, "the binding lets the default domain's alice in", 30*time.Second, func() error {
		if _, stderr, err := kc.Kubectl(context.Background(), aliceSecret, "get", "ns"); err != nil {
			return errorWith(err, stderr)
		}
		return nil
	})
	if err := getNS(otherSecret); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Fatalf("the other domain's alice with alice's binding: %v; want Forbidden", err)
	}

	// A user whose Kubernetes name is refused cannot be a binding subject.
	var kcmViewer struct{ Viewer struct{ ID string } }
	kcm.MustDo(`{viewer{id}}`, nil, &kcmViewer)
	if r := bind("e2e-kcm", kcmViewer.Viewer.ID); r.Code() != "INVALID" || !strings.Contains(r.Errors[0].Message, "system:") {
		t.Fatalf("binding system:kube-controller-manager: %+v; want INVALID naming the reserved prefix", r.Errors)
	}
}
