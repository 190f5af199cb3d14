package e2e_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"kaas/internal/apptest"
	"kaas/internal/testenv"
)

// panelProcess is the panel binary running as a child process, so a test can kill -9 it.
type panelProcess struct {
	t    *testing.T
	bin  string
	args []string
	// env, when set, is the panel's whole environment (os.Environ() otherwise).
	env []string
	log *os.File
	cmd *exec.Cmd
	url string
}

// buildPanel builds the panel binary into dir with its fault-injection switches (they
// exist only in a -tags faultinject build) and returns its path.
func buildPanel(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "kaas")
	if out, err := exec.Command("go", "build", "-tags", "faultinject", "-o", bin, "kaas").CombinedOutput(); err != nil {
		t.Fatalf("build the panel: %v\n%s", err, out)
	}
	return bin
}

func (p *panelProcess) start() {
	p.t.Helper()
	p.cmd = exec.Command(p.bin, p.args...)
	p.cmd.Env = p.env
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		p.t.Fatalf("start the panel: %v", err)
	}
	eventually(p.t, "the panel is ready", 30*time.Second, func() error {
		resp, err := http.Get(p.url + "/readyz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return errString(resp.Status)
		}
		return nil
	})
}

func (p *panelProcess) kill() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

// TestProvisioningSurvivesKill9 kills the panel with SIGKILL inside each step of a
// cluster.create job in turn — after the step's work, before its completion is
// recorded — restarts it, and checks that the job finishes and that every side effect
// happened exactly once.
func TestProvisioningSurvivesKill9(t *testing.T) {
	dir := t.TempDir()
	bin := buildPanel(t, dir)
	kc := startCluster(t, t.TempDir(), "crash", nil, "")
	if _, stderr, err := kc.Kubectl(context.Background(), "", "apply", "-f", filepath.Join("testdata", "velero-crds.yaml")); err != nil {
		t.Fatalf("apply Velero CRDs: %v %s", err, stderr)
	}
	addr := testenv.FreeAddr(t)
	logFile, err := os.Create(filepath.Join(dir, "panel.log"))
	if err != nil {
		t.Fatal(err)
	}
	p := &panelProcess{t: t, bin: bin, log: logFile, url: "http://" + addr, args: []string{
		"--addr", addr, "--data-dir", filepath.Join(dir, "data"), "--public-url", "http://" + addr,
		"--job-lease", "2s", "--fault-pause-after-step", "3s", "--role-scope", "project:demo@Default",
	}}
	p.start()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.kill()
		}
		logFile.Close()
		testenv.KeepLogs(t, dir) // the panel's log and its data directory's
		if t.Failed() {
			b, _ := os.ReadFile(logFile.Name())
			t.Logf("panel log:\n%s", b)
		}
	})

	op := (&apptest.Panel{URL: p.url}).Client(t)
	op.Login("oscar")
	name := testenv.RandomName("crash-")
	var created struct{ ProvisionCluster struct{ ID string } }
	op.MustDo(`mutation($i:ProvisionClusterInput!){provisionCluster(input:$i){id}}`, map[string]any{"i": map[string]any{
		"name": name, "baseDomain": "kaas.test", "driver": "EXISTING", "adminUser": "ursula", "kubeconfig": string(kc.AdminKubeconfig()),
	}}, &created)
	jobID := created.ProvisionCluster.ID

	type event struct {
		Seq           int
		Step, Message string
	}
	var job struct {
		Job struct {
			Status string
			Events []event
		}
	}
	read := func() {
		op.MustDo(`query($id:ID!){job(id:$id){status events{seq step message}}}`, map[string]any{"id": jobID}, &job)
	}
	for _, step := range apptest.CreateSteps {
		// The session cookie stays valid across restarts: its key is in the data dir.
		eventually(t, "step "+step+" paused after its work", 60*time.Second, func() error {
			read()
			for _, ev := range job.Job.Events {
				if ev.Step == step && strings.Contains(ev.Message, "paused before recording") {
					return nil
				}
			}
			return errString("not yet: " + job.Job.Status)
		})
		p.kill()
		t.Logf("killed with SIGKILL in step %s", step)
		p.start()
	}
	eventually(t, "the job finishes after the last restart", 60*time.Second, func() error {
		read()
		if job.Job.Status != "succeeded" {
			return errString(job.Job.Status)
		}
		return nil
	})

	done := map[string]int{}
	for _, ev := range job.Job.Events {
		if ev.Message == "step done" {
			done[ev.Step]++
		}
	}
	apptest.CheckCreatedOnce(t, op, kc, name, done)
}
