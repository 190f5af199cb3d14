package backups

import (
	"context"
	"reflect"
	"testing"

	"kaas/models"
)

// veleroCluster is a Cluster holding Velero objects by kind; it records what was created.
type veleroCluster struct {
	installed bool
	objects   map[string][]models.VeleroObject
	created   []createdVelero
}

type createdVelero struct {
	kind, prefix string
	spec         map[string]any
}

func (c *veleroCluster) VeleroInstalled(ctx context.Context) (bool, error) { return c.installed, nil }

func (c *veleroCluster) ListVelero(ctx context.Context, kind string) ([]models.VeleroObject, error) {
	return c.objects[kind], nil
}

func (c *veleroCluster) CreateVelero(ctx context.Context, kind, prefix string, spec map[string]any) (models.VeleroObject, error) {
	c.created = append(c.created, createdVelero{kind, prefix, spec})
	return models.VeleroObject{Name: prefix + "x1"}, nil
}

func (c *veleroCluster) GetVelero(ctx context.Context, kind, name string) (models.VeleroObject, error) {
	for _, o := range c.objects[kind] {
		if o.Name == name {
			return o, nil
		}
	}
	return models.VeleroObject{}, models.Errorf(models.CodeNotFound, "not found on the cluster")
}

func TestList(t *testing.T) {
	objects := map[string][]models.VeleroObject{
		models.VeleroBackup:   {{Name: "b1"}, {Name: "b2"}},
		models.VeleroSchedule: {{Name: "daily", Schedule: "0 2 * * *"}},
		models.VeleroRestore:  {{Name: "b1-restore-x", BackupName: "b1"}},
	}
	tests := []struct {
		name    string
		cluster *veleroCluster
		want    Overview
	}{
		{"without Velero", &veleroCluster{objects: objects}, Overview{}},
		{"with Velero", &veleroCluster{installed: true, objects: objects}, Overview{Installed: true,
			Backups: objects[models.VeleroBackup], Schedules: objects[models.VeleroSchedule], Restores: objects[models.VeleroRestore]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := List(context.Background(), tt.cluster)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("List = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestCreateBackup(t *testing.T) {
	tests := []struct {
		name       string
		installed  bool
		namespaces []string
		ttlHours   int
		wantCode   models.Code
		wantSpec   map[string]any
	}{
		{"all namespaces, default TTL", true, nil, 0, "", map[string]any{"ttl": "720h0m0s", "includedNamespaces": []any{"*"}}},
		{"named namespaces", true, []string{"shop", "db"}, 48, "", map[string]any{"ttl": "48h0m0s", "includedNamespaces": []any{"shop", "db"}}},
		{"bad namespace name", true, []string{"Shop"}, 0, models.CodeInvalid, nil},
		{"TTL beyond a year", true, nil, 24*365 + 1, models.CodeInvalid, nil},
		{"negative TTL", true, nil, -1, models.CodeInvalid, nil},
		{"Velero missing", false, nil, 0, models.CodeInvalid, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &veleroCluster{installed: tt.installed}
			_, err := CreateBackup(context.Background(), c, tt.namespaces, tt.ttlHours)
			if got := models.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if tt.wantCode != "" {
				if len(c.created) != 0 {
					t.Fatalf("a refused backup created %+v", c.created)
				}
				return
			}
			if len(c.created) != 1 || c.created[0].kind != models.VeleroBackup || c.created[0].prefix != "kaas-ondemand-" || !reflect.DeepEqual(c.created[0].spec, tt.wantSpec) {
				t.Fatalf("created = %+v, want a Backup with spec %v", c.created, tt.wantSpec)
			}
		})
	}
}

func TestCreateRestore(t *testing.T) {
	backups := map[string][]models.VeleroObject{models.VeleroBackup: {{Name: "nightly-1"}}}
	tests := []struct {
		name      string
		installed bool
		backup    string
		wantCode  models.Code
	}{
		{"from a backup that exists", true, " nightly-1 ", ""},
		{"no name", true, "  ", models.CodeInvalid},
		{"no such backup", true, "weekly-9", models.CodeInvalid},
		{"Velero missing", false, "nightly-1", models.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &veleroCluster{installed: tt.installed, objects: backups}
			_, err := CreateRestore(context.Background(), c, tt.backup)
			if got := models.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if tt.wantCode != "" {
				if len(c.created) != 0 {
					t.Fatalf("a refused restore created %+v", c.created)
				}
				return
			}
			want := createdVelero{models.VeleroRestore, "nightly-1-restore-", map[string]any{"backupName": "nightly-1"}}
			if len(c.created) != 1 || !reflect.DeepEqual(c.created[0], want) {
				t.Fatalf("created = %+v, want %+v", c.created, want)
			}
		})
	}
}
