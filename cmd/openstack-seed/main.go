// Command openstack-seed makes a fresh local OpenStack (scripts/openstack.sh) usable: it
// registers the services' users, roles and endpoints in Keystone, waits until every API
// answers and the compute host is up, and makes what the OPENSTACK driver's tests use —
// flavors, a node image and an external network — then prints them as export lines. It
// authenticates as the cloud admin from the OS_* environment and can run any number of
// times: everything is looked up by name first, and endpoints move to new ports.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/hypervisors"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/endpoints"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/services"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
	"github.com/gophercloud/gophercloud/v2/pagination"
)

const region = "RegionOne"

// serviceUsers maps each service's Keystone user to its catalog type.
var serviceUsers = map[string]string{
	"nova": "compute", "placement": "placement", "neutron": "network", "glance": "image", "octavia": "load-balancer",
}

// flavor is one flavor the tests pick from; huge is larger than the fake virt driver's
// host (800000 MB of RAM), so a server of it fails with NoValidHost.
type flavor struct {
	name             string
	vcpus, ramMB, gb int
}

var seedFlavors = []flavor{
	{"kaas.small", 2, 4096, 20},
	{"kaas.medium", 4, 8192, 40},
	{"kaas.large", 8, 16384, 80},
	{"kaas.huge", 64, 2048 * 1024, 100},
}

const (
	imageName       = "kaas-node"
	externalNetwork = "kaas-public"
	// externalCIDR is loopback: a floating IP of a cluster's API is an address of this
	// host, where a test can play the load balancer. Neutron takes it without DHCP.
	externalCIDR = "127.0.0.0/24"
)

type endpointFlags map[string]string

func (e endpointFlags) String() string { return fmt.Sprint(map[string]string(e)) }

func (e endpointFlags) Set(v string) error {
	typ, url, ok := strings.Cut(v, "=")
	if !ok || typ == "" || url == "" {
		return fmt.Errorf("want TYPE=URL, not %q", v)
	}
	e[typ] = url
	return nil
}

