// Package backups reads and starts Velero backups and restores on a cluster.
package backups

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"kaas/models"
)

// Cluster is one cluster's Velero API, acting as the panel (kube.Cluster). Kinds are
// models.VeleroBackup, models.VeleroSchedule and models.VeleroRestore.
type Cluster interface {
	// VeleroInstalled reports whether the cluster serves Velero's API.
	VeleroInstalled(ctx context.Context) (bool, error)
	// ListVelero lists the objects of a kind, newest first.
	ListVelero(ctx context.Context, kind string) ([]models.VeleroObject, error)
	// CreateVelero creates an object of a kind in Velero's namespace, its name generated
	// from prefix.
	CreateVelero(ctx context.Context, kind, prefix string, spec map[string]any) (models.VeleroObject, error)
	// GetVelero returns one object; a missing one is NOT_FOUND.
	GetVelero(ctx context.Context, kind, name string) (models.VeleroObject, error)
}

// Overview is what Velero holds on a cluster.
type Overview struct {
	Installed bool
	Backups   []models.VeleroObject
	Schedules []models.VeleroObject
	Restores  []models.VeleroObject
}

// List returns the cluster's backups, schedules and restores; Installed is false when
// Velero's API is absent.
func List(ctx context.Context, cluster Cluster) (Overview, error) {
	ok, err := cluster.VeleroInstalled(ctx)
	if err != nil || !ok {
		return Overview{}, err
	}
	o := Overview{Installed: true}
	if o.Backups, err = cluster.ListVelero(ctx, models.VeleroBackup); err != nil {
		return Overview{}, err
	}
	if o.Schedules, err = cluster.ListVelero(ctx, models.VeleroSchedule); err != nil {
		return Overview{}, err
	}
	if o.Restores, err = cluster.ListVelero(ctx, models.VeleroRestore); err != nil {
		return Overview{}, err
	}
	return o, nil
}

var namespaceName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

func requireVelero(ctx context.Context, cluster Cluster) error {
	ok, err := cluster.VeleroInstalled(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return models.Errorf(models.CodeInvalid, "Velero is not installed on this cluster")
	}
	return nil
}

// CreateBackup starts an on-demand backup of the namespaces (all when empty), kept for
// ttlHours (default 720).
func CreateBackup(ctx context.Context, cluster Cluster, namespaces []string, ttlHours int) (models.VeleroObject, error) {
	for _, ns := range namespaces {
		if !namespaceName.MatchString(ns) {
			return models.VeleroObject{}, models.Errorf(models.CodeInvalid, "%q is not a namespace name", ns)
		}
	}
	if ttlHours == 0 {
		ttlHours = 720
	}
	if ttlHours < 1 || ttlHours > 24*365 {
		return models.VeleroObject{}, models.Errorf(models.CodeInvalid, "a backup is kept between 1 hour and 1 year")
	}
	if err := requireVelero(ctx, cluster); err != nil {
		return models.VeleroObject{}, err
	}
	spec := map[string]any{"ttl": fmt.Sprintf("%dh0m0s", ttlHours)}
	if len(namespaces) > 0 {
		list := make([]any, len(namespaces))
		for i, ns := range namespaces {
			list[i] = ns
		}
		spec["includedNamespaces"] = list
	} else {
		spec["includedNamespaces"] = []any{"*"}
	}
	return cluster.CreateVelero(ctx, models.VeleroBackup, "kaas-ondemand-", spec)
}

// CreateRestore starts a restore from a backup that exists.
func CreateRestore(ctx context.Context, cluster Cluster, backupName string) (models.VeleroObject, error) {
	backupName = strings.TrimSpace(backupName)
	if backupName == "" {
		return models.VeleroObject{}, models.Errorf(models.CodeInvalid, "name the backup to restore")
	}
	if err := requireVelero(ctx, cluster); err != nil {
		return models.VeleroObject{}, err
	}
	if _, err := cluster.GetVelero(ctx, models.VeleroBackup, backupName); err != nil {
		if models.ErrorCode(err) == models.CodeNotFound {
			return models.VeleroObject{}, models.Errorf(models.CodeInvalid, "there is no backup %q", backupName)
		}
		return models.VeleroObject{}, err
	}
	return cluster.CreateVelero(ctx, models.VeleroRestore, backupName+"-restore-", map[string]any{"backupName": backupName})
}
