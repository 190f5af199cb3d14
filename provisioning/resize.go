package provisioning

import (
	"context"
	"fmt"
	"time"

	"kaas/jobs"
	"kaas/models"
)

// KindClusterResize is the job kind that resizes a cluster's workers.
const KindClusterResize = "cluster.resize"

// DrainFunc takes a node out of its cluster before its server goes.
type DrainFunc func(ctx context.Context, node string) error

// Resizer is a driver that can change the number of a cluster's workers, because it made
// them.
type Resizer interface {
	// Resize brings the workers of the cluster a's create job made to size: removed
	// workers are drained first with drain. It can run again after a crash.
	Resize(ctx context.Context, a CreateArgs, size models.ClusterSize, drain DrainFunc, p Progress) error
}

// ResizeArgs are a cluster.resize job's arguments.
type ResizeArgs struct {
	ClusterID string             `json:"clusterId"`
	Name      string             `json:"name"`
	Size      models.ClusterSize `json:"size"`
}

// Kind is the job kind of the arguments.
func (ResizeArgs) Kind() string { return KindClusterResize }

type resizeJob = jobs.Job[ResizeArgs]

// resizeSteps are the steps of a cluster.resize job.
func (cj *ClusterJobs) resizeWorker() jobs.Worker {
	return jobs.NewWorker(
		jobs.Step[ResizeArgs]{Name: "resize-workers", Timeout: time.Hour, Run: cj.resizeWorkers},
		jobs.Step[ResizeArgs]{Name: "record-size", Timeout: time.Minute, Run: cj.recordSize},
	)
}

// CanResize returns an INVALID error unless the panel can resize c's workers now: its
// driver made them and it is READY.
func (cj *ClusterJobs) CanResize(c *models.Cluster) error {
	d, ok := cj.Drivers.Lookup(c.Driver)
	if _, resizes := d.(Resizer); !ok || !resizes || !d.Enabled() {
		return models.Errorf(models.CodeInvalid, "the panel did not make cluster %s's workers: it cannot resize them", c.Name)
	}
	if c.Status != models.ClusterReady {
		return models.Errorf(models.CodeInvalid, "cluster %s is %s: only a READY cluster is resized", c.Name, c.Status)
	}
	return nil
}

// EnqueueResize starts a job that brings c's workers to size, which the caller has
// checked (resize.Service: CanResize, a valid size). It is a CONFLICT while another job
// works on the cluster.
func (cj *ClusterJobs) EnqueueResize(ctx context.Context, c *models.Cluster, size models.ClusterSize, by string) (*models.Job, error) {
	if cj.engine == nil {
		return nil, fmt.Errorf("the cluster jobs are not registered with an engine")
	}
	if err := cj.idle(ctx, c); err != nil {
		return nil, err
	}
	return cj.engine.Enqueue(ctx, ResizeArgs{ClusterID: c.ID, Name: c.Name, Size: size}, by)
}

// idle returns a CONFLICT while a job of the cluster is queued or running.
func (cj *ClusterJobs) idle(ctx context.Context, c *models.Cluster) error {
	for _, s := range []models.JobStatus{models.JobQueued, models.JobRunning} {
		err := cj.engine.Each(ctx, models.JobFilter{Status: s}, func(job *models.Job) (bool, error) {
			if id, _ := ClusterOf(job); id == c.ID {
				return true, models.Errorf(models.CodeConflict, "a %s job works on cluster %s: wait for it to end", job.Kind, c.Name)
			}
			return false, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// createArgs returns the arguments of the job that created the cluster: what its driver
// needs to make more of it.
func (cj *ClusterJobs) createArgs(ctx context.Context, clusterID string) (CreateArgs, error) {
	var found *CreateArgs
	err := eachCreateJob(ctx, cj.engine, models.JobFilter{Status: models.JobSucceeded}, clusterID, func(_ *models.Job, a CreateArgs) (bool, error) {
		found = &a
		return true, nil
	})
	if err != nil {
		return CreateArgs{}, err
	}
	if found == nil {
		return CreateArgs{}, models.Errorf(models.CodeNotFound, "the job that created cluster %s is not on record", clusterID)
	}
	return *found, nil
}

func (cj *ClusterJobs) resizeWorkers(ctx context.Context, j *resizeJob) error {
	c, err := cj.Store.Cluster(ctx, j.Args.ClusterID)
	if err != nil {
		return err
	}
	d, _ := cj.Drivers.Lookup(c.Driver)
	r, ok := d.(Resizer)
	if !ok {
		return models.Errorf(models.CodeInvalid, "the %s driver cannot resize cluster %s", c.Driver, c.Name)
	}
	a, err := cj.createArgs(ctx, c.ID)
	if err != nil {
		return err
	}
	kc, err := cj.Sealer.Open(c.Credential, []byte(c.ID))
	if err != nil {
		return fmt.Errorf("open credential: %w", err)
	}
	api, err := cj.Kube.Connect(kc)
	if err != nil {
		return err
	}
	drain := func(ctx context.Context, node string) error {
		return api.Drain(ctx, node, func(msg string) { j.Log(models.EventInfo, msg) })
	}
	j.Progress(5, fmt.Sprintf("%d → %d workers", c.Size.Workers, j.Args.Size.Workers))
	return r.Resize(ctx, a, j.Args.Size, drain, j)
}

func (cj *ClusterJobs) recordSize(ctx context.Context, j *resizeJob) error {
	c, err := cj.Store.Cluster(ctx, j.Args.ClusterID)
	if err != nil {
		return err
	}
	c.Size = j.Args.Size
	if err := cj.Store.UpdateCluster(ctx, c); err != nil {
		return err
	}
	j.Progress(100, fmt.Sprintf("cluster %s has %d workers", c.Name, c.Size.Workers))
	return nil
}
