package provisioning_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"kaas/addons"
	"kaas/internal/testenv"
	"kaas/jobs"
	"kaas/models"
	"kaas/provisioning"
	"kaas/provisioning/existing"
	"kaas/store"
)

// recordingInstaller is a FAKE add-on installer that records what it was asked to do and
// answers with err; the real one is tested against a real kube-apiserver in addons/.
type recordingInstaller struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (r *recordingInstaller) InstallDefaults(_ context.Context, t addons.Target, progress func(string)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, "defaults "+t.Name+" "+t.BaseDomain+" "+string(t.Kubeconfig))
	progress("installed the defaults")
	return r.err
}

func (r *recordingInstaller) Run(_ context.Context, t addons.Target, action addons.Action, name, version string, progress func(string)) (addons.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, strings.Join([]string{string(action), name, version, t.Name, t.BaseDomain, string(t.Kubeconfig)}, " "))
	progress(name + " done")
	return addons.Result{}, r.err
}

func (r *recordingInstaller) Check(addons.Action, string, string) error { return nil }

// prefixSealer is a FAKE sealer that prefixes, so that a test sees what was opened.
type prefixSealer struct{}

func (prefixSealer) Seal(p, _ []byte) ([]byte, error) { return append([]byte("sealed:"), p...), nil }
func (prefixSealer) Open(s, _ []byte) ([]byte, error) {
	return []byte(strings.TrimPrefix(string(s), "sealed:")), nil
}

// runUntil runs the engine until the job has the status, or fails the test after 10 s.
func runUntil(t *testing.T, e *jobs.Engine, id string, want models.JobStatus) *models.Job {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = e.Run(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		job, err := e.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if job.Status == want {
			return job
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %s, want %s: %s", id, job.Status, want, job.Error)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestClusterAddonJob runs cluster.addon jobs on a registered cluster: the installer gets
// the cluster's name, domain and opened credential, a refusal fails the job with its
// message, and the job names its cluster.
func TestClusterAddonJob(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &models.Cluster{ID: "c-1", Name: "prod", BaseDomain: "example.com", APIURL: "https://prod.example.com:6443", Status: models.ClusterReady,
			Driver: existing.Name, Size: models.DefaultClusterSize, Credential: []byte("sealed:admin-kubeconfig")}
		if err := db.CreateCluster(ctx, c); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name       string
			args       provisioning.AddonArgs
			err        error
			wantStatus models.JobStatus
			wantCall   string
		}{
			{name: "install", args: provisioning.AddonArgs{ClusterID: "c-1", Name: "prod", Action: addons.ActionInstall, Addon: "ingress", Version: "1.11.3"},
				wantStatus: models.JobSucceeded, wantCall: "install ingress 1.11.3 prod example.com admin-kubeconfig"},
			{name: "a refused upgrade", args: provisioning.AddonArgs{ClusterID: "c-1", Name: "prod", Action: addons.ActionUpgrade, Addon: "velero"},
				err: models.Errorf(models.CodeConflict, "velero is not installed: install it first"), wantStatus: models.JobFailed, wantCall: "upgrade velero  prod example.com admin-kubeconfig"},
			{name: "an unknown cluster", args: provisioning.AddonArgs{ClusterID: "gone", Name: "gone", Action: addons.ActionRemove, Addon: "cni"}, wantStatus: models.JobFailed},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				inst := &recordingInstaller{err: tt.err}
				e := jobs.New(db, "a", jobs.Options{Lease: time.Minute, PollInterval: 20 * time.Millisecond})
				(&provisioning.ClusterJobs{Store: db, Sealer: prefixSealer{}, Addons: inst}).Register(e)
				job, err := e.Enqueue(ctx, tt.args, "oscar")
				if err != nil {
					t.Fatal(err)
				}
				if id, name := provisioning.ClusterOf(job); id != tt.args.ClusterID || name != tt.args.Name {
					t.Errorf("ClusterOf = %s, %s", id, name)
				}
				done := runUntil(t, e, job.ID, tt.wantStatus)
				if tt.err != nil && !strings.Contains(done.Error, "install it first") {
					t.Errorf("job error %q", done.Error)
				}
				inst.mu.Lock()
				defer inst.mu.Unlock()
				if tt.wantCall == "" && len(inst.calls) != 0 || tt.wantCall != "" && (len(inst.calls) != 1 || inst.calls[0] != tt.wantCall) {
					t.Errorf("calls %q, want %q", inst.calls, tt.wantCall)
				}
			})
		}
	})
}
