package e2e_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"kaas/internal/apptest"
)

type addonView struct {
	Name             string
	InstalledVersion *string
	Status           string
	ReadyReplicas    int
	DesiredReplicas  int
	Workloads        []struct{ Kind, Name, Status string }
}

func addonsOf(t *testing.T, c *apptest.Client, clusterID string) map[string]addonView {
	t.Helper()
	var out struct{ Addons []addonView }
	c.MustDo(`query($id:ID!){addons(clusterId:$id){name installedVersion status readyReplicas desiredReplicas workloads{kind name status}}}`, map[string]any{"id": clusterID}, &out)
	m := map[string]addonView{}
	for _, a := range out.Addons {
		m[a.Name] = a
	}
	return m
}

// TestAddonsThroughTheAPI has an operator install, upgrade and remove the ingress
// controller on a real adopted cluster through cluster.addon jobs, its admin read the
// health (never UP: the cluster has no nodes), and a regular user refused.
func TestAddonsThroughTheAPI(t *testing.T) {
	panel := apptest.Start(t, apptest.Config(t))
	alice := panel.Client(t)
	alice.Login("alice")
	cl := adopt(t, panel, "addons-e2e", false, roleID(t, alice, "demo-cluster-admin"))
	op := panel.Client(t)
	op.Login("oscar")
	opToken, _ := op.CreateToken("addons")
	ursula := panel.Client(t)
	ursula.Login("ursula")

	var cat struct {
		AddonCatalog []struct {
			Name     string
			Versions []string
		}
	}
	op.MustDo(`{addonCatalog{name versions}}`, nil, &cat)
	var names []string
	for _, a := range cat.AddonCatalog {
		names = append(names, a.Name)
		if a.Name == "ingress" && !slices.Equal(a.Versions, []string{"1.11.3", "1.12.1"}) {
			t.Errorf("ingress versions %v", a.Versions)
		}
	}
	if !slices.Equal(names, []string{"cinder-csi", "cni", "ingress", "logging", "monitoring", "registry", "velero"}) {
		t.Errorf("catalog %v", names)
	}

	// job runs an add-on mutation and returns the job's last event.
	job := func(mutation string, vars map[string]any) jobEvent {
		t.Helper()
		var out map[string]struct{ ID, Kind string }
		op.MustDo(mutation, vars, &out)
		for _, j := range out {
			if j.Kind != "cluster.addon" {
				t.Fatalf("job kind %s", j.Kind)
			}
			evs := progress(t, panel, opToken, j.ID, 0)
			return evs[len(evs)-1]
		}
		t.Fatal("no job")
		return jobEvent{}
	}
	install := `mutation($i:AddonJobInput!){installAddon(input:$i){id kind}}`
	upgrade := `mutation($i:AddonJobInput!){upgradeAddon(input:$i){id kind}}`
	ingress := func(version string) map[string]any {
		return map[string]any{"i": map[string]any{"clusterId": cl.ID, "name": "ingress", "version": version}}
	}

	if last := job(install, ingress("1.11.3")); last.Status != "succeeded" {
		t.Fatalf("install: %+v", last)
	}
	as := addonsOf(t, alice, cl.ID)
	ing := as["ingress"]
	if ing.InstalledVersion == nil || *ing.InstalledVersion != "1.11.3" || ing.DesiredReplicas != 2 || ing.ReadyReplicas != 0 ||
		(ing.Status != "DOWN" && ing.Status != "PROGRESSING") {
		t.Errorf("ingress after install on a cluster without nodes: %+v", ing)
	}
	if as["cni"].Status != "NOT_INSTALLED" || as["cni"].InstalledVersion != nil {
		t.Errorf("cni: %+v", as["cni"])
	}
	managers, stderr, err := cl.kc.Kubectl(context.Background(), "", "get", "deployment", "-n", "kaas-ingress", "ingress-nginx-controller",
		"-o", "jsonpath={.metadata.managedFields[*].manager}")
	if err != nil || !strings.Contains(managers, "kaas-panel") {
		t.Errorf("field managers %q: %v %s", managers, err, stderr)
	}

	if last := job(install, ingress("1.12.1")); last.Status != "failed" || !strings.Contains(last.Message, "upgrade it instead") {
		t.Errorf("install over 1.11.3: %+v", last)
	}
	if r := op.Do(upgrade, ingress("9.9.9"), nil); r.Code() != "INVALID" {
		t.Errorf("unknown version: %+v", r.Errors)
	}
	if last := job(upgrade, ingress("")); last.Status != "succeeded" {
		t.Fatalf("upgrade: %+v", last)
	}
	if v := addonsOf(t, op, cl.ID)["ingress"].InstalledVersion; v == nil || *v != "1.12.1" {
		t.Errorf("after upgrade: %v", v)
	}

	if r := ursula.Do(`query($id:ID!){addons(clusterId:$id){name}}`, map[string]any{"id": cl.ID}, nil); r.Code() != "FORBIDDEN" {
		t.Errorf("ursula reads add-ons: %+v", r.Errors)
	}
	if r := alice.Do(`mutation($id:ID!){removeAddon(clusterId:$id,name:"ingress"){id}}`, map[string]any{"id": cl.ID}, nil); r.Code() != "FORBIDDEN" {
		t.Errorf("alice (admin, no operator) removes an add-on: %+v", r.Errors)
	}

	var c struct {
		Cluster struct{ WildcardHost, HealthzURL, CaPEM string }
	}
	ursula.MustDo(`query($id:ID!){cluster(id:$id){wildcardHost healthzURL caPEM}}`, map[string]any{"id": cl.ID}, &c)
	if c.Cluster.WildcardHost != "*.addons-e2e.kaas.test" || c.Cluster.HealthzURL != cl.kc.APIURL()+"/healthz" {
		t.Errorf("cluster %+v", c.Cluster)
	}
	// The healthz URL answers anyone, as a customer's monitoring would ask it.
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(c.Cluster.CaPEM))
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := hc.Get(c.Cluster.HealthzURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok" {
		t.Errorf("anonymous %s: %d %q", c.Cluster.HealthzURL, resp.StatusCode, body)
	}

	if last := job(`mutation($id:ID!){removeAddon(clusterId:$id,name:"ingress"){id kind}}`, map[string]any{"id": cl.ID}); last.Status != "succeeded" {
		t.Fatalf("remove: %+v", last)
	}
	if a := addonsOf(t, alice, cl.ID)["ingress"]; a.Status != "NOT_INSTALLED" {
		t.Errorf("after remove: %+v", a)
	}
	if _, _, err := cl.kc.Kubectl(context.Background(), "", "get", "deployment", "-n", "kaas-ingress", "ingress-nginx-controller"); err == nil {
		t.Errorf("the controller's Deployment is still there")
	}
}
