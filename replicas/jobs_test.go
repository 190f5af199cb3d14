package replicas_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"kaas/internal/apptest"
	"kaas/internal/replicaset"
	"kaas/internal/testenv"
	"kaas/localcluster"
)

type jobEvent struct {
	Seq           int
	At            time.Time
	Step, Message string
	Status        string
}

type jobState struct {
	Status string
	Events []jobEvent
}

// startKube starts a real etcd + kube-apiserver (the cluster the EXISTING driver adopts)
// with the Velero CRDs, stopped when the test ends.
func startKube(t *testing.T) *localcluster.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	kc, err := localcluster.Start(ctx, localcluster.Options{BinDir: kubeBinDir(t), Dir: t.TempDir(), Name: "replicas"})
	if err != nil {
		t.Fatalf("start kube-apiserver: %v", err)
	}
	t.Cleanup(func() { kc.Stop() })
	if _, stderr, err := kc.Kubectl(ctx, "", "apply", "-f", filepath.Join("..", "e2e", "testdata", "velero-crds.yaml")); err != nil {
		t.Fatalf("apply Velero CRDs: %v %s", err, stderr)
	}
	return kc
}

// provision starts a cluster.create job of the EXISTING driver for kc and returns its ID.
func provision(t *testing.T, op *apptest.Client, kc *localcluster.Cluster, name string) string {
	t.Helper()
	var created struct{ ProvisionCluster struct{ ID string } }
	op.MustDo(`mutation($i:ProvisionClusterInput!){provisionCluster(input:$i){id}}`, map[string]any{"i": map[string]any{
		"name": name, "baseDomain": "kaas.test", "driver": "EXISTING", "adminUser": "ursula", "kubeconfig": string(kc.AdminKubeconfig()),
	}}, &created)
	return created.ProvisionCluster.ID
}

// readJob reads a job's status and its events (the first 500: more than any job here
// records) through c; the error says why that failed (a replica whose database is away).
func readJob(c *apptest.Client, id string) (*jobState, error) {
	var out struct{ Job jobState }
	r := c.Do(`query($id:ID!){job(id:$id){status events(first:500){seq at step message status}}}`, map[string]any{"id": id}, &out)
	if len(r.Errors) > 0 {
		return nil, fmt.Errorf("read job: %s (%s)", r.Errors[0].Message, r.Code())
	}
	return &out.Job, nil
}

var runnerPID = regexp.MustCompile(`^(?:started|resumed at step \d+ of \d+) by [^ ]*/(\d+) \(attempt \d+\)$`)

// runner is the replica whose worker last started or resumed the job, and the event
// that says so.
func runner(rs []*replicaset.Replica, job *jobState) (*replicaset.Replica, *jobEvent) {
	for i := len(job.Events) - 1; i >= 0; i-- {
		m := runnerPID.FindStringSubmatch(job.Events[i].Message)
		if m == nil {
			continue
		}
		pid, _ := strconv.Atoi(m[1])
		for _, r := range rs {
			if r.PID() == pid {
				return r, &job.Events[i]
			}
		}
		return nil, &job.Events[i]
	}
	return nil, nil
}

// checkSideEffectsOnce checks that the finished job did every step once and left one of
// each thing it makes: the Keystone role, the registered cluster, the binding, the
// schedule; and that its events are numbered 1..n without a gap.
func checkSideEffectsOnce(t *testing.T, op *apptest.Client, kc *localcluster.Cluster, name string, job *jobState) {
	t.Helper()
	done := map[string]int{}
	for i, ev := range job.Events {
		if ev.Seq != i+1 {
			t.Errorf("event %d has seq %d: events are not gapless", i+1, ev.Seq)
		}
		if ev.Message == "step done" {
			done[ev.Step]++
		}
	}
	apptest.CheckCreatedOnce(t, op, kc, name, done)
}

// TestJobTakeoverAfterKill9 kills (SIGKILL) the replica running a cluster.create job in
// the middle of a step, after the step's work and before its completion is recorded, and
// checks that another replica resumes the job once the lease has run out and finishes
// it, every side effect made once.
func TestJobTakeoverAfterKill9(t *testing.T) {
	kc := startKube(t)
	const lease = 2 * time.Second
	rs := startReplicas(t, []string{"a", "b", "c"}, "--job-lease", lease.String(), "--fault-pause-after-step", "3s")
	op := client(t, rs[0])
	op.Login("oscar")
	name := testenv.RandomName("takeover-")
	id := provision(t, op, kc, name)

	var victim *replicaset.Replica
	eventually(t, "step bootstrap paused after its work", 2*time.Minute, func() error {
		job, err := readJob(op, id)
		if err != nil {
			return err
		}
		for _, ev := range job.Events {
			if ev.Step == "bootstrap" && strings.Contains(ev.Message, "paused before recording") {
				victim, _ = runner(rs, job)
				if victim == nil {
					return errors.New("no replica runs the job")
				}
				return nil
			}
		}
		return fmt.Errorf("job %s", job.Status)
	})
	victim.Kill()
	killed := time.Now()
	t.Logf("killed replica %s (SIGKILL) inside step bootstrap", victim.Name)

	var alive []*replicaset.Replica
	for _, r := range rs {
		if r != victim {
			alive = append(alive, r)
		}
	}
	observer := op.At(alive[0].URL)
	var job *jobState
	eventually(t, "the job finishes on another replica", 2*time.Minute, func() error {
		var err error
		if job, err = readJob(observer, id); err != nil || job.Status != "succeeded" {
			return fmt.Errorf("job %+v %v", job, err)
		}
		return nil
	})
	heir, resumed := runner(rs, job)
	want := fmt.Sprintf("resumed at step %d of %d", slices.Index(apptest.CreateSteps, "bootstrap")+1, len(apptest.CreateSteps))
	if heir == nil || heir == victim || !strings.HasPrefix(resumed.Message, want) {
		t.Fatalf("job resumed by %v with %q; want another replica: %q (bootstrap)", heir, resumed.Message, want)
	}
	t.Logf("replica %s resumed the job %s after the kill (lease %s)", heir.Name, resumed.At.Sub(killed).Round(10*time.Millisecond), lease)
	checkSideEffectsOnce(t, observer, kc, name, job)
}

