package resolvers

import (
	"kaas/graph/model"
	"kaas/models"
	"kaas/rbac"
	"kaas/resize"
)

func toBinding(b rbac.Binding) *model.RoleBinding {
	out := &model.RoleBinding{ID: models.BindingID(b.Namespace, b.Name), Name: b.Name, RoleKind: b.RoleKind, RoleName: b.RoleName,
		Protected: b.Protected, CreatedAt: b.CreatedAt, Subjects: []*model.BindingSubject{}}
	if b.Namespace != "" {
		ns := b.Namespace
		out.Namespace = &ns
	}
	for _, s := range b.Subjects {
		sub := &model.BindingSubject{Kind: model.SubjectKind(s.Kind), ID: s.ID}
		sub.Name, sub.Domain, sub.KeystoneID = optional(s.Name), optional(s.Domain), optional(s.KeystoneID)
		out.Subjects = append(out.Subjects, sub)
	}
	return out
}

// optional is nil for "", else a pointer to s.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toUserPage(p rbac.UserPage) *model.KeystoneUserPage {
	out := &model.KeystoneUserPage{Total: p.Total, Offset: p.Offset, HasMore: p.Offset+len(p.Users) < p.Total, Users: make([]*model.KeystoneUser, len(p.Users))}
	for i, u := range p.Users {
		out.Users[i] = &model.KeystoneUser{ID: u.ID, Name: u.Name, Domain: u.Domain, DomainID: u.DomainID, Enabled: u.Enabled, KubernetesUsername: optional(u.KubernetesName)}
	}
	return out
}

func toBackup(b models.VeleroObject) *model.Backup {
	ns := b.IncludedNamespaces
	if ns == nil {
		ns = []string{}
	}
	return &model.Backup{Name: b.Name, Phase: b.Phase, IncludedNamespaces: ns, CreatedAt: b.Created, StartedAt: b.Started,
		CompletedAt: b.Completed, ExpiresAt: b.Expires, Errors: b.Errors, Warnings: b.Warnings}
}

func toRestore(r models.VeleroObject) *model.Restore {
	return &model.Restore{Name: r.Name, BackupName: r.BackupName, Phase: r.Phase, CreatedAt: r.Created, StartedAt: r.Started, CompletedAt: r.Completed}
}

// clusterSize is the requested size, each field left out taking its default; nil for
// no size at all.
func clusterSize(in *model.ClusterSizeInput) *models.ClusterSize {
	if in == nil {
		return nil
	}
	s := models.DefaultClusterSize
	for _, f := range []struct {
		v   *int
		dst *int
	}{{in.Workers, &s.Workers}, {in.WorkerVcpu, &s.WorkerVCPU}, {in.WorkerRAMGb, &s.WorkerRAMGB}, {in.WorkerDiskGb, &s.WorkerDiskGB}, {in.RegistryDbGb, &s.RegistryDBGB}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	return &s
}

// nonEmpty is s, nil when empty.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func resizeChange(in model.ResizeInput) resize.Change {
	return resize.Change{
		Workers: in.Workers, WorkerVCPU: derefInt(in.WorkerVcpu), WorkerRAMGB: derefInt(in.WorkerRAMGb),
		WorkerDiskGB: derefInt(in.WorkerDiskGb), Reason: deref(in.Reason),
	}
}
