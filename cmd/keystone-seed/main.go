// Command keystone-seed fills a development Keystone with the demo project, roles, group
// and users that the panel's demos and integration tests log in as. It authenticates as
// the cloud admin from the OS_* environment (see scripts/keystone.sh env) and can run any
// number of times: everything is looked up by name first, and existing users get their
// demo password, enabled flag and default project back.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"text/tabwriter"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/domains"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
	"github.com/gophercloud/gophercloud/v2/pagination"
)

const (
	domainName = "Default"
	// demoProject stands for the OpenStack project that owns the demo cluster.
	demoProject = "demo"
	// clusterAdminRole is the Keystone role that makes a user admin of the demo cluster.
	clusterAdminRole = "demo-cluster-admin"
	// clusterAdminGroup holds the role above, so that alice is cluster admin only through
	// an effective (group-inherited) assignment, as in clouds that manage access by group.
	clusterAdminGroup = "demo-cluster-admins"
)

// demoUser is one seeded user and the access it has on the demo project.
type demoUser struct {
	Name     string
	Password string
	Enabled  bool
	Roles    []string // roles on the demo project assigned to the user directly
	Groups   []string
	About    string
}

var demoUsers = []demoUser{
	{Name: "oscar", Password: "oscar-pass", Enabled: true, Roles: []string{"admin"},
		About: "operator: role admin on demo"},
	{Name: "alice", Password: "alice-pass", Enabled: true, Roles: []string{"member"}, Groups: []string{clusterAdminGroup},
		About: "cluster admin: group " + clusterAdminGroup + " has " + clusterAdminRole + " on demo; member on demo"},
	{Name: "ursula", Password: "ursula-pass", Enabled: true, Roles: []string{"member"},
		About: "regular user: member on demo"},
	{Name: "dora", Password: "dora-pass", Enabled: false, Roles: []string{"member"},
		About: "disabled user (login gets 401): member on demo"},
}

// demoGroups maps each seeded group to its roles on the demo project.
var demoGroups = map[string][]string{
	clusterAdminGroup: {clusterAdminRole},
}

