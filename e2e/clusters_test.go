package e2e_test

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"kaas/internal/apptest"
	"kaas/internal/secretscan"
	"kaas/internal/testenv"
	"kaas/localcluster"
)

// adoptedCluster is a real cluster registered in a panel.
type adoptedCluster struct {
	ID   string
	Name string
	kc   *localcluster.Cluster
}

// adopt starts a real cluster, applies Velero's CRDs when asked, and has oscar (the
// operator) adopt it with the demo cluster admin role.
func adopt(t *testing.T, panel *apptest.Panel, name string, velero bool, adminRoleID string) adoptedCluster {
	t.Helper()
	kc := startCluster(t, t.TempDir(), name, plainWebhook(t, panel.URL), "")
	if velero {
		if _, stderr, err := kc.Kubectl(context.Background(), "", "apply", "-f", filepath.Join("testdata", "velero-crds.yaml")); err != nil {
			t.Fatalf("apply Velero CRDs: %v %s", err, stderr)
		}
		eventually(t, "Velero API served", 30*time.Second, func() error {
			_, stderr, err := kc.Kubectl(context.Background(), "", "get", "backups.velero.io", "-n", "velero")
			if err != nil {
				return errorWith(err, stderr)
			}
			return nil
		})
	}
	op := panel.Client(t)
	op.Login("oscar")
	input := map[string]any{"name": name, "baseDomain": "kaas.test", "kubeconfig": string(kc.AdminKubeconfig())}
	if adminRoleID != "" {
		input["adminRoleIds"] = []string{adminRoleID}
	}
	var out struct{ AdoptCluster struct{ ID, Name string } }
	op.MustDo(`mutation($i:AdoptClusterInput!){adoptCluster(input:$i){id name}}`, map[string]any{"i": input}, &out)
	recordSealed(t, panel, out.AdoptCluster.ID)
	return adoptedCluster{ID: out.AdoptCluster.ID, Name: name, kc: kc}
}

// recordSealed puts the cluster's sealed credential in the run's secret ledger, as a
// log would show the bytes (base64).
func recordSealed(t *testing.T, panel *apptest.Panel, clusterID string) {
	t.Helper()
	c, err := panel.App.DB().Cluster(context.Background(), clusterID)
	if err != nil {
		t.Fatalf("read cluster %s: %v", clusterID, err)
	}
	testenv.RecordSecret(t, secretscan.KindSealed, base64.StdEncoding.EncodeToString(c.Credential))
}

func roleID(t *testing.T, c *apptest.Client, name string) string {
	t.Helper()
	var v struct {
		Viewer struct{ Roles []struct{ ID, Name string } }
	}
	c.MustDo(`{viewer{roles{id name}}}`, nil, &v)
	for _, r := range v.Viewer.Roles {
		if r.Name == name {
			return r.ID
		}
	}
	t.Fatalf("the viewer lacks role %s", name)
	return ""
}

