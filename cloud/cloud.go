// Package cloud is the panel's adapter to OpenStack's compute, network and load-balancer
// services (Nova, Neutron, Octavia): it builds and removes the servers, network, router
// and API load balancer of a cluster. All its gophercloud types stay inside, but for the
// service clients it is configured with.
package cloud

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"

	"kaas/kubeadm"
	"kaas/models"
)

// Clients are the service clients of the cloud the clusters run in.
type Clients struct {
	Compute, Network, LoadBalancer *gophercloud.ServiceClient
}

// Cloud creates and removes clusters' infrastructure in one OpenStack project. Every
// call looks for what it would create first (by name), so a step that is run again after
// a crash does not create anything twice.
type Cloud struct {
	Clients func(ctx context.Context) (Clients, error)
	ImageID string
	// CIDR of each cluster's own subnet. Default 10.20.0.0/24.
	CIDR string
	// DNSNameservers of the cluster's subnet; empty leaves Neutron's default.
	DNSNameservers []string
	// ExternalNetworkID, when set, gives the cluster a router to that network (the nodes
	// reach images and packages) and its API a floating IP on it (the panel, outside the
	// cluster's network, reaches the API).
	ExternalNetworkID string
	// Masters is the number of control-plane servers. Default 1.
	Masters int
	// APIPort is the port of the API listener on the load balancer. Default 6443.
	APIPort int
	// Poll is how often the driver checks a server or load balancer. Default 2 s.
	Poll time.Duration

	once sync.Once
}

// UserDataFunc returns the cloud-init user data of a node given the API's addresses.
type UserDataFunc func(node kubeadm.Node, api API) ([]byte, error)

// API are the addresses of a cluster's API load balancer.
type API struct {
	// VIP is the load balancer's address on the cluster's network: what nodes use.
	VIP string
	// Public is where the panel reaches the API: the floating IP, or the VIP without an
	// external network.
	Public string
}

// Infra is what Ensure built.
type Infra struct {
	NetworkID, SubnetID, RouterID string
	ServerIDs                     []string
	MasterIPs                     []string
	LoadBalancerID                string
	API                           API
}

// APIServerPort is where kubeadm's kube-apiservers listen on the masters.
const APIServerPort = 6443

// Enabled reports whether clusters can be built in OpenStack.
func (d *Cloud) Enabled() bool { return d != nil && d.Clients != nil && d.ImageID != "" }

// defaults fills in the unset settings, once: jobs share the driver.
func (d *Cloud) defaults() { d.once.Do(d.setDefaults) }

func (d *Cloud) setDefaults() {
	if d.CIDR == "" {
		d.CIDR = "10.20.0.0/24"
	}
	if d.Masters <= 0 {
		d.Masters = 1
	}
	if d.Poll <= 0 {
		d.Poll = 2 * time.Second
	}
	if d.APIPort <= 0 {
		d.APIPort = APIServerPort
	}
}

func resourceName(cluster string) string { return "kaas-" + cluster }

func serverName(cluster string, n kubeadm.Node) string {
	return fmt.Sprintf("%s-%s-%d", cluster, n.Role, n.Index)
}

