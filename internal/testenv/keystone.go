package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/domains"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/endpoints"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/services"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
)

// KeystoneAdmin is an admin client of the test Keystone, for tests that create, disable
// and delete their own users and roles.
type KeystoneAdmin struct {
	tb testing.TB
	c  *gophercloud.ServiceClient
}

// NewKeystoneAdmin logs in to the test Keystone as its admin.
func NewKeystoneAdmin(tb testing.TB) *KeystoneAdmin {
	tb.Helper()
	c, err := adminClient(context.Background(), Keystone(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return &KeystoneAdmin{tb: tb, c: c}
}

// adminClient logs in to the Keystone env names as its admin.
func adminClient(ctx context.Context, env KeystoneEnv) (*gophercloud.ServiceClient, error) {
	p, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
		IdentityEndpoint: env.AuthURL, Username: env.Username, Password: env.Password, DomainName: "Default",
		Scope: &gophercloud.AuthScope{ProjectName: env.ProjectName, DomainName: "Default"},
	})
	if err != nil {
		return nil, fmt.Errorf("log in to the test Keystone as admin: %w", err)
	}
	return openstack.NewIdentityV3(p, gophercloud.EndpointOpts{})
}

// RandomName returns prefix plus a random suffix.
func RandomName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// CreateUser creates an enabled user in the Default domain with the role member on the
// demo project, deleted when the test ends. It returns the user ID.
func (k *KeystoneAdmin) CreateUser(name, password string) string {
	k.tb.Helper()
	ctx := context.Background()
	enabled := true
	u, err := users.Create(ctx, k.c, users.CreateOpts{Name: name, Password: password, DomainID: "default", Enabled: &enabled}).Extract()
	if err != nil {
		k.tb.Fatalf("create user %s: %v", name, err)
	}
	k.tb.Cleanup(func() { users.Delete(context.Background(), k.c, u.ID) })
	k.AssignRole(u.ID, k.RoleID("member"))
	return u.ID
}

// RoleID returns the ID of a global role by name.
func (k *KeystoneAdmin) RoleID(name string) string {
	k.tb.Helper()
	page, err := roles.List(k.c, roles.ListOpts{Name: name}).AllPages(context.Background())
	if err != nil {
		k.tb.Fatal(err)
	}
	rs, _ := roles.ExtractRoles(page)
	if len(rs) == 0 {
		k.tb.Fatalf("role %s not found", name)
	}
	return rs[0].ID
}

// CreateRole creates a global role, deleted when the test ends.
func (k *KeystoneAdmin) CreateRole(name string) string {
	k.tb.Helper()
	r, err := roles.Create(context.Background(), k.c, roles.CreateOpts{Name: name}).Extract()
	if err != nil {
		k.tb.Fatalf("create role %s: %v", name, err)
	}
	k.tb.Cleanup(func() { roles.Delete(context.Background(), k.c, r.ID) })
	return r.ID
}

// AssignRole gives the user the role on the demo project.
func (k *KeystoneAdmin) AssignRole(userID, roleID string) {
	k.tb.Helper()
	k.AssignRoleOnProject(userID, roleID, k.DemoProjectID())
}

// DemoProjectID returns the ID of the seeded project demo.
func (k *KeystoneAdmin) DemoProjectID() string {
	k.tb.Helper()
	page, err := projects.List(k.c, projects.ListOpts{Name: "demo"}).AllPages(context.Background())
	if err != nil {
		k.tb.Fatal(err)
	}
	ps, _ := projects.ExtractProjects(page)
	if len(ps) == 0 {
		k.tb.Fatal("project demo not found: is the test Keystone seeded?")
	}
	return ps[0].ID
}

// SetDefaultProject sets the user's default project, which Keystone scopes a token to
// when its request names no scope.
func (k *KeystoneAdmin) SetDefaultProject(userID, projectID string) {
	k.tb.Helper()
	if _, err := users.Update(context.Background(), k.c, userID, users.UpdateOpts{DefaultProjectID: projectID}).Extract(); err != nil {
		k.tb.Fatalf("update user: %v", err)
	}
}

// DeleteRole deletes a role and, with it, every assignment of it. It may run on any
// goroutine: a failure is returned, not reported.
func (k *KeystoneAdmin) DeleteRole(roleID string) error {
	return roles.Delete(context.Background(), k.c, roleID).ExtractErr()
}

// SetEnabled enables or disables a user.
func (k *KeystoneAdmin) SetEnabled(userID string, enabled bool) {
	k.tb.Helper()
	if _, err := users.Update(context.Background(), k.c, userID, users.UpdateOpts{Enabled: &enabled}).Extract(); err != nil {
		k.tb.Fatalf("update user: %v", err)
	}
}

