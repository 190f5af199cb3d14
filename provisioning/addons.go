package provisioning

import (
	"context"
	"fmt"
	"time"

	"kaas/addons"
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

// addonSteps are the steps of a cluster.addon job.
func (cj *ClusterJobs) addonSteps() []Step {
	return []Step{{Name: "addon", Timeout: 10 * time.Minute, Run: cj.addon}}
}

// installAddons is the create job's step that installs the default add-ons on the
// clusters the panel builds. A cluster that ran before the panel knew it (EXISTING) has
// its own network and services: it gets none here, operators install them one by one.
func (cj *ClusterJobs) installAddons(ctx context.Context, j *JobRun) error {
	a, err := createArgs(j)
	if err != nil {
		return err
	}
	if cj.Addons == nil {
		j.Progress(100, "no add-on catalog is configured")
		return nil
	}
	if a.Driver == DriverExisting {
		j.Progress(100, "an existing cluster keeps its own services: install add-ons from its Services page")
		return nil
	}
	kc, err := cj.kubeconfig(ctx, a)
	if err != nil {
		return err
	}
	t := addons.Target{Name: a.Name, BaseDomain: a.BaseDomain, Kubeconfig: kc, RegistryDBGB: a.Size.RegistryDBGB}
	if err := cj.Addons.InstallDefaults(ctx, t, func(msg string) { j.Log(models.EventInfo, msg) }); err != nil {
		return err
	}
	j.Progress(100, "add-ons installed")
	return nil
}

func (cj *ClusterJobs) addon(ctx context.Context, j *JobRun) error {
	var a AddonArgs
	if err := j.Args(&a); err != nil {
		return err
	}
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
