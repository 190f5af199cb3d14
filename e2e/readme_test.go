package e2e_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"kaas/internal/apptest"
	"kaas/internal/scriptexample"
	"kaas/internal/testenv"
)

// readmeScripts returns the README's "Scripts" section: its setup block (the first sh
// block) and its curl documents by operation name, and its Go block.
func readmeScripts(t *testing.T) (setup string, docs map[string]string, goBlock string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Scripts: the API with a token\n")
	if !ok {
		t.Fatal("the README has no section “Scripts: the API with a token”")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	blocks := regexp.MustCompile("(?s)```(sh|go)\n(.*?)```").FindAllStringSubmatch(section, -1)
	docs = map[string]string{}
	opName := regexp.MustCompile(`"query": "(?:query|mutation) (\w+)`)
	for _, bl := range blocks {
		switch {
		case bl[1] == "go":
			goBlock = bl[2]
		case setup == "":
			setup = bl[2]
		default:
			m := opName.FindStringSubmatch(bl[2])
			if m == nil {
				t.Fatalf("a README sh block names no operation:\n%s", bl[2])
			}
			docs[m[1]] = bl[2]
		}
	}
	return setup, docs, goBlock
}

// TestReadmeScripts runs the README's script examples against a real panel and cluster:
// the Go client follows a provisioning job over the websocket, then the curl documents
// (run by bash and curl, as printed) list the clusters, bind a Keystone role and start a
// backup with an API token. A change of the schema that breaks them fails here.
func TestReadmeScripts(t *testing.T) {
	setup, docs, goBlock := readmeScripts(t)
	for _, name := range []string{"Clusters", "Bind", "Backup"} {
		if docs[name] == "" {
			t.Fatalf("the README lacks the %s example (has %v)", name, docs)
		}
	}
	src, err := os.ReadFile(filepath.Join("..", "internal", "scriptexample", "scriptexample.go"))
	if err != nil {
		t.Fatal(err)
	}
	_, region, _ := strings.Cut(string(src), "// README: begin\n")
	region, _, _ = strings.Cut(region, "// README: end\n")
	if strings.TrimSpace(goBlock) != strings.TrimSpace(region) {
		t.Fatal("the README's Go example differs from internal/scriptexample/scriptexample.go: copy the code between the markers")
	}

	panel := apptest.Start(t, apptest.Config(t))
	kc := startCluster(t, t.TempDir(), "script", plainWebhook(t, panel.URL), "")
	if _, stderr, err := kc.Kubectl(context.Background(), "", "apply", "-f", filepath.Join("testdata", "velero-crds.yaml")); err != nil {
		t.Fatalf("apply Velero CRDs: %v %s", err, stderr)
	}
	op := panel.Client(t)
	op.Login("oscar")
	token, _ := op.CreateToken("script")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// A job to follow: oscar provisions the running cluster, becoming its admin.
	name := testenv.RandomName("script-")
	var job struct{ ProvisionCluster struct{ ID string } }
	err = scriptexample.Query(ctx, panel.URL, token, `mutation($i: ProvisionClusterInput!) { provisionCluster(input: $i) { id } }`,
		map[string]any{"i": map[string]any{"name": name, "baseDomain": "kaas.test", "driver": "EXISTING", "adminUser": "oscar", "kubeconfig": string(kc.AdminKubeconfig())}}, &job)
	if err != nil {
		t.Fatal(err)
	}
	var events []scriptexample.JobEvent
	if err := scriptexample.FollowJob(ctx, panel.URL, token, job.ProvisionCluster.ID, func(e scriptexample.JobEvent) { events = append(events, e) }); err != nil {
		t.Fatalf("FollowJob: %v (events so far %+v)", err, events)
	}
	if len(events) < 6 || events[0].Seq != 1 || events[len(events)-1].Status != "succeeded" || events[len(events)-1].Percent != 100 {
		t.Fatalf("followed events %+v, want the whole job to success", events)
	}
	t.Cleanup(func() {
		var clusters struct{ Clusters []struct{ ID, Name string } }
		op.MustDo(`{clusters{id name}}`, nil, &clusters)
		for _, c := range clusters.Clusters {
			if c.Name == name {
				deleteClusterByJob(t, panel, op, token, c.ID)
			}
		}
	})

	curl := func(doc string, replace ...string) map[string]any {
		t.Helper()
		script := setup + "\n" + doc
		script = strings.ReplaceAll(script, "http://127.0.0.1:8080", panel.URL)
		script = strings.ReplaceAll(script, "kaas_…", token)
		script = strings.NewReplacer(replace...).Replace(script)
		out, err := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script).Output()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		var answer struct {
			Data   map[string]any
			Errors []any
		}
		if err := json.Unmarshal(out, &answer); err != nil || len(answer.Errors) > 0 || answer.Data == nil {
			t.Fatalf("answer %s (%v)", out, err)
		}
		return answer.Data
	}

	list, _ := json.Marshal(curl(docs["Clusters"]))
	var clusters struct {
		Clusters []struct{ ID, Name, Status string }
	}
	_ = json.Unmarshal(list, &clusters)
	clusterID := ""
	for _, c := range clusters.Clusters {
		if c.Name == name && c.Status == "READY" {
			clusterID = c.ID
		}
	}
	if clusterID == "" {
		t.Fatalf("the README's cluster list %s lacks %s, ready", list, name)
	}

	memberRole := roleID(t, op, "member")
	bound := curl(docs["Bind"], "CLUSTER_ID", clusterID, "ROLE_ID", memberRole)
	if b, _ := json.Marshal(bound); !strings.Contains(string(b), `"id":"developers-view"`) || !strings.Contains(string(b), `"name":"member"`) {
		t.Fatalf("createBinding answered %s", b)
	}
	if out, stderr, err := kc.Kubectl(ctx, "", "get", "clusterrolebinding", "developers-view", "-o", "jsonpath={.subjects[0].name}"); err != nil || out != memberRole {
		t.Fatalf("the binding on the cluster names %q (%v %s), want %s", out, err, stderr, memberRole)
	}

	backup := curl(docs["Backup"], "CLUSTER_ID", clusterID)
	if b, _ := json.Marshal(backup); !strings.Contains(string(b), `"name":"`) {
		t.Fatalf("createBackup answered %s", b)
	}
	if out, stderr, err := kc.Kubectl(ctx, "", "get", "backups.velero.io", "-n", "velero", "-o", "name"); err != nil || !strings.Contains(out, "backup") {
		t.Fatalf("no Velero backup on the cluster: %q %v %s", out, err, stderr)
	}
}
