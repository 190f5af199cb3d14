// Package identity talks to Keystone (OpenStack identity, API v3) through gophercloud:
// password logins, user lookups and effective role assignments. It maps Keystone's errors
// to application codes at its boundary.
package identity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/domains"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"kaas/models"
)

// DefaultDomain is the Keystone domain users log in to when they name none.
const DefaultDomain = "Default"

// Options says where Keystone is and which service account the panel uses to read users
// and role assignments (an admin, or a reader allowed identity:list_role_assignments).
type Options struct {
	AuthURL       string
	Username      string
	Password      string
	ProjectName   string
	UserDomain    string
	ProjectDomain string
	// Timeout bounds each Keystone request.
	Timeout time.Duration
	// IdleTimeout closes keep-alive connections idle this long (default
	// DefaultIdleTimeout). Below the server's own keep-alive timeout, no request is sent
	// on a connection the server is closing; a connection that drops anyway is re-sent on
	// a new one (retryStaleConnection).
	IdleTimeout time.Duration
}

// DefaultIdleTimeout is below common servers' keep-alive timeouts: Apache closes idle
// connections after 5 s.
const DefaultIdleTimeout = 4 * time.Second

// Keystone is a client of one Keystone.
type Keystone struct {
	opts Options
	http *http.Client

	mu      sync.Mutex
	service *gophercloud.ServiceClient // authenticated as the service account

	domainMu    sync.RWMutex
	domainNames map[string]string
}