// Ensure creates whatever of the cluster's infrastructure is missing and waits until the
// servers are ACTIVE and the load balancer routes to the masters. The load balancer (and
// its floating IP) come before the servers: their user data names the API's addresses.
func (d *Cloud) Ensure(ctx context.Context, cluster string, size models.ClusterSize, userData UserDataFunc, progress func(percent int, msg string)) (Infra, error) {
	d.defaults()
	c, err := d.Clients(ctx)
	if err != nil {
		return Infra{}, fmt.Errorf("openstack clients: %w", err)
	}
	var inf Infra
	name := resourceName(cluster)
	// The flavor first: a size no flavor fits must not leave a network behind.
	flavor, err := d.flavor(ctx, c.Compute, size)
	if err != nil {
		return inf, err
	}
	if inf.NetworkID, err = d.network(ctx, c.Network, name); err != nil {
		return inf, err
	}
	if inf.SubnetID, err = d.subnet(ctx, c.Network, name, inf.NetworkID); err != nil {
		return inf, err
	}
	if d.ExternalNetworkID != "" {
		if inf.RouterID, err = d.router(ctx, c.Network, name, inf.NetworkID, inf.SubnetID); err != nil {
			return inf, err
		}
	}
	progress(10, "network "+name+" and its subnet "+d.CIDR)
	vip, err := d.vipPort(ctx, c.Network, name+"-api", inf.NetworkID, inf.SubnetID)
	if err != nil {
		return inf, err
	}
	lb, err := d.ensureLB(ctx, c.LoadBalancer, name+"-api", vip, clusterTag(name))
	if err != nil {
		return inf, err
	}
	inf.LoadBalancerID = lb.ID
	if inf.API, err = d.publicAddress(ctx, c.Network, vip, name); err != nil {
		return inf, err
	}
	progress(25, fmt.Sprintf("load balancer %s for the API at %s", inf.API.VIP, inf.API.Public))
	var nodes []kubeadm.Node
	for i := range d.Masters {
		nodes = append(nodes, kubeadm.Node{Role: kubeadm.RoleMaster, Index: i})
	}
	for i := range size.Workers {
		nodes = append(nodes, kubeadm.Node{Role: kubeadm.RoleWorker, Index: i})
	}
	for _, n := range nodes {
		ud, err := userData(n, inf.API)
		if err != nil {
			return inf, err
		}
		id, err := d.server(ctx, c.Compute, serverName(cluster, n), flavor, inf.NetworkID, ud, string(n.Role), cluster)
		if err != nil {
			return inf, err
		}
		inf.ServerIDs = append(inf.ServerIDs, id)
	}
	progress(40, fmt.Sprintf("%d servers of flavor %s requested", len(nodes), flavor))
	for i, id := range inf.ServerIDs {
		ip, err := d.waitActive(ctx, c.Compute, id, name)
		if err != nil {
			return inf, err
		}
		if nodes[i].Role == kubeadm.RoleMaster {
			inf.MasterIPs = append(inf.MasterIPs, ip)
		}
	}
	progress(70, "servers are ACTIVE")
	if err := d.routeToMasters(ctx, c.LoadBalancer, name+"-api", lb.ID, &inf); err != nil {
		return inf, err
	}
	progress(100, fmt.Sprintf("load balancer %s routes %d to %d masters", inf.API.VIP, d.APIPort, len(inf.MasterIPs)))
	return inf, nil
}

// APIAddress returns the addresses of the cluster's API load balancer, NOT_FOUND before
// Ensure made it.
func (d *Cloud) APIAddress(ctx context.Context, cluster string) (API, error) {
	d.defaults()
	c, err := d.Clients(ctx)
	if err != nil {
		return API{}, fmt.Errorf("openstack clients: %w", err)
	}
	name := resourceName(cluster)
	lb, err := d.findLB(ctx, c.LoadBalancer, name+"-api")
	if err != nil {
		return API{}, err
	}
	vip, err := d.findPort(ctx, c.Network, name+"-api", "")
	if err != nil {
		return API{}, err
	}
	if lb == nil || vip == nil || len(vip.FixedIPs) == 0 {
		return API{}, models.Errorf(models.CodeNotFound, "cluster %s has no API load balancer", cluster)
	}
	return d.publicAddress(ctx, c.Network, vip, name)
}

