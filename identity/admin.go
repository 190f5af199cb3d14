package identity

import (
	"context"
	"net/http"
	"sort"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/domains"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"

	"kaas/models"
)

// RoleByName returns the global role with that name, NOT_FOUND when there is none.
func (k *Keystone) RoleByName(ctx context.Context, name string) (models.Role, error) {
	c, err := k.serviceClient(ctx)
	if err != nil {
		return models.Role{}, err
	}
	page, err := roles.List(c, roles.ListOpts{Name: name}).AllPages(ctx)
	if err != nil {
		return models.Role{}, k.mapServiceError(err, "list roles")
	}
	rs, err := roles.ExtractRoles(page)
	if err != nil {
		return models.Role{}, k.mapServiceError(err, "list roles")
	}
	for _, r := range rs {
		if r.Name == name && r.DomainID == "" {
			return models.Role{ID: r.ID, Name: r.Name}, nil
		}
	}
	return models.Role{}, models.Errorf(models.CodeNotFound, "Keystone role %s not found", name)
}

// EnsureRole returns the global role with that name, creating it when missing. Calling
// it twice creates one role.
func (k *Keystone) EnsureRole(ctx context.Context, name string) (models.Role, error) {
	r, err := k.RoleByName(ctx, name)
	if models.ErrorCode(err) != models.CodeNotFound {
		return r, err
	}
	c, err := k.serviceClient(ctx)
	if err != nil {
		return models.Role{}, err
	}
	created, err := roles.Create(ctx, c, roles.CreateOpts{Name: name, Description: "Administrators of a Kubernetes cluster (KaaS panel)"}).Extract()
	if isStatus(err, http.StatusConflict) {
		return k.RoleByName(ctx, name) // another replica created it meanwhile
	}
	if err != nil {
		return models.Role{}, k.mapServiceError(err, "create role")
	}
	return models.Role{ID: created.ID, Name: created.Name}, nil
}

// DeleteRole deletes a role; a missing role is not an error.
func (k *Keystone) DeleteRole(ctx context.Context, roleID string) error {
	c, err := k.serviceClient(ctx)
	if err != nil {
		return err
	}
	err = roles.Delete(ctx, c, roleID).ExtractErr()
	if err != nil && !isStatus(err, http.StatusNotFound) {
		return k.mapServiceError(err, "delete role")
	}
	return nil
}

// Role returns a role by ID.
func (k *Keystone) Role(ctx context.Context, roleID string) (models.Role, error) {
	c, err := k.serviceClient(ctx)
	if err != nil {
		return models.Role{}, err
	}
	r, err := roles.Get(ctx, c, roleID).Extract()
	if isStatus(err, http.StatusNotFound) {
		return models.Role{}, models.Errorf(models.CodeNotFound, "Keystone role %s not found", roleID)
	}
	if err != nil {
		return models.Role{}, k.mapServiceError(err, "get role")
	}
	return models.Role{ID: r.ID, Name: r.Name}, nil
}

// UserByName returns the user with that name in the domain (by name), NOT_FOUND when
// there is none. Its roles are not filled in.
func (k *Keystone) UserByName(ctx context.Context, name, domain string) (models.Identity, error) {
	c, err := k.serviceClient(ctx)
	if err != nil {
		return models.Identity{}, err
	}
	if domain == "" {
		domain = DefaultDomain
	}
	page, err := users.List(c, users.ListOpts{Name: name}).AllPages(ctx)
	if err != nil {
		return models.Identity{}, k.mapServiceError(err, "list users")
	}
	us, err := users.ExtractUsers(page)
	if err != nil {
		return models.Identity{}, k.mapServiceError(err, "list users")
	}
	for _, u := range us {
		dn, err := k.domainName(ctx, c, u.DomainID)
		if err != nil {
			return models.Identity{}, err
		}
		if u.Name == name && (dn == domain || u.DomainID == domain) {
			return models.Identity{UserID: u.ID, Username: u.Name, Domain: dn, DomainID: u.DomainID, Enabled: u.Enabled}, nil
		}
	}
	return models.Identity{}, models.Errorf(models.CodeNotFound, "Keystone user %s not found in domain %s", name, domain)
}