// DeleteUser deletes a user.
func (k *KeystoneAdmin) DeleteUser(userID string) {
	k.tb.Helper()
	if err := users.Delete(context.Background(), k.c, userID).ExtractErr(); err != nil {
		k.tb.Fatalf("delete user: %v", err)
	}
}

// RolesNamed counts the global roles with that name.
func (k *KeystoneAdmin) RolesNamed(name string) int {
	k.tb.Helper()
	page, err := roles.List(k.c, roles.ListOpts{Name: name}).AllPages(context.Background())
	if err != nil {
		k.tb.Fatal(err)
	}
	rs, _ := roles.ExtractRoles(page)
	return len(rs)
}

// RegisterEndpoints adds services of the given types to the catalog, each with a public
// endpoint in region at its URL, removed when the test ends. A new region keeps tests
// apart.
func (k *KeystoneAdmin) RegisterEndpoints(region string, urls map[string]string) {
	k.tb.Helper()
	remove, err := addEndpoints(context.Background(), k.c, region, urls)
	k.tb.Cleanup(remove)
	if err != nil {
		k.tb.Fatal(err)
	}
}

// RegisterEndpointsAs is RegisterEndpoints for a program outside a Go test
// (cmd/kaas-testbed): it logs in as env's admin and returns what removes the endpoints and
// their services again.
func RegisterEndpointsAs(ctx context.Context, env KeystoneEnv, region string, urls map[string]string) (remove func(), err error) {
	c, err := adminClient(ctx, env)
	if err != nil {
		return func() {}, err
	}
	return addEndpoints(ctx, c, region, urls)
}

// addEndpoints creates a service and its public endpoint in region per type; remove
// deletes what it created, also after an error.
func addEndpoints(ctx context.Context, c *gophercloud.ServiceClient, region string, urls map[string]string) (remove func(), err error) {
	var undo []func()
	remove = func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	for typ, url := range urls {
		svc, err := services.Create(ctx, c, services.CreateOpts{Type: typ, Extra: map[string]any{"name": typ + "-" + region}}).Extract()
		if err != nil {
			return remove, fmt.Errorf("create service %s: %w", typ, err)
		}
		undo = append(undo, func() { services.Delete(context.Background(), c, svc.ID) })
		ep, err := endpoints.Create(ctx, c, endpoints.CreateOpts{Availability: gophercloud.AvailabilityPublic, Region: region, URL: url, ServiceID: svc.ID}).Extract()
		if err != nil {
			return remove, fmt.Errorf("create endpoint %s: %w", typ, err)
		}
		undo = append(undo, func() { endpoints.Delete(context.Background(), c, ep.ID) })
	}
	return remove, nil
}

// CreateDomain creates an enabled domain, disabled and deleted when the test ends. It
// returns the domain ID.
func (k *KeystoneAdmin) CreateDomain(name string) string {
	k.tb.Helper()
	enabled := true
	d, err := domains.Create(context.Background(), k.c, domains.CreateOpts{Name: name, Enabled: &enabled}).Extract()
	if err != nil {
		k.tb.Fatalf("create domain %s: %v", name, err)
	}
	k.tb.Cleanup(func() {
		ctx := context.Background()
		disabled := false
		domains.Update(ctx, k.c, d.ID, domains.UpdateOpts{Enabled: &disabled})
		domains.Delete(ctx, k.c, d.ID)
	})
	return d.ID
}

// CreateUserIn creates an enabled user in the domain, deleted when the test ends, with no
// role. It returns the user ID.
func (k *KeystoneAdmin) CreateUserIn(domainID, name, password string) string {
	k.tb.Helper()
	enabled := true
	u, err := users.Create(context.Background(), k.c, users.CreateOpts{Name: name, Password: password, DomainID: domainID, Enabled: &enabled}).Extract()
	if err != nil {
		k.tb.Fatalf("create user %s: %v", name, err)
	}
	k.tb.Cleanup(func() { users.Delete(context.Background(), k.c, u.ID) })
	return u.ID
}

// CreateProject creates a project in the domain, deleted when the test ends.
func (k *KeystoneAdmin) CreateProject(domainID, name string) string {
	k.tb.Helper()
	p, err := projects.Create(context.Background(), k.c, projects.CreateOpts{DomainID: domainID, Name: name}).Extract()
	if err != nil {
		k.tb.Fatalf("create project %s: %v", name, err)
	}
	k.tb.Cleanup(func() { projects.Delete(context.Background(), k.c, p.ID) })
	return p.ID
}

// AssignRoleOnProject gives the user the role on the project.
func (k *KeystoneAdmin) AssignRoleOnProject(userID, roleID, projectID string) {
	k.tb.Helper()
	if err := roles.Assign(context.Background(), k.c, roleID, roles.AssignOpts{UserID: userID, ProjectID: projectID}).ExtractErr(); err != nil {
		k.tb.Fatalf("assign role: %v", err)
	}
}