// TestClusterAdministration runs the cluster admin's work against a real cluster:
// admin detection through a Keystone group, bindings visible to kubectl and honoured by
// the real RBAC, Velero backups, and bad input refused.
func TestClusterAdministration(t *testing.T) {
	panel := apptest.Start(t, apptest.Config(t))
	alice := panel.Client(t)
	alice.Login("alice")
	adminRole := roleID(t, alice, "demo-cluster-admin")
	cl := adopt(t, panel, "admin-e2e", true, adminRole)

	var v struct {
		Viewer struct {
			IsClusterAdmin bool
			ActiveCluster  struct {
				Name, Version string
				Health        struct{ Healthy bool }
				Nodes         []struct{ Name string }
				Services      []struct{ Name, URL, Status string }
				AdminRoles    []struct{ Name string }
			}
		}
	}
	alice.MustDo(`{viewer{isClusterAdmin activeCluster{name version health{healthy} nodes{name} services{name url status} adminRoles{name}}}}`, nil, &v)
	ac := v.Viewer.ActiveCluster
	if !v.Viewer.IsClusterAdmin || ac.Name != "admin-e2e" || !ac.Health.Healthy || !strings.HasPrefix(ac.Version, "v1.") {
		t.Fatalf("alice's view = %+v", v.Viewer)
	}
	if len(ac.Services) != 4 || ac.Services[0].URL != "https://kibana.admin-e2e.kaas.test" || len(ac.AdminRoles) != 1 || ac.AdminRoles[0].Name != "demo-cluster-admin" {
		t.Fatalf("services/admin roles = %+v", ac)
	}

	ursula := panel.Client(t)
	ursula.Login("ursula")
	var uv struct{ Viewer struct{ IsClusterAdmin bool } }
	ursula.MustDo(`{viewer{isClusterAdmin}}`, nil, &uv)
	if uv.Viewer.IsClusterAdmin {
		t.Fatal("ursula is not an admin of the cluster")
	}
	memberRole := roleID(t, ursula, "member")
	secret, _ := ursula.CreateToken("rbac")
	canList := func() error {
		_, stderr, err := cl.kc.Kubectl(context.Background(), secret, "get", "pods", "-n", "default")
		if err != nil {
			return errorWith(err, stderr)
		}
		return nil
	}
	if err := canList(); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Fatalf("before any binding ursula gets %v, want Forbidden", err)
	}

	t.Run("binding lifecycle honoured by the real RBAC", func(t *testing.T) {
		var created struct {
			CreateBinding struct {
				ID        string
				Protected bool
				Subjects  []struct{ Kind, ID, Name string }
			}
		}
		alice.MustDo(`mutation($i:CreateBindingInput!){createBinding(input:$i){id protected subjects{kind id name}}}`, map[string]any{"i": map[string]any{
			"name": "members-view", "roleName": "cluster-admin", "subjectKind": "KEYSTONE_ROLE", "subjectId": memberRole,
		}}, &created)
		if created.CreateBinding.ID != "members-view" || created.CreateBinding.Subjects[0].Name != "member" {
			t.Fatalf("created %+v", created)
		}
		out, stderr, err := cl.kc.Kubectl(context.Background(), "", "get", "clusterrolebinding", "members-view", "-o", "jsonpath={.roleRef.name} {.subjects[0].kind} {.subjects[0].name}")
		if err != nil || out != "cluster-admin Group "+memberRole {
			t.Fatalf("kubectl sees %q (%v %s)", out, err, stderr)
		}
		var list struct {
			Bindings []struct {
				ID        string
				Protected bool
				Subjects  []struct{ Kind, Name string }
			}
		}
		alice.MustDo(`{bindings{id protected subjects{kind name}}}`, nil, &list)
		found := false
		for _, b := range list.Bindings {
			found = found || (b.ID == "members-view" && !b.Protected && b.Subjects[0].Kind == "KEYSTONE_ROLE")
		}
		if !found {
			t.Fatalf("bindings = %+v", list)
		}
		eventually(t, "ursula, holding member, may list pods", 30*time.Second, canList)
		var del struct{ DeleteBinding bool }
		alice.MustDo(`mutation{deleteBinding(input:{name:"members-view"})}`, nil, &del)
		if _, _, err := cl.kc.Kubectl(context.Background(), "", "get", "clusterrolebinding", "members-view"); err == nil {
			t.Fatal("binding still on the cluster")
		}
		eventually(t, "ursula forbidden again", 30*time.Second, func() error {
			if err := canList(); err == nil || !strings.Contains(err.Error(), "Forbidden") {
				return errString("not forbidden yet")
			}
			return nil
		})
	})

	t.Run("Keystone user search: paged, admins only, bad input refused", func(t *testing.T) {
		ks := testenv.NewKeystoneAdmin(t)
		prefix := testenv.RandomName("srch") + "-"
		// Five users in Default, one in another domain; the search is case-free.
		for _, n := range []string{"e", "a", "d", "b", "c"} {
			ks.CreateUser(prefix+n, "pw-"+n)
		}
		domain := testenv.RandomName("eng")
		otherID := ks.CreateUserIn(ks.CreateDomain(domain), prefix+"c", "pw")
		type user struct {
			ID, Name, Domain   string
			KubernetesUsername *string
		}
		type page struct {
			KeystoneUsers struct {
				Users         []user
				Total, Offset int
				HasMore       bool
			}
		}
		const q = `query($c:ID,$s:String!,$o:Int,$l:Int){keystoneUsers(clusterId:$c,search:$s,offset:$o,limit:$l){users{id name domain kubernetesUsername} total offset hasMore}}`
		var got []string
		for offset := 0; ; offset += 4 {
			var p page
			alice.MustDo(q, map[string]any{"c": cl.ID, "s": strings.ToUpper(prefix), "o": offset, "l": 4}, &p)
			if p.KeystoneUsers.Total != 6 || p.KeystoneUsers.Offset != offset {
				t.Fatalf("page at %d = %+v", offset, p.KeystoneUsers)
			}
			for _, u := range p.KeystoneUsers.Users {
				k8s := "(refused)"
				if u.KubernetesUsername != nil {
					k8s = *u.KubernetesUsername
				}
				got = append(got, u.Name+" ("+u.Domain+") "+k8s)
				if u.Name == prefix+"c" && u.Domain == domain && u.ID != otherID {
					t.Errorf("the other domain's user has ID %s, want %s", u.ID, otherID)
				}
			}
			if !p.KeystoneUsers.HasMore {
				break
			}
		}
		want := []string{
			prefix + "a (Default) " + prefix + "a", prefix + "b (Default) " + prefix + "b",
			prefix + "c (Default) " + prefix + "c", prefix + "c (" + domain + ") " + prefix + "c@" + domain,
			prefix + "d (Default) " + prefix + "d", prefix + "e (Default) " + prefix + "e",
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("pages gave\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if r := ursula.Do(q, map[string]any{"c": cl.ID, "s": prefix}, nil); r.Code() != "FORBIDDEN" {
			t.Errorf("ursula searching users: %+v", r.Errors)
		}
		for _, tc := range []struct {
			name string
			vars map[string]any
		}{
			{"negative offset", map[string]any{"s": prefix, "o": -1}},
			{"limit 0", map[string]any{"s": prefix, "l": 0}},
			{"limit over 100", map[string]any{"s": prefix, "l": 101}},
			{"search too long", map[string]any{"s": strings.Repeat("x", 65)}},
			{"control character", map[string]any{"s": "a\x00b"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.vars["c"] = cl.ID
				if r := alice.Do(q, tc.vars, nil); r.Code() != "INVALID" || r.Errors[0].Message == "" {
					t.Fatalf("got %+v, want INVALID", r.Errors)
				}
			})
		}

		// A user chosen from the search is shown by name and domain, with the ID at hand.
		alice.MustDo(`mutation($i:CreateBindingInput!){createBinding(input:$i){id}}`, map[string]any{"i": map[string]any{
			"name": "searched-user-view", "roleName": "view", "subjectKind": "KEYSTONE_USER", "subjectId": otherID,
		}}, nil)
		t.Cleanup(func() { alice.Do(`mutation{deleteBinding(input:{name:"searched-user-view"})}`, nil, nil) })
		var list struct {
			Bindings []struct {
				ID       string
				Subjects []struct {
					Kind, ID, Name, Domain, KeystoneID string
				}
			}
		}
		alice.MustDo(`{bindings{id subjects{kind id name domain keystoneId}}}`, nil, &list)
		var subject string
		for _, b := range list.Bindings {
			if b.ID == "searched-user-view" && len(b.Subjects) == 1 {
				s := b.Subjects[0]
				subject = strings.Join([]string{s.Kind, s.ID, s.Name, s.Domain, s.KeystoneID}, " ")
			}
		}
		if want := strings.Join([]string{"KEYSTONE_USER", prefix + "c@" + domain, prefix + "c", domain, otherID}, " "); subject != want {
			t.Fatalf("subject = %q, want %q", subject, want)
		}
	})

	t.Run("bad input changes nothing", func(t *testing.T) {
		before, _, _ := cl.kc.Kubectl(context.Background(), "", "get", "clusterrolebindings,rolebindings", "-A", "-o", "name")
		cases := []struct {
			name  string
			input map[string]any
			code  string
		}{
			{"invalid name", map[string]any{"name": "Bad Name!", "roleName": "view", "subjectKind": "KEYSTONE_ROLE", "subjectId": memberRole}, "INVALID"},
			{"unknown ClusterRole", map[string]any{"name": "x1", "roleName": "no-such-role", "subjectKind": "KEYSTONE_ROLE", "subjectId": memberRole}, "INVALID"},
			{"unknown Keystone role", map[string]any{"name": "x2", "roleName": "view", "subjectKind": "KEYSTONE_ROLE", "subjectId": "0000"}, "INVALID"},
			{"unknown Keystone user", map[string]any{"name": "x3", "roleName": "view", "subjectKind": "KEYSTONE_USER", "subjectId": "0000"}, "INVALID"},
			{"protected namespace", map[string]any{"name": "x4", "namespace": "kube-system", "roleName": "view", "subjectKind": "KEYSTONE_ROLE", "subjectId": memberRole}, "INVALID"},
			{"system namespace", map[string]any{"name": "x5", "namespace": "kaas-system", "roleName": "view", "subjectKind": "KEYSTONE_ROLE", "subjectId": memberRole}, "INVALID"},
			{"missing namespace", map[string]any{"name": "x6", "namespace": "nowhere", "roleName": "view", "subjectKind": "KEYSTONE_ROLE", "subjectId": memberRole}, "INVALID"},
			{"reserved name", map[string]any{"name": "kaas:default-cluster-admin", "roleName": "view", "subjectKind": "KEYSTONE_ROLE", "subjectId": memberRole}, "INVALID"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := alice.Do(`mutation($i:CreateBindingInput!){createBinding(input:$i){id}}`, map[string]any{"i": tc.input}, nil)
				if r.Code() != tc.code || r.Errors[0].Message == "" {
					t.Fatalf("got %+v, want %s", r.Errors, tc.code)
				}
			})
		}
		if r := alice.Do(`mutation{deleteBinding(input:{name:"system:basic-user"})}`, nil, nil); r.Code() != "FORBIDDEN" {
			t.Errorf("deleting a system binding: %+v", r.Errors)
		}
		after, _, _ := cl.kc.Kubectl(context.Background(), "", "get", "clusterrolebindings,rolebindings", "-A", "-o", "name")
		if before != after {
			t.Fatal("bad input changed the cluster's bindings")
		}
		op := panel.Client(t)
		op.Login("oscar")
		fileCA := "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1', certificate-authority: /etc/ssl/certs/ca-certificates.crt}\n"
		for name, kubeconfig := range map[string]string{"garbage": "not: [a kubeconfig", "empty": "", "no server": "apiVersion: v1\nkind: Config\n",
			"local CA file": fileCA, "insecure": strings.Replace(fileCA, "certificate-authority: /etc/ssl/certs/ca-certificates.crt", "insecure-skip-tls-verify: true", 1)} {
			r := op.Do(`mutation($i:AdoptClusterInput!){adoptCluster(input:$i){id}}`, map[string]any{"i": map[string]any{"name": "bad-" + strings.ReplaceAll(name, " ", "-"), "baseDomain": "kaas.test", "kubeconfig": kubeconfig}}, nil)
			if r.Code() != "INVALID" {
				t.Errorf("adopt with %s kubeconfig: %+v", name, r.Errors)
			}
		}
		var cs struct{ Clusters []struct{ Name string } }
		op.MustDo(`{clusters{name}}`, nil, &cs)
		if len(cs.Clusters) != 1 {
			t.Errorf("bad adoptions registered clusters: %+v", cs)
		}
	})

	t.Run("backups", func(t *testing.T) {
		var b struct{ CreateBackup struct{ Name, Phase string } }
		alice.MustDo(`mutation{createBackup(input:{includedNamespaces:["default"]}){name phase}}`, nil, &b)
		if !strings.HasPrefix(b.CreateBackup.Name, "kaas-ondemand-") {
			t.Fatalf("backup = %+v", b)
		}
		out, _, err := cl.kc.Kubectl(context.Background(), "", "get", "backups.velero.io", "-n", "velero", b.CreateBackup.Name, "-o", "jsonpath={.spec.includedNamespaces[0]}")
		if err != nil || out != "default" {
			t.Fatalf("kubectl sees %q, %v", out, err)
		}
		var r struct {
			CreateRestore struct{ Name, BackupName string }
		}
		alice.MustDo(`mutation($b:String!){createRestore(input:{backupName:$b}){name backupName}}`, map[string]any{"b": b.CreateBackup.Name}, &r)
		var o struct {
			Backups struct {
				VeleroInstalled bool
				Backups         []struct{ Name string }
				Restores        []struct{ BackupName string }
			}
		}
		alice.MustDo(`{backups{veleroInstalled backups{name} restores{backupName}}}`, nil, &o)
		if !o.Backups.VeleroInstalled || len(o.Backups.Backups) != 1 || len(o.Backups.Restores) != 1 || o.Backups.Restores[0].BackupName != b.CreateBackup.Name {
			t.Fatalf("overview = %+v", o)
		}
		if res := alice.Do(`mutation{createRestore(input:{backupName:"nope"}){name}}`, nil, nil); res.Code() != "INVALID" {
			t.Errorf("restore of a missing backup: %+v", res.Errors)
		}
	})

	t.Run("audit", func(t *testing.T) {
		var a struct {
			AuditEntries struct {
				Entries []struct{ Action, ActorName, Result, ClusterName string }
			}
		}
		alice.MustDo(`{auditEntries(first:100){entries{action actorName result clusterName}}}`, nil, &a)
		actions := map[string]bool{}
		for _, e := range a.AuditEntries.Entries {
			actions[e.Action+":"+e.Result] = true
			if e.ClusterName != "admin-e2e" {
				t.Errorf("entry of another cluster: %+v", e)
			}
		}
		for _, want := range []string{"binding.create:ok", "binding.delete:ok", "binding.create:INVALID", "backup.create:ok", "restore.create:ok", "cluster.adopt:ok"} {
			if !actions[want] {
				t.Errorf("audit lacks %s: %v", want, actions)
			}
		}
	})

	t.Run("regular users are forbidden every admin field", func(t *testing.T) {
		forbiddenForRegularUsers(t, ursula, cl.ID)
	})
}