// Roles lists every global role, by name.
func (k *Keystone) Roles(ctx context.Context) ([]models.Role, error) {
	c, err := k.serviceClient(ctx)
	if err != nil {
		return nil, err
	}
	page, err := roles.List(c, roles.ListOpts{}).AllPages(ctx)
	if err != nil {
		return nil, k.mapServiceError(err, "list roles")
	}
	rs, err := roles.ExtractRoles(page)
	if err != nil {
		return nil, k.mapServiceError(err, "list roles")
	}
	out := make([]models.Role, 0, len(rs))
	for _, r := range rs {
		if r.DomainID == "" {
			out = append(out, models.Role{ID: r.ID, Name: r.Name})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// AssignRoleOnScope gives the user the role on the scope (the panel's role scope), whose
// project or domain may be named by name or ID. Assigning twice is harmless.
func (k *Keystone) AssignRoleOnScope(ctx context.Context, roleID, userID string, scope models.ScopeRef) error {
	c, err := k.serviceClient(ctx)
	if err != nil {
		return err
	}
	opts := roles.AssignOpts{UserID: userID}
	switch scope.Kind {
	case models.ScopeSystem:
		opts.System = true
	case models.ScopeDomain:
		if opts.DomainID, err = k.domainID(ctx, c, scope.Ref); err != nil {
			return err
		}
	case models.ScopeProject:
		if opts.ProjectID, err = k.projectID(ctx, c, scope); err != nil {
			return err
		}
	default:
		return models.Errorf(models.CodeInvalid, "unknown role scope %q", scope.Kind)
	}
	if err := roles.Assign(ctx, c, roleID, opts).ExtractErr(); err != nil {
		return k.mapServiceError(err, "assign role")
	}
	return nil
}

// domainID returns the ID of the domain with that ID or name.
func (k *Keystone) domainID(ctx context.Context, c *gophercloud.ServiceClient, ref string) (string, error) {
	if d, err := domains.Get(ctx, c, ref).Extract(); err == nil {
		return d.ID, nil
	} else if !isStatus(err, http.StatusNotFound) {
		return "", k.mapServiceError(err, "get domain")
	}
	page, err := domains.List(c, domains.ListOpts{Name: ref}).AllPages(ctx)
	if err != nil {
		return "", k.mapServiceError(err, "list domains")
	}
	ds, err := domains.ExtractDomains(page)
	if err != nil || len(ds) == 0 {
		return "", models.Errorf(models.CodeNotFound, "Keystone domain %s not found", ref)
	}
	return ds[0].ID, nil
}

// projectID returns the ID of the project a scope ref names (by ID, or by name in its domain).
func (k *Keystone) projectID(ctx context.Context, c *gophercloud.ServiceClient, scope models.ScopeRef) (string, error) {
	if p, err := projects.Get(ctx, c, scope.Ref).Extract(); err == nil {
		return p.ID, nil
	} else if !isStatus(err, http.StatusNotFound) {
		return "", k.mapServiceError(err, "get project")
	}
	domainID, err := k.domainID(ctx, c, scope.Domain)
	if err != nil {
		return "", err
	}
	page, err := projects.List(c, projects.ListOpts{Name: scope.Ref, DomainID: domainID}).AllPages(ctx)
	if err != nil {
		return "", k.mapServiceError(err, "list projects")
	}
	ps, err := projects.ExtractProjects(page)
	if err != nil || len(ps) == 0 {
		return "", models.Errorf(models.CodeNotFound, "Keystone project %s not found", scope)
	}
	return ps[0].ID, nil
}

// SearchUsers lists the users whose name contains query (without case; every user when it
// is empty), in every domain,
// sorted by name then domain name. Keystone has no paging of its own, so the panel pages
// the sorted list: offset and limit pick the page.
func (k *Keystone) SearchUsers(ctx context.Context, query string, offset, limit int) (models.KeystoneUserPage, error) {
	c, err := k.serviceClient(ctx)
	if err != nil {
		return models.KeystoneUserPage{}, err
	}
	var opts users.ListOpts
	if query != "" {
		opts.Filters = map[string]string{"name__icontains": query}
	}
	page, err := users.List(c, opts).AllPages(ctx)
	if err != nil {
		return models.KeystoneUserPage{}, k.mapServiceError(err, "search users")
	}
	us, err := users.ExtractUsers(page)
	if err != nil {
		return models.KeystoneUserPage{}, k.mapServiceError(err, "search users")
	}
	all := make([]models.KeystoneUser, 0, len(us))
	for _, u := range us {
		dn, err := k.domainName(ctx, c, u.DomainID)
		if err != nil {
			return models.KeystoneUserPage{}, err
		}
		all = append(all, models.KeystoneUser{ID: u.ID, Name: u.Name, DomainID: u.DomainID, Domain: dn, Enabled: u.Enabled})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Name != all[j].Name {
			return all[i].Name < all[j].Name
		}
		if all[i].Domain != all[j].Domain {
			return all[i].Domain < all[j].Domain
		}
		return all[i].ID < all[j].ID
	})
	out := models.KeystoneUserPage{Total: len(all), Offset: min(offset, len(all))}
	out.Users = all[out.Offset:min(out.Offset+limit, len(all))]
	return out, nil
}