func main() {
	log.SetFlags(0)
	opts, err := openstack.AuthOptionsFromEnv()
	if err != nil {
		log.Fatalf("keystone-seed: auth options: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := seed(ctx, opts, os.Stdout); err != nil {
		log.Fatalf("keystone-seed: %v", err)
	}
}

// seed creates or repairs the demo objects and prints a table of the demo users to w.
func seed(ctx context.Context, opts gophercloud.AuthOptions, w io.Writer) error {
	provider, err := openstack.AuthenticatedClient(ctx, opts)
	if err != nil {
		return fmt.Errorf("authenticate as %s: %w", opts.Username, err)
	}
	client, err := openstack.NewIdentityV3(provider, gophercloud.EndpointOpts{})
	if err != nil {
		return fmt.Errorf("identity client: %w", err)
	}

	domainID, err := findDomain(ctx, client, domainName)
	if err != nil {
		return err
	}
	projectID, err := ensureProject(ctx, client, domainID, demoProject)
	if err != nil {
		return err
	}
	roleIDs := map[string]string{}
	for _, name := range []string{"admin", "member", clusterAdminRole} {
		if roleIDs[name], err = ensureRole(ctx, client, name); err != nil {
			return err
		}
	}
	groupIDs := map[string]string{}
	for name, groupRoles := range demoGroups {
		if groupIDs[name], err = ensureGroup(ctx, client, domainID, name); err != nil {
			return err
		}
		for _, role := range groupRoles {
			if err := assignRole(ctx, client, roleIDs[role], roles.AssignOpts{GroupID: groupIDs[name], ProjectID: projectID}); err != nil {
				return fmt.Errorf("assign %s to group %s on %s: %w", role, name, demoProject, err)
			}
		}
	}
	for _, u := range demoUsers {
		if err := ensureDemoUser(ctx, client, domainID, projectID, u, roleIDs, groupIDs); err != nil {
			return err
		}
	}
	return printUsers(w)
}

// ensureDemoUser creates or updates u and gives it its roles and group memberships.
func ensureDemoUser(ctx context.Context, client *gophercloud.ServiceClient, domainID, projectID string, u demoUser, roleIDs, groupIDs map[string]string) error {
	userID, err := ensureUser(ctx, client, domainID, projectID, u)
	if err != nil {
		return err
	}
	for _, role := range u.Roles {
		if err := assignRole(ctx, client, roleIDs[role], roles.AssignOpts{UserID: userID, ProjectID: projectID}); err != nil {
			return fmt.Errorf("assign %s to user %s on %s: %w", role, u.Name, demoProject, err)
		}
	}
	for _, group := range u.Groups {
		// Adding an existing member is a no-op PUT in Keystone.
		if err := users.AddToGroup(ctx, client, groupIDs[group], userID).ExtractErr(); err != nil {
			return fmt.Errorf("add user %s to group %s: %w", u.Name, group, err)
		}
	}
	return nil
}

// findDomain returns the ID of the domain called name, which keystone-manage bootstrap
// creates.
func findDomain(ctx context.Context, client *gophercloud.ServiceClient, name string) (string, error) {
	found, err := first(ctx, domains.List(client, domains.ListOpts{Name: name}), domains.ExtractDomains)
	if err != nil {
		return "", fmt.Errorf("list domain %s: %w", name, err)
	}
	if found == nil {
		return "", fmt.Errorf("domain %s not found: was keystone-manage bootstrap run?", name)
	}
	return found.ID, nil
}

// ensureProject returns the ID of project name in the domain, creating it if missing.
func ensureProject(ctx context.Context, client *gophercloud.ServiceClient, domainID, name string) (string, error) {
	found, err := first(ctx, projects.List(client, projects.ListOpts{DomainID: domainID, Name: name}), projects.ExtractProjects)
	if err != nil {
		return "", fmt.Errorf("list project %s: %w", name, err)
	}
	if found != nil {
		return found.ID, nil
	}
	created, err := projects.Create(ctx, client, projects.CreateOpts{
		DomainID: domainID, Name: name, Description: "Demo project of the kaas panel",
	}).Extract()
	if err != nil {
		return "", fmt.Errorf("create project %s: %w", name, err)
	}
	return created.ID, nil
}

// ensureRole returns the ID of the global role name, creating it if missing.
func ensureRole(ctx context.Context, client *gophercloud.ServiceClient, name string) (string, error) {
	found, err := first(ctx, roles.List(client, roles.ListOpts{Name: name}), roles.ExtractRoles)
	if err != nil {
		return "", fmt.Errorf("list role %s: %w", name, err)
	}
	if found != nil {
		return found.ID, nil
	}
	created, err := roles.Create(ctx, client, roles.CreateOpts{Name: name}).Extract()
	if err != nil {
		return "", fmt.Errorf("create role %s: %w", name, err)
	}
	return created.ID, nil
}

// ensureGroup returns the ID of group name in the domain, creating it if missing.
func ensureGroup(ctx context.Context, client *gophercloud.ServiceClient, domainID, name string) (string, error) {
	found, err := first(ctx, groups.List(client, groups.ListOpts{DomainID: domainID, Name: name}), groups.ExtractGroups)
	if err != nil {
		return "", fmt.Errorf("list group %s: %w", name, err)
	}
	if found != nil {
		return found.ID, nil
	}
	created, err := groups.Create(ctx, client, groups.CreateOpts{DomainID: domainID, Name: name}).Extract()
	if err != nil {
		return "", fmt.Errorf("create group %s: %w", name, err)
	}
	return created.ID, nil
}

// ensureUser returns the ID of u in the domain. An existing user is updated rather than
// trusted, so a demo password changed by hand or a re-enabled dora is put back.
func ensureUser(ctx context.Context, client *gophercloud.ServiceClient, domainID, projectID string, u demoUser) (string, error) {
	found, err := first(ctx, users.List(client, users.ListOpts{DomainID: domainID, Name: u.Name}), users.ExtractUsers)
	if err != nil {
		return "", fmt.Errorf("list user %s: %w", u.Name, err)
	}
	enabled := u.Enabled
	if found != nil {
		_, err := users.Update(ctx, client, found.ID, users.UpdateOpts{
			Password: u.Password, Enabled: &enabled, DefaultProjectID: projectID,
		}).Extract()
		if err != nil {
			return "", fmt.Errorf("update user %s: %w", u.Name, err)
		}
		return found.ID, nil
	}
	created, err := users.Create(ctx, client, users.CreateOpts{
		Name: u.Name, DomainID: domainID, Password: u.Password, Enabled: &enabled,
		DefaultProjectID: projectID, Description: u.About,
	}).Extract()
	if err != nil {
		return "", fmt.Errorf("create user %s: %w", u.Name, err)
	}
	return created.ID, nil
}

// assignRole grants a role; Keystone answers an existing assignment with 204 as well.
func assignRole(ctx context.Context, client *gophercloud.ServiceClient, roleID string, opts roles.AssignOpts) error {
	return roles.Assign(ctx, client, roleID, opts).ExtractErr()
}

// first returns the first item that pager lists, or nil when it lists none. Keystone
// filters by name exactly, so the first match is the only one within a domain.
func first[T any](ctx context.Context, pager pagination.Pager, extract func(pagination.Page) ([]T, error)) (*T, error) {
	page, err := pager.AllPages(ctx)
	if err != nil {
		return nil, err
	}
	items, err := extract(page)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, nil
	}
	return &items[0], nil
}

// printUsers writes the demo users, their passwords and what they stand for.
func printUsers(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "USER\tPASSWORD\tWHAT (domain %s, default project %s)\n", domainName, demoProject)
	for _, u := range demoUsers {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Name, u.Password, u.About)
	}
	return tw.Flush()
}