// flavor picks the smallest flavor that fits a worker of the size.
func (d *Cloud) flavor(ctx context.Context, c *gophercloud.ServiceClient, size models.ClusterSize) (string, error) {
	page, err := flavors.ListDetail(c, flavors.ListOpts{}).AllPages(ctx)
	if err != nil {
		return "", fmt.Errorf("list flavors: %w", err)
	}
	all, err := flavors.ExtractFlavors(page)
	if err != nil {
		return "", fmt.Errorf("list flavors: %w", err)
	}
	var fit []flavors.Flavor
	for _, f := range all {
		if f.VCPUs >= size.WorkerVCPU && f.RAM >= size.WorkerRAMGB*1024 && f.Disk >= size.WorkerDiskGB {
			fit = append(fit, f)
		}
	}
	if len(fit) == 0 {
		return "", models.Errorf(models.CodeInvalid, "no flavor has %d vCPU, %d GB RAM and %d GB disk", size.WorkerVCPU, size.WorkerRAMGB, size.WorkerDiskGB)
	}
	sort.Slice(fit, func(i, j int) bool {
		if fit[i].VCPUs != fit[j].VCPUs {
			return fit[i].VCPUs < fit[j].VCPUs
		}
		return fit[i].RAM < fit[j].RAM
	})
	return fit[0].ID, nil
}

func (d *Cloud) server(ctx context.Context, c *gophercloud.ServiceClient, name, flavor, networkID string, userData []byte, role, cluster string) (string, error) {
	page, err := servers.List(c, servers.ListOpts{Name: "^" + name + "$"}).AllPages(ctx)
	if err != nil {
		return "", fmt.Errorf("list servers: %w", err)
	}
	if found, err := servers.ExtractServers(page); err == nil && len(found) > 0 {
		return found[0].ID, nil
	}
	// Tags on create need compute API 2.52 (Queens).
	tagged := *c
	tagged.Microversion = "2.52"
	s, err := servers.Create(ctx, &tagged, servers.CreateOpts{
		Name: name, FlavorRef: flavor, ImageRef: d.ImageID, UserData: userData,
		Networks: []servers.Network{{UUID: networkID}},
		Metadata: map[string]string{"kaas-cluster": cluster, "kaas-role": role},
		Tags:     []string{clusterTag(resourceName(cluster))},
	}, nil).Extract()
	if err != nil {
		return "", fmt.Errorf("create server %s: %w", name, err)
	}
	return s.ID, nil
}

// waitActive waits for a server and returns its address on the cluster's network.
func (d *Cloud) waitActive(ctx context.Context, c *gophercloud.ServiceClient, id, network string) (string, error) {
	for {
		s, err := servers.Get(ctx, c, id).Extract()
		if err != nil {
			return "", fmt.Errorf("get server %s: %w", id, err)
		}
		switch s.Status {
		case "ACTIVE":
			if addrs, ok := s.Addresses[network].([]any); ok && len(addrs) > 0 {
				if a, ok := addrs[0].(map[string]any); ok {
					if ip, ok := a["addr"].(string); ok {
						return ip, nil
					}
				}
			}
			return "", fmt.Errorf("server %s has no address on %s", s.Name, network)
		case "ERROR":
			// Nova says why in the fault: "No valid host was found. …" for a flavor no
			// host fits.
			if s.Fault.Message != "" {
				return "", fmt.Errorf("server %s failed to build: %s", s.Name, strings.TrimSpace(s.Fault.Message))
			}
			return "", fmt.Errorf("server %s failed to build", s.Name)
		}
		if err := d.pause(ctx); err != nil {
			return "", err
		}
	}
}