// adminOperations exercises every admin-only field of the schema. A field whose
// description says it is for admins or operators must have an entry, so a new admin
// field without an authorization rule fails this test.
var adminOperations = map[string]string{
	"Mutation.endSessions":            `mutation{endSessions(userId:"someone")}`,
	"Query.bindings":                  `{bindings{id}}`,
	"Query.kubernetesRoles":           `{kubernetesRoles}`,
	"Query.emptyKubernetesRoles":      `{emptyKubernetesRoles}`,
	"Query.keystoneRoles":             `{keystoneRoles{id}}`,
	"Query.keystoneUsers":             `{keystoneUsers(search:"a"){total}}`,
	"Query.backups":                   `{backups{veleroInstalled}}`,
	"Query.auditEntries":              `{auditEntries{entries{id}}}`,
	"Mutation.createBinding":          `mutation{createBinding(input:{name:"x",roleName:"view",subjectKind:KEYSTONE_ROLE,subjectId:"x"}){id}}`,
	"Mutation.deleteBinding":          `mutation{deleteBinding(input:{name:"x"})}`,
	"Mutation.createBackup":           `mutation{createBackup(input:{}){name}}`,
	"Mutation.createRestore":          `mutation{createRestore(input:{backupName:"x"}){name}}`,
	"Mutation.adoptCluster":           `mutation{adoptCluster(input:{name:"x",baseDomain:"x.test",kubeconfig:"x"}){id}}`,
	"Mutation.issueWebhookKubeconfig": `mutation($id:ID!){issueWebhookKubeconfig(clusterId:$id)}`,
	"Cluster.nodes":                   `{viewer{activeCluster{nodes{name}}}}`,
	"Query.jobs":                      `{jobs{id}}`,
	"Query.job":                       `{job(id:"x"){id}}`,
	"Query.clusterDrivers":            `{clusterDrivers}`,
	"Mutation.provisionCluster":       `mutation{provisionCluster(input:{name:"x",baseDomain:"x.test",driver:EXISTING,adminUser:"x"}){id}}`,
	"Mutation.deleteCluster":          `mutation($id:ID!){deleteCluster(id:$id){id}}`,
	"Mutation.cancelJob":              `mutation{cancelJob(id:"x"){id}}`,
	"Mutation.retryJob":               `mutation{retryJob(id:"x"){id}}`,
	"Subscription.jobProgress":        `subscription{jobProgress(jobId:"x"){seq}}`,
	"Query.addons":                    `query($id:ID!){addons(clusterId:$id){name}}`,
	"Query.addonCatalog":              `{addonCatalog{name}}`,
	"Mutation.installAddon":           `mutation($id:ID!){installAddon(input:{clusterId:$id,name:"cni"}){id}}`,
	"Mutation.upgradeAddon":           `mutation($id:ID!){upgradeAddon(input:{clusterId:$id,name:"cni"}){id}}`,
	"Mutation.removeAddon":            `mutation($id:ID!){removeAddon(clusterId:$id,name:"cni"){id}}`,
	"Mutation.requestResize":          `mutation($id:ID!){requestResize(input:{clusterId:$id,workers:5}){id}}`,
	"Mutation.approveResize":          `mutation{approveResize(id:"x"){id}}`,
	"Mutation.declineResize":          `mutation{declineResize(id:"x",reason:"no"){id}}`,
	"Mutation.resizeCluster":          `mutation($id:ID!){resizeCluster(input:{clusterId:$id,workers:5}){id}}`,
}

