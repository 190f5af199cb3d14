package provisioning

import (
	"context"
	"fmt"

	"kaas/models"
)

// Driver brings up and removes the infrastructure of the clusters of one kind: existing
// (adopt a running cluster), local (processes on this host), openstack (a cloud). The
// lifecycle calls it from idempotent steps, so every method that makes or removes
// something first looks for what is there.
type Driver interface {
	// Describe says what the driver is and what its clusters need of the panel.
	Describe() Description
	// Enabled reports whether clusters can be made with the driver now.
	Enabled() bool
	// Validate checks a request for a cluster of this driver before any job exists; a
	// driver that cannot make clusters here, or a kubeconfig it cannot use, is INVALID.
	Validate(kubeconfig []byte) error
	// Prepare puts what the create job must carry into a's sealed fields (an existing
	// cluster's kubeconfig, a new cluster's PKI), made once so that a step run again
	// sees the same secrets.
	Prepare(a *CreateArgs, kubeconfig []byte) error
	// Ensure makes whatever of the cluster's infrastructure is missing.
	Ensure(ctx context.Context, a CreateArgs, p Progress) error
	// Access returns how the panel reaches the cluster being made: the API waits on it,
	// bootstrapping and the registry use it.
	Access(ctx context.Context, a CreateArgs) (Access, error)
	// Remove removes the cluster's infrastructure; what is gone already is skipped.
	Remove(ctx context.Context, a DeleteArgs, p Progress) error
	// Restore starts again a cluster of a Transient driver whose processes ended with
	// the panel, and returns its new admin kubeconfig.
	Restore(ctx context.Context, c models.Cluster) ([]byte, error)
}

// Description says what a driver is.
type Description struct {
	// Name is how requests, job arguments and clusters name the driver.
	Name string
	// Transient drivers run their clusters as processes of the panel, which end with it:
	// on start the panel restores the ones it has registered.
	Transient bool
	// Adopted drivers take over clusters that ran before the panel knew them, with their
	// own network and services: the panel installs no add-ons on them by itself.
	Adopted bool
}

// Access is how the panel reaches a cluster.
type Access struct {
	// Kubeconfig is the panel's admin kubeconfig of the cluster.
	Kubeconfig []byte
	// WebhookTokenHash is the hash of the credential the cluster's kube-apiservers send
	// the panel's webhook, nil when the panel did not make it.
	WebhookTokenHash []byte
}

// Progress is how a driver reports what it did in the step that called it.
type Progress interface {
	// Progress records how far the step is (0–100) with a message.
	Progress(percent int, message string)
	// Log records a message of the step at level.
	Log(level models.EventLevel, message string)
}

// DriverRegistry holds the drivers a panel provisions with, by name, in the order they
// were added (the order a form lists them).
type DriverRegistry struct {
	order  []Driver
	byName map[string]Driver
}

// NewDriverRegistry returns a registry of drivers. Two drivers of one name are a
// programming error: it panics.
func NewDriverRegistry(drivers ...Driver) *DriverRegistry {
	r := &DriverRegistry{byName: map[string]Driver{}}
	for _, d := range drivers {
		name := d.Describe().Name
		if _, dup := r.byName[name]; dup || name == "" {
			panic(fmt.Sprintf("provisioning: bad or duplicate driver %q", name))
		}
		r.order = append(r.order, d)
		r.byName[name] = d
	}
	return r
}

// Lookup returns the named driver.
func (r *DriverRegistry) Lookup(name string) (Driver, bool) {
	if r == nil {
		return nil, false
	}
	d, ok := r.byName[name]
	return d, ok
}

// Enabled returns the names of the drivers that can make clusters now.
func (r *DriverRegistry) Enabled() []string {
	var out []string
	if r == nil {
		return out
	}
	for _, d := range r.order {
		if d.Enabled() {
			out = append(out, d.Describe().Name)
		}
	}
	return out
}
