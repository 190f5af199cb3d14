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
	kubeAPI   = []string{"k8s.io/api/"}
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
		// direct checks only the package's own imports, not what they import in turn.
		direct bool
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
		// The job engine knows nothing of what its jobs do.
		{pkg: "kaas/jobs", forbidden: join(openstack, cluster, kubeAPI, graphql)},
		// The cluster lifecycle reaches clouds and clusters only through its drivers and
		// its Kube interface.
		{pkg: "kaas/provisioning", forbidden: join(openstack, cluster, kubeAPI, graphql)},
		{pkg: "kaas/cloud", forbidden: join(database, cluster, graphql)},
		// Services reach clusters through the small interfaces they declare, in the
		// panel's own types; kube implements them.
		{pkg: "kaas/clusters", forbidden: join(database, openstack, cluster, kubeAPI, graphql)},
		{pkg: "kaas/rbac", forbidden: join(database, openstack, cluster, kubeAPI, graphql)},
		{pkg: "kaas/backups", forbidden: join(database, openstack, cluster, kubeAPI, graphql)},
		{pkg: "kaas/audit", forbidden: join(database, openstack, cluster, kubeAPI, graphql)},
		{pkg: "kaas/httpapi", forbidden: join(database, openstack, cluster, kubeAPI)},
		// Resolvers name no outside system and no adapter themselves.
		{pkg: "kaas/resolvers", forbidden: join(database, openstack, cluster, kubeAPI, []string{"kaas/kube", "kaas/identity", "kaas/store"}), direct: true},
		// Nor through anything they import: no client-go, gophercloud or k8s.io/api at all.
		{pkg: "kaas/resolvers", forbidden: join(openstack, cluster, kubeAPI)},
		// The catalog and installer reach clusters only through the Cluster interface (kube.Applier).
		{pkg: "kaas/addons", forbidden: join(database, openstack, cluster, graphql)},
	}
	for _, r := range rules {
		t.Run(r.pkg, func(t *testing.T) {
			deps := goList(t, r.pkg, r.direct)
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

// TestOnlyAdaptersImportGophercloud checks that, of the panel's own packages (commands
// and test tooling aside), only the OpenStack adapters import gophercloud: identity for
// Keystone, cloud for Nova, Neutron and Octavia.
func TestOnlyAdaptersImportGophercloud(t *testing.T) {
	adapters := map[string]bool{"kaas/identity": true, "kaas/cloud": true}
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "kaas/...").Output()
	if err != nil {
		t.Fatalf("go list kaas/...: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	adapterImports := 0 // a listing that lost the imports would pass every check
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if adapters[p.ImportPath] {
			for _, imp := range p.Imports {
				if strings.HasPrefix(imp, openstack[0]) {
					adapterImports++
				}
			}
			continue
		}
		if strings.HasPrefix(p.ImportPath, "kaas/cmd/") || strings.HasPrefix(p.ImportPath, "kaas/internal/") {
			continue
		}
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, openstack[0]) {
				t.Errorf("%s imports %s: only identity and cloud speak to OpenStack", p.ImportPath, imp)
				break
			}
		}
	}
	if adapterImports == 0 {
		t.Fatal("go list kaas/... shows no gophercloud import of identity or cloud")
	}
}

type dep struct {
	ImportPath string
	Standard   bool
}

// goList returns pkg's transitive dependencies (not its tests'), or with direct only the
// packages it imports itself.
func goList(t *testing.T, pkg string, direct bool) []dep {
	t.Helper()
	args := []string{"list", "-deps", "-json=ImportPath,Standard", pkg}
	if direct {
		imports, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		args = append([]string{"list", "-json=ImportPath,Standard"}, strings.Fields(string(imports))...)
	}
	out, err := exec.Command("go", args...).Output()
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