// Remove deletes the cluster's API floating IP and load balancer (cascading to its
// listener, pool and members) and its servers, waits until they are gone, then deletes
// the ports left on its network (the VIP port), its router and its subnet and network:
// Neutron keeps a subnet while a port has an address on it. What is gone already is
// skipped, so it can run again.
func (d *Cloud) Remove(ctx context.Context, cluster string) error {
	d.defaults()
	c, err := d.Clients(ctx)
	if err != nil {
		return fmt.Errorf("openstack clients: %w", err)
	}
	name := resourceName(cluster)
	lb, err := d.findLB(ctx, c.LoadBalancer, name+"-api")
	if err != nil {
		return err
	}
	if lb != nil {
		if err := d.removeFloatingIPs(ctx, c.Network, lb.VipPortID); err != nil {
			return err
		}
		if err := ignoreGone(loadbalancers.Delete(ctx, c.LoadBalancer, lb.ID, loadbalancers.DeleteOpts{Cascade: true}).ExtractErr()); err != nil {
			return fmt.Errorf("delete load balancer: %w", err)
		}
		if err := d.waitGone(ctx, "load balancer "+lb.Name, func() error { return loadbalancers.Get(ctx, c.LoadBalancer, lb.ID).Err }); err != nil {
			return err
		}
	}
	ss, err := d.clusterServers(ctx, c.Compute, cluster)
	if err != nil {
		return err
	}
	for _, s := range ss {
		if err := deleteServer(ctx, c.Compute, s); err != nil {
			return err
		}
	}
	for _, s := range ss {
		if err := d.waitServerGone(ctx, c.Compute, s); err != nil {
			return err
		}
	}
	return d.removeNetwork(ctx, c.Network, name)
}

// deleteServer asks Nova to delete a server; one gone already is not an error.
func deleteServer(ctx context.Context, c *gophercloud.ServiceClient, s servers.Server) error {
	if err := ignoreGone(servers.Delete(ctx, c, s.ID).ExtractErr()); err != nil {
		return fmt.Errorf("delete server %s: %w", s.Name, err)
	}
	return nil
}

// waitServerGone waits until Nova no longer has the server.
func (d *Cloud) waitServerGone(ctx context.Context, c *gophercloud.ServiceClient, s servers.Server) error {
	return d.waitGone(ctx, "server "+s.Name, func() error { return servers.Get(ctx, c, s.ID).Err })
}

// clusterServers lists the cluster's servers. Nova's name filter is a regular
// expression with every '|' escaped (it would mean alternation to MySQL), so it lists the
// names that start with the cluster's and the driver picks its own.
func (d *Cloud) clusterServers(ctx context.Context, c *gophercloud.ServiceClient, cluster string) ([]servers.Server, error) {
	page, err := servers.List(c, servers.ListOpts{Name: "^" + regexp.QuoteMeta(cluster) + "-"}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list servers: %w", err)
	}
	all, err := servers.ExtractServers(page)
	if err != nil {
		return nil, fmt.Errorf("list servers: %w", err)
	}
	own := regexp.MustCompile("^" + regexp.QuoteMeta(cluster) + "-(master|worker)-[0-9]+$")
	var ss []servers.Server
	for _, s := range all {
		if own.MatchString(s.Name) {
			ss = append(ss, s)
		}
	}
	return ss, nil
}

// APIURL returns the URL the panel reaches the cluster's API at.
func (d *Cloud) APIURL(api API) string {
	d.defaults()
	return "https://" + net.JoinHostPort(api.Public, strconv.Itoa(d.APIPort))
}

// CatalogClients returns a Clients function that makes the compute, network and load
// balancer clients of region from the provider's service catalog.
func CatalogClients(provider func(ctx context.Context) (*gophercloud.ProviderClient, error), region string) func(ctx context.Context) (Clients, error) {
	return func(ctx context.Context) (Clients, error) {
		p, err := provider(ctx)
		if err != nil {
			return Clients{}, err
		}
		eo := gophercloud.EndpointOpts{Region: region}
		var c Clients
		if c.Compute, err = openstack.NewComputeV2(p, eo); err != nil {
			return Clients{}, fmt.Errorf("compute endpoint: %w", err)
		}
		if c.Network, err = openstack.NewNetworkV2(p, eo); err != nil {
			return Clients{}, fmt.Errorf("network endpoint: %w", err)
		}
		if c.LoadBalancer, err = openstack.NewLoadBalancerV2(p, eo); err != nil {
			return Clients{}, fmt.Errorf("load-balancer endpoint: %w", err)
		}
		return c, nil
	}
}
