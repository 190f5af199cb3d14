package provisioning

import (
	"context"
	"fmt"
	"time"

	"kaas/addons"
	"kaas/jobs"
	"kaas/models"
)

// KindClusterAddon is the job that installs, upgrades or removes one add-on of a
// registered cluster.
const KindClusterAddon = "cluster.addon"

// AddonInstaller applies the add-on catalog to clusters; *addons.Installer is one.
type AddonInstaller interface {
	// InstallDefaults installs the add-ons every new cluster gets.
	InstallDefaults(ctx context.Context, t addons.Target, progress func(string)) error
	// Run installs, upgrades or removes one add-on; run again it changes nothing more.
	Run(ctx context.Context, t addons.Target, action addons.Action, name, version string, progress func(string)) (addons.Result, error)
	// Check refuses an action the catalog cannot do (an unknown add-on or version).
	Check(action addons.Action, name, version string) error
}

// EnqueueAddon starts a cluster.addon job once the catalog has the add-on and version and
// the cluster is READY; whether the add-on is installed is the job's to find out, on the
// cluster itself.
func (cj *ClusterJobs) EnqueueAddon(ctx context.Context, c *models.Cluster, action addons.Action, name, version, by string) (*models.Job, error) {
	if cj.Addons == nil {
		return nil, models.Errorf(models.CodeInvalid, "no add-on catalog is configured")
	}
	if c.Status != models.ClusterReady {
		return nil, models.Errorf(models.CodeConflict, "cluster %s is %s, not ready", c.Name, c.Status)
	}
	if err := cj.Addons.Check(action, name, version); err != nil {
		return nil, err
	}
	return cj.engine.Enqueue(ctx, AddonArgs{ClusterID: c.ID, Name: c.Name, Action: action, Addon: name, Version: version}, by)
}

// AddonArgs are a cluster.addon job's arguments.
type AddonArgs struct {
	ClusterID string        `json:"clusterId"`
	Name      string        `json:"name"`
	Action    addons.Action `json:"action"`
	Addon     string        `json:"addon"`
	// Version is the one to install or upgrade to; empty means the catalog's latest.
	Version string `json:"version,omitempty"`
}

// Kind is the job kind of the arguments.
func (AddonArgs) Kind() string { return KindClusterAddon }

// addonWorker runs cluster.addon jobs.
func (cj *ClusterJobs) addonWorker() jobs.Worker {
	return jobs.NewWorker(jobs.Step[AddonArgs]{Name: "addon", Timeout: 10 * time.Minute, Run: cj.addon})
}

// installAddons is the create job's step that installs the default add-ons on the
// clusters the panel builds. A cluster that ran before the panel knew it (EXISTING) has
// its own network and services: it gets none here, operators install them one by one.
func (cj *ClusterJobs) installAddons(ctx context.Context, j *createJob) error {
	a := j.Args
	if cj.Addons == nil {
		j.Progress(100, "no add-on catalog is configured")
		return nil
	}
	d, err := cj.driver(a.Driver)
	if err != nil {
		return err
	}
	if d.Describe().Adopted {
		j.Progress(100, "an adopted cluster keeps its own services: install add-ons from its Services page")
		return nil
	}
	acc, err := d.Access(ctx, a)
	if err != nil {
		return err
	}
	t := addons.Target{Name: a.Name, BaseDomain: a.BaseDomain, Kubeconfig: acc.Kubeconfig, RegistryDBGB: a.Size.RegistryDBGB}
	if err := cj.Addons.InstallDefaults(ctx, t, func(msg string) { j.Log(models.EventInfo, msg) }); err != nil {
		return err
	}
	j.Progress(100, "add-ons installed")
	return nil
}

func (cj *ClusterJobs) addon(ctx context.Context, j *jobs.Job[AddonArgs]) error {
	a := j.Args
	if cj.Addons == nil {
		return models.Errorf(models.CodeInvalid, "no add-on catalog is configured")
	}
	c, err := cj.Store.Cluster(ctx, a.ClusterID)
	if err != nil {
		return err
	}
	kc, err := cj.Sealer.Open(c.Credential, []byte(c.ID))
	if err != nil {
		return fmt.Errorf("open credential: %w", err)
	}
	t := addons.Target{Name: c.Name, BaseDomain: c.BaseDomain, Kubeconfig: kc, RegistryDBGB: c.Size.RegistryDBGB}
	j.Progress(10, fmt.Sprintf("%s %s on %s", a.Action, a.Addon, c.Name))
	if _, err := cj.Addons.Run(ctx, t, a.Action, a.Addon, a.Version, func(msg string) { j.Log(models.EventInfo, msg) }); err != nil {
		return err
	}
	j.Progress(100, fmt.Sprintf("%s: %s done", a.Addon, a.Action))
	return nil
}
