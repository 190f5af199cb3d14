// Package existing is the provisioning driver that adopts a cluster already running:
// the panel makes no infrastructure for it and reaches it with the admin kubeconfig the
// request brought, kept sealed in the job's arguments.
package existing

import (
	"context"
	"fmt"

	"kaas/models"
	"kaas/provisioning"
)

// Name is the driver's name in requests, job arguments and clusters.
const Name = "existing"

// Driver adopts running clusters.
type Driver struct {
	// Kube checks that a request's kubeconfig can be used.
	Kube   provisioning.Kube
	Sealer provisioning.Sealer
}

// Describe names the driver; its clusters outlive the panel and keep their own
// services.
func (d *Driver) Describe() provisioning.Description {
	return provisioning.Description{Name: Name, Adopted: true}
}

// Enabled reports true: any panel can adopt a cluster.
func (d *Driver) Enabled() bool { return true }

// Validate checks that the kubeconfig can be used (INVALID otherwise).
func (d *Driver) Validate(kubeconfig []byte) error {
	_, err := d.Kube.Connect(kubeconfig)
	return err
}

// Prepare seals the kubeconfig into the job's arguments, with the cluster ID as
// associated data, so the registry can keep the same bytes.
func (d *Driver) Prepare(a *provisioning.CreateArgs, kubeconfig []byte) error {
	sealed, err := d.Sealer.Seal(kubeconfig, []byte(a.ClusterID))
	if err != nil {
		return fmt.Errorf("seal kubeconfig: %w", err)
	}
	a.SealedKubeconfig = sealed
	return nil
}

// Ensure makes nothing: the cluster runs already.
func (d *Driver) Ensure(_ context.Context, _ provisioning.CreateArgs, p provisioning.Progress) error {
	p.Progress(100, "the cluster already runs: no infrastructure to create")
	return nil
}

// Access opens the sealed kubeconfig of the request.
func (d *Driver) Access(_ context.Context, a provisioning.CreateArgs) (provisioning.Access, error) {
	kc, err := d.Sealer.Open(a.SealedKubeconfig, []byte(a.ClusterID))
	if err != nil {
		return provisioning.Access{}, fmt.Errorf("open kubeconfig: %w", err)
	}
	return provisioning.Access{Kubeconfig: kc}, nil
}

// Remove removes nothing: the cluster goes on running outside the panel.
func (d *Driver) Remove(_ context.Context, _ provisioning.DeleteArgs, p provisioning.Progress) error {
	p.Progress(100, "the cluster keeps running outside the panel: no infrastructure to remove")
	return nil
}

// Restore is never needed: an adopted cluster does not end with the panel.
func (d *Driver) Restore(context.Context, models.Cluster) ([]byte, error) {
	return nil, models.Errorf(models.CodeInvalid, "an existing cluster runs outside the panel: nothing to restore")
}
