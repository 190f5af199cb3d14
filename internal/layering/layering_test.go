// Package layering_test checks the import rules between the panel's rooms: the domain
// imports nothing technical, and no package reaches an outside system except through
// the adapter package of that system.
package layering_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// Outside systems, by the import path prefix of their libraries.
var (
	database  = []string{"gorm.io/", "github.com/jackc/pgx", "github.com/glebarez/"}
	openstack = []string{"github.com/gophercloud/"}
	cluster   = []string{"k8s.io/client-go"}
	graphql   = []string{"github.com/99designs/gqlgen", "github.com/vektah/gqlparser"}
)

func join(groups ...[]string) []string {
	var all []string
	for _, g := range groups {
		all = append(all, g...)
	}
	return all
}

// TestImportRules lists every package's transitive imports with `go list` and checks
// each rule.
func TestImportRules(t *testing.T) {
	rules := []struct {
		pkg       string
		forbidden []string
		stdOnly   bool
	}{
		{pkg: "kaas/models", stdOnly: true},
		{pkg: "kaas/memo", forbidden: join(database, openstack, cluster, graphql)},
		{pkg: "kaas/throttle", forbidden: join(database, openstack, cluster, graphql)},
		{pkg: "kaas/clientip", forbidden: join(database, openstack, cluster, graphql)},
		{pkg: "kaas/session", forbidden: join(database, openstack, cluster, graphql)},
		{pkg: "kaas/tokens", forbidden: join(database, openstack, cluster, graphql)},
		{pkg: "kaas/retention", forbidden: join(database, openstack, cluster, graphql)},
		{pkg: "kaas/auth", forbidden: join(database, openstack, cluster, graphql)},
		// The webhook speaks the TokenReview wire types of k8s.io/api, nothing else of Kubernetes.
		{pkg: "kaas/webhook", forbidden: join(database, openstack, cluster, graphql)},
		{pkg: "kaas/store", forbidden: join(openstack, cluster, graphql)},
		{pkg: "kaas/identity", forbidden: join(database, cluster, graphql)},
		{pkg: "kaas/graph", forbidden: join(database, openstack, cluster)},
		// The catalog and installer reach clusters only through the Cluster interface (kube.Applier).
		{pkg: "kaas/addons", forbidden: join(database, openstack, cluster, graphql)},
	}
	for _, r := range rules {
		t.Run(r.pkg, func(t *testing.T) {
			deps := goList(t, r.pkg)
			for _, d := range deps {
				if r.stdOnly && !d.Standard && !strings.HasPrefix(d.ImportPath, r.pkg) {
					t.Errorf("%s imports %s: the domain package imports only the standard library", r.pkg, d.ImportPath)
				}
				for _, f := range r.forbidden {
					if strings.HasPrefix(d.ImportPath, f) {
						t.Errorf("%s imports %s (%s…), which belongs to another room", r.pkg, d.ImportPath, f)
						break
					}
				}
			}
		})
	}
}

type dep struct {
	ImportPath string
	Standard   bool
}

// goList returns pkg's transitive dependencies (not its tests').
func goList(t *testing.T, pkg string) []dep {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard", pkg).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	var deps []dep
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var d dep
		if err := dec.Decode(&d); err != nil {
			t.Fatalf("go list output: %v", err)
		}
		deps = append(deps, d)
	}
	if len(deps) == 0 {
		t.Fatalf("go list %s listed nothing", pkg)
	}
	return deps
}
