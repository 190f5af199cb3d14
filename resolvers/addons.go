package resolvers

import (
	"context"

	"kaas/addons"
	"kaas/audit"
	"kaas/graph/model"
	"kaas/models"
)

// addonJob queues a cluster.addon job (operators only).
func (r *Resolver) addonJob(ctx context.Context, action addons.Action, clusterID, name, version string) (*models.Job, error) {
	viewer, err := r.operator(ctx)
	if err != nil {
		return nil, err
	}
	var job *models.Job
	c, err := r.Registry.Get(ctx, clusterID)
	if err == nil {
		job, err = r.ClusterJobs.EnqueueAddon(ctx, c, action, name, version, viewer.Username)
	}
	r.Audit.Record(ctx, principalOf(viewer), audit.ActionAddonPrefix+string(action), clusterID, name, err)
	return job, err
}

func toAddon(h addons.Health) *model.Addon {
	out := &model.Addon{Name: h.Addon.Name, Description: h.Addon.Description, Namespace: h.Addon.Namespace,
		InstalledVersion: nonEmpty(h.Installed), LatestVersion: h.Addon.Latest().Name, Status: model.AddonStatus(h.Status),
		ReadyReplicas: h.Ready, DesiredReplicas: h.Desired, Message: h.Message, Workloads: make([]*model.AddonWorkload, len(h.Workloads))}
	for i, w := range h.Workloads {
		out.Workloads[i] = &model.AddonWorkload{Kind: w.Kind, Namespace: w.Namespace, Name: w.Name, ReadyReplicas: w.Ready,
			DesiredReplicas: w.Desired, Status: model.AddonStatus(w.Status), Message: w.Message}
	}
	return out
}