var adminOnly = regexp.MustCompile(`\((cluster admins|admins of the cluster|operators) only\)`)

func forbiddenForRegularUsers(t *testing.T, c *apptest.Client, clusterID string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "graph", "*.graphqls"))
	var sources []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: f, Input: string(b)})
	}
	schema, err := gqlparser.LoadSchema(sources...)
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, def := range schema.Types {
		for _, f := range def.Fields {
			if adminOnly.MatchString(f.Description) {
				fields = append(fields, def.Name+"."+f.Name)
			}
		}
	}
	sort.Strings(fields)
	if len(fields) < 10 {
		t.Fatalf("found only %d admin fields in the schema: %v", len(fields), fields)
	}
	for _, field := range fields {
		t.Run(field, func(t *testing.T) {
			op, ok := adminOperations[field]
			if !ok {
				t.Fatalf("%s is for admins but has no entry in adminOperations", field)
			}
			r := c.Do(op, map[string]any{"id": clusterID}, nil)
			if r.Code() != "FORBIDDEN" {
				t.Fatalf("%s as a regular user: %+v, want FORBIDDEN", field, r.Errors)
			}
		})
	}
}

// TestSwitchingClustersChangesEveryPage registers two real clusters and checks that the
// active cluster, chosen per user and kept on the server, drives what the pages show.
func TestSwitchingClustersChangesEveryPage(t *testing.T) {
	panel := apptest.Start(t, apptest.Config(t))
	alice := panel.Client(t)
	alice.Login("alice")
	adminRole := roleID(t, alice, "demo-cluster-admin")
	a := adopt(t, panel, "alpha", false, adminRole)
	b := adopt(t, panel, "beta", true, adminRole)
	if _, _, err := b.kc.Kubectl(context.Background(), "", "create", "clusterrolebinding", "only-on-beta", "--clusterrole=view", "--group="+adminRole); err != nil {
		t.Fatal(err)
	}
	type view struct {
		Viewer struct {
			ActiveCluster struct {
				Name     string
				Services []struct{ URL string }
			}
		}
		Bindings []struct{ ID string }
		Backups  struct{ VeleroInstalled bool }
	}
	read := func() view {
		var v view
		alice.MustDo(`{viewer{activeCluster{name services{url}}} bindings{id} backups{veleroInstalled}}`, nil, &v)
		return v
	}
	hasBinding := func(v view, id string) bool {
		for _, x := range v.Bindings {
			if x.ID == id {
				return true
			}
		}
		return false
	}
	v := read()
	if v.Viewer.ActiveCluster.Name != "alpha" || hasBinding(v, "only-on-beta") || v.Backups.VeleroInstalled {
		t.Fatalf("implicit active cluster should be alpha: %+v", v)
	}
	alice.MustDo(`mutation($id:ID!){selectCluster(id:$id){id}}`, map[string]any{"id": b.ID}, nil)
	v = read()
	if v.Viewer.ActiveCluster.Name != "beta" || !hasBinding(v, "only-on-beta") || !v.Backups.VeleroInstalled ||
		v.Viewer.ActiveCluster.Services[0].URL != "https://kibana.beta.kaas.test" {
		t.Fatalf("after selecting beta: %+v", v)
	}
	// The choice is the user's, kept on the server: a new session sees it.
	again := panel.Client(t)
	again.Login("alice")
	var v2 struct {
		Viewer struct{ ActiveCluster struct{ Name string } }
	}
	again.MustDo(`{viewer{activeCluster{name}}}`, nil, &v2)
	if v2.Viewer.ActiveCluster.Name != "beta" {
		t.Fatalf("new session sees %+v", v2)
	}
	if r := alice.Do(`mutation{selectCluster(id:"00000000-0000-0000-0000-000000000000"){id}}`, nil, nil); r.Code() != "NOT_FOUND" {
		t.Errorf("unknown cluster: %+v", r.Errors)
	}
	alice.MustDo(`mutation($id:ID!){selectCluster(id:$id){id}}`, map[string]any{"id": a.ID}, nil)
	if v := read(); v.Viewer.ActiveCluster.Name != "alpha" || hasBinding(v, "only-on-beta") {
		t.Fatalf("back on alpha: %+v", v)
	}
}