// subscriber reads jobProgress over a real graphql-transport-ws websocket, as the SPA
// does, and hands each event's seq and status to the test.
type subscriber struct {
	conn   *websocket.Conn
	events chan jobEvent
	err    chan error
}

func subscribe(t *testing.T, r *replicaset.Replica, cookies []*http.Cookie, jobID string) *subscriber {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := http.Header{}
	for _, c := range cookies {
		h.Add("Cookie", c.Name+"="+c.Value)
	}
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(r.URL, "http")+"/graphql", &websocket.DialOptions{
		HTTPHeader: h, Subprotocols: []string{"graphql-transport-ws"},
	})
	if err != nil {
		t.Fatalf("dial %s: %v", r.Name, err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	write := func(v any) {
		b, _ := json.Marshal(v)
		if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	write(map[string]any{"type": "connection_init", "payload": map[string]any{}})
	if _, msg, err := conn.Read(ctx); err != nil || !strings.Contains(string(msg), "connection_ack") {
		t.Fatalf("connection_ack: %s %v", msg, err)
	}
	write(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($id:ID!){jobProgress(jobId:$id){seq at step message status}}`,
		"variables": map[string]any{"id": jobID},
	}})
	s := &subscriber{conn: conn, events: make(chan jobEvent, 1000), err: make(chan error, 1)}
	go func() {
		defer close(s.events)
		for {
			_, msg, err := conn.Read(context.Background())
			if err != nil {
				s.err <- err
				return
			}
			var m struct {
				Type    string
				Payload struct {
					Data struct{ JobProgress jobEvent }
				}
			}
			if err := json.Unmarshal(msg, &m); err != nil {
				s.err <- err
				return
			}
			switch m.Type {
			case "next":
				s.events <- m.Payload.Data.JobProgress
			case "complete":
				s.err <- nil
				return
			case "ping":
				_ = conn.Write(context.Background(), websocket.MessageText, []byte(`{"type":"pong"}`))
			default:
				s.err <- fmt.Errorf("unexpected message %s", msg)
				return
			}
		}
	}()
	return s
}

// next returns the next event, failing the test after timeout.
func (s *subscriber) next(t *testing.T, timeout time.Duration) (jobEvent, bool) {
	t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			return ev, false
		}
		return ev, true
	case <-time.After(timeout):
		t.Fatalf("no job event within %s", timeout)
		return jobEvent{}, false
	}
}

// TestSubscriptionAcrossReplicas subscribes on one replica to a job that another replica
// runs, resets every database connection of the subscriber's replica in the middle, and
// checks that the subscriber still gets every event, in order, without a gap, up to the
// final one.
func TestSubscriptionAcrossReplicas(t *testing.T) {
	kc := startKube(t)
	rs := startReplicas(t, []string{"a", "b", "c"}, "--fault-pause-after-step", "1s")
	op := client(t, rs[0])
	op.Login("oscar")
	name := testenv.RandomName("subscribed-")
	id := provision(t, op, kc, name)
	var worker *replicaset.Replica
	eventually(t, "a replica starts the job", time.Minute, func() error {
		job, err := readJob(op, id)
		if err != nil {
			return err
		}
		if worker, _ = runner(rs, job); worker == nil {
			return fmt.Errorf("job %s", job.Status)
		}
		return nil
	})
	var watcher *replicaset.Replica
	for _, r := range rs {
		if r != worker {
			watcher = r
			break
		}
	}
	t.Logf("replica %s runs the job; the subscriber is on replica %s", worker.Name, watcher.Name)
	sub := subscribe(t, watcher, op.Cookies(), id)

	var got []jobEvent
	reset := false
	for {
		ev, ok := sub.next(t, 2*time.Minute)
		if !ok {
			break
		}
		got = append(got, ev)
		if !reset && ev.Step == "infrastructure" && ev.Message == "step done" {
			n, err := pg.Terminate(context.Background(), "kaas-"+watcher.Name+"%")
			if err != nil || n == 0 {
				t.Fatalf("reset the subscriber replica's connections: %d, %v", n, err)
			}
			reset = true
			t.Logf("terminated %d database connections of replica %s", n, watcher.Name)
		}
		if ev.Status == "succeeded" || ev.Status == "failed" {
			break
		}
	}
	if !reset {
		t.Fatal("the connections were never reset")
	}
	for i, ev := range got {
		if ev.Seq != i+1 {
			t.Fatalf("event %d has seq %d; the subscriber got %v", i+1, ev.Seq, seqs(got))
		}
	}
	if last := got[len(got)-1]; last.Status != "succeeded" {
		t.Fatalf("last event %+v, want the job's success", last)
	}
	stored, err := readJob(op, id)
	if err != nil || len(stored.Events) != len(got) {
		t.Fatalf("the subscriber got %d events, the database holds %+v (%v)", len(got), stored, err)
	}
	checkSideEffectsOnce(t, op, kc, name, stored)
}

func seqs(evs []jobEvent) []int {
	var s []int
	for _, ev := range evs {
		s = append(s, ev.Seq)
	}
	return s
}