// New returns a Keystone client. It does not contact Keystone: the service account logs
// in on first use, so the panel starts while Keystone is down.
func New(opts Options) (*Keystone, error) {
	u, err := url.Parse(opts.AuthURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("keystone URL %q is not an http(s) URL", opts.AuthURL)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.UserDomain == "" {
		opts.UserDomain = DefaultDomain
	}
	if opts.ProjectDomain == "" {
		opts.ProjectDomain = opts.UserDomain
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	tr.IdleConnTimeout = opts.IdleTimeout
	return &Keystone{
		opts:        opts,
		http:        &http.Client{Timeout: opts.Timeout, Transport: tr},
		domainNames: map[string]string{},
	}, nil
}

// URL returns the Keystone endpoint.
func (k *Keystone) URL() string { return k.opts.AuthURL }

func (k *Keystone) newProvider() (*gophercloud.ProviderClient, *gophercloud.ServiceClient, error) {
	p, err := openstack.NewClient(k.opts.AuthURL)
	if err != nil {
		return nil, nil, fmt.Errorf("keystone client: %w", err)
	}
	p.HTTPClient = *k.http
	p.RetryFunc = k.resendOnStaleConnection
	p.UserAgent.Prepend("kaas-panel")
	c, err := openstack.NewIdentityV3(p, gophercloud.EndpointOpts{})
	if err != nil {
		return nil, nil, fmt.Errorf("identity client: %w", err)
	}
	// Keystone's catalog may name another host than the one we reach it at (a public
	// URL behind a proxy): keep using the configured endpoint.
	c.Endpoint = gophercloud.NormalizeURL(strings.TrimSuffix(k.opts.AuthURL, "/"))
	if !strings.HasSuffix(c.Endpoint, "v3/") {
		c.Endpoint += "v3/"
	}
	c.ResourceBase = c.Endpoint
	return p, c, nil
}

// retryStaleConnection has gophercloud send a request again, at most twice, when the
// connection failed before any answer came: a keep-alive connection the server had closed
// (EOF, reset). An answer, a refused connection (Keystone down) or a timeout is final.
func retryStaleConnection(ctx context.Context, _, _ string, _ *gophercloud.RequestOpts, err error, failCount uint) error {
	var transport *url.Error
	if failCount > 2 || ctx.Err() != nil || !errors.As(err, &transport) {
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
		return nil
	}
	return err
}

// resendOnStaleConnection re-sends a request whose connection the server had dropped
// (retryStaleConnection) after closing every idle connection: they are older than the one
// just dropped, so the re-sent request goes out on a new connection, not on another one
// the server has closed.
func (k *Keystone) resendOnStaleConnection(ctx context.Context, method, u string, opts *gophercloud.RequestOpts, err error, failCount uint) error {
	if err := retryStaleConnection(ctx, method, u, opts, err, failCount); err != nil {
		return err
	}
	k.http.CloseIdleConnections()
	return nil
}

// serviceClient returns the service account's client, logging in the first time. The
// provider re-authenticates by itself when its token expires.
func (k *Keystone) serviceClient(ctx context.Context) (*gophercloud.ServiceClient, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.service != nil {
		return k.service, nil
	}
	p, c, err := k.newProvider()
	if err != nil {
		return nil, err
	}
	ao := gophercloud.AuthOptions{
		IdentityEndpoint: c.Endpoint,
		Username:         k.opts.Username,
		Password:         k.opts.Password,
		DomainName:       k.opts.UserDomain,
		AllowReauth:      true,
		Scope: &gophercloud.AuthScope{
			ProjectName: k.opts.ProjectName,
			DomainName:  k.opts.ProjectDomain,
		},
	}
	if err := openstack.AuthenticateV3(ctx, p, &ao, gophercloud.EndpointOpts{}); err != nil {
		return nil, k.mapServiceError(err, "log in the panel's service account")
	}
	c.ProviderClient = p
	k.service = c
	return c, nil
}

// Provider returns the service account's authenticated provider client, from which
// clients of the cloud's other services (compute, network, load balancer) are made
// through Keystone's catalog.
func (k *Keystone) Provider(ctx context.Context) (*gophercloud.ProviderClient, error) {
	c, err := k.serviceClient(ctx)
	if err != nil {
		return nil, err
	}
	return c.ProviderClient, nil
}

// Authenticate checks a user's password with Keystone and returns who they are with
// their effective roles. domain defaults to DefaultDomain. Wrong credentials, unknown
// users, wrong domains and disabled users are all UNAUTHENTICATED, alike, so the answer
// tells an attacker nothing.
func (k *Keystone) Authenticate(ctx context.Context, username, password, domain string) (models.Identity, error) {
	if domain == "" {
		domain = DefaultDomain
	}
	if username == "" || password == "" {
		return models.Identity{}, models.Errorf(models.CodeInvalid, "username and password are required")
	}
	_, c, err := k.newProvider()
	if err != nil {
		return models.Identity{}, err
	}
	res := tokens.Create(ctx, c, unscoped{&tokens.AuthOptions{Username: username, Password: password, DomainName: domain}})
	if res.Err != nil {
		if isStatus(res.Err, http.StatusUnauthorized, http.StatusNotFound, http.StatusBadRequest) {
			return models.Identity{}, models.Errorf(models.CodeUnauthenticated, "wrong username, password or domain")
		}
		return models.Identity{}, k.unavailable(res.Err, "log in")
	}
	u, err := res.ExtractUser()
	if err != nil || u == nil {
		return models.Identity{}, k.unavailable(fmt.Errorf("extract user: %w", err), "log in")
	}
	roles, assignments, err := k.RoleAssignments(ctx, u.ID)
	if err != nil {
		return models.Identity{}, err
	}
	return models.Identity{UserID: u.ID, Username: u.Name, Domain: u.Domain.Name, DomainID: u.Domain.ID, Enabled: true, Roles: roles, Assignments: assignments}, nil
}

// User returns a user with their effective roles, looked up by ID through the service
// account. A deleted user is NOT_FOUND; a disabled one has Enabled false.
func (k *Keystone) User(ctx context.Context, userID string) (models.Identity, error) {
	c, err := k.serviceClient(ctx)
	if err != nil {
		return models.Identity{}, err
	}
	u, err := users.Get(ctx, c, userID).Extract()
	if err != nil {
		if isStatus(err, http.StatusNotFound) {
			return models.Identity{}, models.Errorf(models.CodeNotFound, "Keystone user %s not found", userID)
		}
		return models.Identity{}, k.mapServiceError(err, "get user")
	}
	domain, err := k.domainName(ctx, c, u.DomainID)
	if err != nil {
		return models.Identity{}, err
	}
	roles, assignments, err := k.RoleAssignments(ctx, userID)
	if err != nil {
		return models.Identity{}, err
	}
	return models.Identity{UserID: u.ID, Username: u.Name, Domain: domain, DomainID: u.DomainID, Enabled: u.Enabled, Roles: roles, Assignments: assignments}, nil
}

// RoleAssignments returns the roles effectively assigned to a user on any scope (through
// groups and implied roles too), deduplicated and sorted by ID, and the assignments with
// their scopes.
func (k *Keystone) RoleAssignments(ctx context.Context, userID string) ([]models.Role, []models.Assignment, error) {
	c, err := k.serviceClient(ctx)
	if err != nil {
		return nil, nil, err
	}
	var (
		seen        map[string]models.Role
		assignments []models.Assignment
	)
	// Keystone reads each assignment and then the role it names: a role deleted in
	// between (a cluster's admin role, as the cluster goes) is a 404 for the whole
	// listing. The next listing no longer holds that role.
	for attempt := 1; ; attempt++ {
		seen, assignments, err = listAssignments(ctx, c, userID)
		if err == nil || attempt == roleListAttempts || !isStatus(err, http.StatusNotFound) {
			break
		}
	}
	if err != nil {
		return nil, nil, k.mapServiceError(err, "list role assignments")
	}
	out := make([]models.Role, 0, len(seen))
	for _, r := range seen {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, assignments, nil
}

// roleListAttempts bounds RoleAssignments' listings while the user's roles are deleted.
const roleListAttempts = 5

// listAssignments lists the user's effective role assignments with names, and the roles
// they grant by ID.
func listAssignments(ctx context.Context, c *gophercloud.ServiceClient, userID string) (map[string]models.Role, []models.Assignment, error) {
	yes := true
	seen := map[string]models.Role{}
	var assignments []models.Assignment
	err := roles.ListAssignments(c, roles.ListAssignmentsOpts{UserID: userID, Effective: &yes, IncludeNames: &yes}).
		EachPage(ctx, func(_ context.Context, page pagination.Page) (bool, error) {
			as, err := roles.ExtractRoleAssignments(page)
			if err != nil {
				return false, err
			}
			for _, a := range as {
				seen[a.Role.ID] = models.Role{ID: a.Role.ID, Name: a.Role.Name}
				assignments = append(assignments, models.Assignment{RoleID: a.Role.ID, RoleName: a.Role.Name, Scope: scopeOf(a.Scope)})
			}
			return true, nil
		})
	return seen, assignments, err
}

// unscoped asks Keystone for an explicitly unscoped token. A password login only proves
// who the user is; a request naming no scope would have Keystone scope the token to the
// user's default project and read the roles held there, and a role deleted meanwhile (a
// cluster's admin role, as the cluster goes) would fail the login with a 404.
type unscoped struct{ *tokens.AuthOptions }

// ToTokenV3ScopeMap names no project, domain or system scope.
func (unscoped) ToTokenV3ScopeMap() (map[string]any, error) { return nil, nil }

// ToTokenV3CreateMap is the AuthOptions' body with the scope "unscoped".
func (u unscoped) ToTokenV3CreateMap(map[string]any) (map[string]any, error) {
	b, err := u.AuthOptions.ToTokenV3CreateMap(nil)
	if err != nil {
		return nil, err
	}
	auth, ok := b["auth"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("token request body without auth")
	}
	auth["scope"] = "unscoped"
	return b, nil
}

func scopeOf(s roles.Scope) models.Scope {
	switch {
	case s.System != nil && s.System.All:
		return models.Scope{Kind: models.ScopeSystem}
	case s.Project.ID != "":
		return models.Scope{Kind: models.ScopeProject, ID: s.Project.ID, Name: s.Project.Name, DomainID: s.Project.Domain.ID, DomainName: s.Project.Domain.Name}
	case s.Domain.ID != "":
		return models.Scope{Kind: models.ScopeDomain, ID: s.Domain.ID, Name: s.Domain.Name}
	}
	return models.Scope{}
}

func (k *Keystone) domainName(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, error) {
	k.domainMu.RLock()
	name, ok := k.domainNames[id]
	k.domainMu.RUnlock()
	if ok {
		return name, nil
	}
	d, err := domains.Get(ctx, c, id).Extract()
	if err != nil {
		return "", k.mapServiceError(err, "get domain")
	}
	k.domainMu.Lock()
	k.domainNames[id] = d.Name
	k.domainMu.Unlock()
	return d.Name, nil
}

// mapServiceError maps an error of a call made with the service account.
func (k *Keystone) mapServiceError(err error, op string) error {
	if isStatus(err, http.StatusUnauthorized, http.StatusForbidden) {
		k.mu.Lock()
		k.service = nil // log in afresh next time
		k.mu.Unlock()
		return models.WrapError(models.CodeUnavailable, fmt.Errorf("%s: %w", op, err),
			"Keystone refused the panel's service account; an operator must check its credentials and roles")
	}
	return k.unavailable(err, op)
}

func (k *Keystone) unavailable(err error, op string) error {
	msg := "Keystone is unreachable; try again in a moment"
	var ue gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &ue) && ue.Actual >= 500 {
		msg = "Keystone is failing; try again in a moment"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		msg = "Keystone did not answer in time; try again in a moment"
	}
	return models.WrapError(models.CodeUnavailable, fmt.Errorf("%s: %w", op, err), msg)
}

func isStatus(err error, codes ...int) bool {
	for _, c := range codes {
		if gophercloud.ResponseCodeIs(err, c) {
			return true
		}
	}
	return false
}
