// Package backups reads and starts Velero backups and restores on a cluster.
package backups

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"kaas/kube"
	"kaas/models"
)

// Overview is what Velero holds on a cluster.
type Overview struct {
	Installed bool
	Backups   []kube.VeleroObject
	Schedules []kube.VeleroObject
	Restores  []kube.VeleroObject
}

// List returns the cluster's backups, schedules and restores; Installed is false when
// Velero's API is absent.
func List(ctx context.Context, cs kubernetes.Interface, dc dynamic.Interface) (Overview, error) {
	ok, err := kube.VeleroInstalled(cs)
	if err != nil || !ok {
		return Overview{}, err
	}
	o := Overview{Installed: true}
	if o.Backups, err = kube.ListVelero(ctx, dc, kube.BackupGVR); err != nil {
		return Overview{}, err
	}
	if o.Schedules, err = kube.ListVelero(ctx, dc, kube.ScheduleGVR); err != nil {
		return Overview{}, err
	}
	if o.Restores, err = kube.ListVelero(ctx, dc, kube.RestoreGVR); err != nil {
		return Overview{}, err
	}
	return o, nil
}

var namespaceName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

func requireVelero(cs kubernetes.Interface) error {
	ok, err := kube.VeleroInstalled(cs)
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
func CreateBackup(ctx context.Context, cs kubernetes.Interface, dc dynamic.Interface, namespaces []string, ttlHours int) (kube.VeleroObject, error) {
	for _, ns := range namespaces {
		if !namespaceName.MatchString(ns) {
			return kube.VeleroObject{}, models.Errorf(models.CodeInvalid, "%q is not a namespace name", ns)
		}
	}
	if ttlHours == 0 {
		ttlHours = 720
	}
	if ttlHours < 1 || ttlHours > 24*365 {
		return kube.VeleroObject{}, models.Errorf(models.CodeInvalid, "a backup is kept between 1 hour and 1 year")
	}
	if err := requireVelero(cs); err != nil {
		return kube.VeleroObject{}, err
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
	return kube.CreateVelero(ctx, dc, kube.BackupGVR, "Backup", "kaas-ondemand-", spec)
}

// CreateRestore starts a restore from a backup that exists.
func CreateRestore(ctx context.Context, cs kubernetes.Interface, dc dynamic.Interface, backupName string) (kube.VeleroObject, error) {
	backupName = strings.TrimSpace(backupName)
	if backupName == "" {
		return kube.VeleroObject{}, models.Errorf(models.CodeInvalid, "name the backup to restore")
	}
	if err := requireVelero(cs); err != nil {
		return kube.VeleroObject{}, err
	}
	if _, err := kube.GetVelero(ctx, dc, kube.BackupGVR, backupName); err != nil {
		if models.ErrorCode(err) == models.CodeNotFound {
			return kube.VeleroObject{}, models.Errorf(models.CodeInvalid, "there is no backup %q", backupName)
		}
		return kube.VeleroObject{}, err
	}
	return kube.CreateVelero(ctx, dc, kube.RestoreGVR, "Restore", backupName+"-restore-", map[string]any{"backupName": backupName})
}