func main() {
	log.SetFlags(0)
	eps := endpointFlags{}
	flag.Var(eps, "endpoint", "a service's catalog entry, TYPE=URL (repeat)")
	pwFile := flag.String("service-password-file", "", "file holding the services' users' password")
	timeout := flag.Duration("timeout", 5*time.Minute, "how long to wait for the APIs")
	identityOnly := flag.Bool("identity-only", false, "only the Keystone part: the other services need their users to start")
	flag.Parse()
	if *pwFile == "" || len(eps) != len(serviceUsers) {
		log.Fatalf("openstack-seed: need --service-password-file and an --endpoint for each of %v", serviceUsers)
	}
	pw, err := os.ReadFile(*pwFile)
	if err != nil {
		log.Fatalf("openstack-seed: %v", err)
	}
	opts, err := openstack.AuthOptionsFromEnv()
	if err != nil {
		log.Fatalf("openstack-seed: auth options: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, opts, strings.TrimSpace(string(pw)), eps, *identityOnly); err != nil {
		log.Fatalf("openstack-seed: %v", err)
	}
}

func run(ctx context.Context, opts gophercloud.AuthOptions, password string, eps endpointFlags, identityOnly bool) error {
	p, err := retry(ctx, "Keystone", func() (*gophercloud.ProviderClient, error) { return openstack.AuthenticatedClient(ctx, opts) })
	if err != nil {
		return err
	}
	id, err := openstack.NewIdentityV3(p, gophercloud.EndpointOpts{})
	if err != nil {
		return err
	}
	if err := identity(ctx, id, opts.Username, password, eps); err != nil {
		return err
	}
	if identityOnly {
		return nil
	}
	// A new token carries the catalog just written.
	if p, err = openstack.AuthenticatedClient(ctx, opts); err != nil {
		return fmt.Errorf("authenticate: %w", err)
	}
	eo := gophercloud.EndpointOpts{Region: region}
	compute, err := openstack.NewComputeV2(p, eo)
	if err != nil {
		return err
	}
	network, err := openstack.NewNetworkV2(p, eo)
	if err != nil {
		return err
	}
	image, err := openstack.NewImageV2(p, eo)
	if err != nil {
		return err
	}
	lb, err := openstack.NewLoadBalancerV2(p, eo)
	if err != nil {
		return err
	}
	if _, err := retry(ctx, "Octavia", func() (any, error) { return loadbalancers.List(lb, nil).AllPages(ctx) }); err != nil {
		return err
	}
	if _, err := retry(ctx, "the compute host", func() (any, error) { return upHypervisor(ctx, compute) }); err != nil {
		return err
	}
	small, huge, err := ensureFlavors(ctx, compute)
	if err != nil {
		return err
	}
	imageID, err := ensureImage(ctx, image)
	if err != nil {
		return err
	}
	netID, err := ensureExternalNetwork(ctx, network)
	if err != nil {
		return err
	}
	fmt.Printf("export KAAS_OPENSTACK_IMAGE=%s\n", imageID)
	fmt.Printf("export KAAS_OPENSTACK_EXTERNAL_NETWORK=%s\n", netID)
	fmt.Printf("export KAAS_OPENSTACK_FLAVOR_SMALL=%s\n", small)
	fmt.Printf("export KAAS_OPENSTACK_FLAVOR_HUGE=%s\n", huge)
	return nil
}

// retry calls f until it succeeds or ctx ends, for a service that is still starting.
func retry[T any](ctx context.Context, what string, f func() (T, error)) (T, error) {
	for {
		v, err := f()
		if err == nil {
			return v, nil
		}
		select {
		case <-ctx.Done():
			return v, fmt.Errorf("%s is not ready: %w", what, err)
		case <-time.After(time.Second):
		}
	}
}

func upHypervisor(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
	page, err := hypervisors.List(c, nil).AllPages(ctx)
	if err != nil {
		return "", err
	}
	hs, err := hypervisors.ExtractHypervisors(page)
	if err != nil {
		return "", err
	}
	for _, h := range hs {
		if h.State == "up" {
			return h.HypervisorHostname, nil
		}
	}
	return "", errors.New("no hypervisor is up")
}

// identity makes the service project, the roles Octavia's policy and the services need,
// each service's user (admin and service on the service project) and the catalog.
func identity(ctx context.Context, c *gophercloud.ServiceClient, admin, password string, eps endpointFlags) error {
	service, err := ensureProject(ctx, c, "service")
	if err != nil {
		return err
	}
	adminProject, err := ensureProject(ctx, c, "admin")
	if err != nil {
		return err
	}
	roleIDs := map[string]string{}
	for _, name := range []string{"admin", "service", "load-balancer_member", "load-balancer_admin"} {
		if roleIDs[name], err = ensureRole(ctx, c, name); err != nil {
			return err
		}
	}
	for name, typ := range serviceUsers {
		uid, err := ensureUser(ctx, c, name, password)
		if err != nil {
			return err
		}
		for _, r := range []string{"admin", "service"} {
			if err := roles.Assign(ctx, c, roleIDs[r], roles.AssignOpts{UserID: uid, ProjectID: service}).ExtractErr(); err != nil {
				return fmt.Errorf("assign %s to %s: %w", r, name, err)
			}
		}
		if err := ensureEndpoints(ctx, c, name, typ, eps[typ]); err != nil {
			return err
		}
	}
	adminID, err := ensureUser(ctx, c, admin, "")
	if err != nil {
		return err
	}
	if err := roles.Assign(ctx, c, roleIDs["load-balancer_admin"], roles.AssignOpts{UserID: adminID, ProjectID: adminProject}).ExtractErr(); err != nil {
		return fmt.Errorf("assign load-balancer_admin: %w", err)
	}
	return nil
}

func ensureProject(ctx context.Context, c *gophercloud.ServiceClient, name string) (string, error) {
	page, err := projects.List(c, projects.ListOpts{Name: name, DomainID: "default"}).AllPages(ctx)
	if err != nil {
		return "", fmt.Errorf("list projects: %w", err)
	}
	if ps, _ := projects.ExtractProjects(page); len(ps) > 0 {
		return ps[0].ID, nil
	}
	p, err := projects.Create(ctx, c, projects.CreateOpts{Name: name, DomainID: "default"}).Extract()
	if err != nil {
		return "", fmt.Errorf("create project %s: %w", name, err)
	}
	return p.ID, nil
}

func ensureRole(ctx context.Context, c *gophercloud.ServiceClient, name string) (string, error) {
	page, err := roles.List(c, roles.ListOpts{Name: name}).AllPages(ctx)
	if err != nil {
		return "", fmt.Errorf("list roles: %w", err)
	}
	if rs, _ := roles.ExtractRoles(page); len(rs) > 0 {
		return rs[0].ID, nil
	}
	r, err := roles.Create(ctx, c, roles.CreateOpts{Name: name}).Extract()
	if err != nil {
		return "", fmt.Errorf("create role %s: %w", name, err)
	}
	return r.ID, nil
}

// ensureUser returns the user's ID, creating it (or resetting its password) when a
// password is given.
func ensureUser(ctx context.Context, c *gophercloud.ServiceClient, name, password string) (string, error) {
	page, err := users.List(c, users.ListOpts{Name: name, DomainID: "default"}).AllPages(ctx)
	if err != nil {
		return "", fmt.Errorf("list users: %w", err)
	}
	if us, _ := users.ExtractUsers(page); len(us) > 0 {
		if password != "" {
			if _, err := users.Update(ctx, c, us[0].ID, users.UpdateOpts{Password: password}).Extract(); err != nil {
				return "", fmt.Errorf("update user %s: %w", name, err)
			}
		}
		return us[0].ID, nil
	}
	if password == "" {
		return "", fmt.Errorf("no user %s", name)
	}
	u, err := users.Create(ctx, c, users.CreateOpts{Name: name, DomainID: "default", Password: password}).Extract()
	if err != nil {
		return "", fmt.Errorf("create user %s: %w", name, err)
	}
	return u.ID, nil
}

// ensureEndpoints makes the service and its public, internal and admin endpoints at url.
func ensureEndpoints(ctx context.Context, c *gophercloud.ServiceClient, name, typ, url string) error {
	page, err := services.List(c, services.ListOpts{ServiceType: typ}).AllPages(ctx)
	if err != nil {
		return fmt.Errorf("list services: %w", err)
	}
	var id string
	if ss, _ := services.ExtractServices(page); len(ss) > 0 {
		id = ss[0].ID
	} else {
		s, err := services.Create(ctx, c, services.CreateOpts{Type: typ, Extra: map[string]any{"name": name}}).Extract()
		if err != nil {
			return fmt.Errorf("create service %s: %w", typ, err)
		}
		id = s.ID
	}
	epage, err := endpoints.List(c, endpoints.ListOpts{ServiceID: id}).AllPages(ctx)
	if err != nil {
		return fmt.Errorf("list endpoints: %w", err)
	}
	have, _ := endpoints.ExtractEndpoints(epage)
	for _, av := range []gophercloud.Availability{gophercloud.AvailabilityPublic, gophercloud.AvailabilityInternal, gophercloud.AvailabilityAdmin} {
		found := false
		for _, e := range have {
			if e.Availability != av {
				continue
			}
			found = true
			if e.URL != url {
				if _, err := endpoints.Update(ctx, c, e.ID, endpoints.UpdateOpts{URL: url}).Extract(); err != nil {
					return fmt.Errorf("update endpoint of %s: %w", typ, err)
				}
			}
		}
		if !found {
			if _, err := endpoints.Create(ctx, c, endpoints.CreateOpts{Availability: av, Region: region, URL: url, ServiceID: id}).Extract(); err != nil {
				return fmt.Errorf("create endpoint of %s: %w", typ, err)
			}
		}
	}
	return nil
}

// ensureFlavors makes the seed flavors and returns the IDs of the smallest and the one
// no host fits.
func ensureFlavors(ctx context.Context, c *gophercloud.ServiceClient) (small, huge string, err error) {
	page, err := retry(ctx, "Nova", func() (pagination.Page, error) {
		return flavors.ListDetail(c, flavors.ListOpts{AccessType: flavors.AllAccess}).AllPages(ctx)
	})
	if err != nil {
		return "", "", err
	}
	all, err := flavors.ExtractFlavors(page)
	if err != nil {
		return "", "", fmt.Errorf("list flavors: %w", err)
	}
	ids := map[string]string{}
	for _, f := range all {
		ids[f.Name] = f.ID
	}
	for _, f := range seedFlavors {
		if ids[f.name] != "" {
			continue
		}
		public := true
		made, err := flavors.Create(ctx, c, flavors.CreateOpts{Name: f.name, VCPUs: f.vcpus, RAM: f.ramMB, Disk: &f.gb, IsPublic: &public}).Extract()
		if err != nil {
			return "", "", fmt.Errorf("create flavor %s: %w", f.name, err)
		}
		ids[f.name] = made.ID
	}
	return ids[seedFlavors[0].name], ids["kaas.huge"], nil
}

// ensureImage makes the public node image (a few bytes: the fake virt driver boots
// nothing) and waits until it is active.
func ensureImage(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
	page, err := retry(ctx, "Glance", func() (pagination.Page, error) { return images.List(c, images.ListOpts{Name: imageName}).AllPages(ctx) })
	if err != nil {
		return "", err
	}
	found, err := images.ExtractImages(page)
	if err != nil {
		return "", fmt.Errorf("list images: %w", err)
	}
	var img *images.Image
	for i := range found {
		if found[i].Status == images.ImageStatusActive {
			return found[i].ID, nil
		}
		if found[i].Status == images.ImageStatusQueued {
			img = &found[i]
		}
	}
	if img == nil {
		public := images.ImageVisibilityPublic
		if img, err = images.Create(ctx, c, images.CreateOpts{Name: imageName, Visibility: &public, ContainerFormat: "bare", DiskFormat: "raw"}).Extract(); err != nil {
			return "", fmt.Errorf("create image: %w", err)
		}
	}
	if err := imagedata.Upload(ctx, c, img.ID, bytes.NewReader(make([]byte, 4096))).ExtractErr(); err != nil {
		return "", fmt.Errorf("upload image: %w", err)
	}
	return retry(ctx, "the image", func() (string, error) {
		got, err := images.Get(ctx, c, img.ID).Extract()
		if err != nil {
			return "", err
		}
		if got.Status != images.ImageStatusActive {
			return "", fmt.Errorf("image is %s", got.Status)
		}
		return got.ID, nil
	})
}

// ensureExternalNetwork makes the shared external (flat) network with a subnet for
// floating IPs and routers' gateways.
func ensureExternalNetwork(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
	page, err := retry(ctx, "Neutron", func() (pagination.Page, error) {
		return networks.List(c, networks.ListOpts{Name: externalNetwork}).AllPages(ctx)
	})
	if err != nil {
		return "", err
	}
	found, err := networks.ExtractNetworks(page)
	if err != nil {
		return "", fmt.Errorf("list networks: %w", err)
	}
	var id string
	if len(found) > 0 {
		id = found[0].ID
	} else {
		var n struct {
			Network networks.Network `json:"network"`
		}
		body := map[string]any{"network": map[string]any{
			"name": externalNetwork, "router:external": true, "shared": true,
			"provider:network_type": "flat", "provider:physical_network": "public",
		}}
		if _, err := c.Post(ctx, c.ServiceURL("networks"), body, &n, nil); err != nil {
			return "", fmt.Errorf("create external network: %w", err)
		}
		id = n.Network.ID
	}
	spage, err := subnets.List(c, subnets.ListOpts{NetworkID: id}).AllPages(ctx)
	if err != nil {
		return "", fmt.Errorf("list subnets: %w", err)
	}
	if ss, _ := subnets.ExtractSubnets(spage); len(ss) > 0 {
		return id, nil
	}
	dhcp := false
	gw := "127.0.0.1"
	if _, err := subnets.Create(ctx, c, subnets.CreateOpts{
		Name: externalNetwork, NetworkID: id, CIDR: externalCIDR, IPVersion: gophercloud.IPv4, EnableDHCP: &dhcp, GatewayIP: &gw,
		AllocationPools: []subnets.AllocationPool{{Start: "127.0.0.2", End: "127.0.0.254"}},
	}).Extract(); err != nil {
		return "", fmt.Errorf("create external subnet: %w", err)
	}
	return id, nil
}
