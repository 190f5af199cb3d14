package provisioning

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/listeners"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"kaas/models"
)

// DriverOpenStack builds a cluster from Nova servers, a Neutron network and an Octavia
// load balancer in front of the kube-apiservers.
const DriverOpenStack = "openstack"

// OpenStackClients are the service clients of the cloud the clusters run in.
type OpenStackClients struct {
	Compute, Network, LoadBalancer *gophercloud.ServiceClient
}

// OpenStackDriver creates and removes a cluster's infrastructure. Every call looks for
// what it would create first (by name), so a step that is run again after a crash does
// not create anything twice.
type OpenStackDriver struct {
	Clients func(ctx context.Context) (OpenStackClients, error)
	ImageID string
	// CIDR of each cluster's own subnet. Default 10.20.0.0/24.
	CIDR string
	// Masters is the number of control-plane servers. Default 1.
	Masters int
	// Poll is how often the driver checks a server or load balancer. Default 2 s.
	Poll time.Duration
	// UserData returns the cloud-init user data of a node ("master" or "worker").
	UserData func(cluster, role string, index int) []byte
}

// OpenStackInfra is what Ensure built.
type OpenStackInfra struct {
	NetworkID, SubnetID string
	ServerIDs           []string
	MasterIPs           []string
	LoadBalancerID      string
	// APIAddress is the load balancer's VIP; the kube-apiservers listen behind it on 6443.
	APIAddress string
}

// APIPort is the port of the kube-apiserver listener on the load balancer.
const APIPort = 6443

func (d *OpenStackDriver) defaults() {
	if d.CIDR == "" {
		d.CIDR = "10.20.0.0/24"
	}
	if d.Masters <= 0 {
		d.Masters = 1
	}
	if d.Poll <= 0 {
		d.Poll = 2 * time.Second
	}
}

// Ensure creates whatever of the cluster's infrastructure is missing and waits until the
// servers are ACTIVE and the load balancer routes to the masters.
func (d *OpenStackDriver) Ensure(ctx context.Context, cluster string, size models.ClusterSize, progress func(percent int, msg string)) (OpenStackInfra, error) {
	d.defaults()
	c, err := d.Clients(ctx)
	if err != nil {
		return OpenStackInfra{}, fmt.Errorf("openstack clients: %w", err)
	}
	var inf OpenStackInfra
	name := "kaas-" + cluster
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
	progress(15, "network "+name+" and its subnet "+d.CIDR)
	type node struct {
		name, role string
		index      int
	}
	var nodes []node
	for i := 0; i < d.Masters; i++ {
		nodes = append(nodes, node{fmt.Sprintf("%s-master-%d", cluster, i), "master", i})
	}
	for i := 0; i < size.Workers; i++ {
		nodes = append(nodes, node{fmt.Sprintf("%s-worker-%d", cluster, i), "worker", i})
	}
	for _, n := range nodes {
		id, err := d.server(ctx, c.Compute, n.name, flavor, inf.NetworkID, d.UserData(cluster, n.role, n.index), n.role, cluster)
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
		if nodes[i].role == "master" {
			inf.MasterIPs = append(inf.MasterIPs, ip)
		}
	}
	progress(70, "servers are ACTIVE")
	if err := d.loadBalancer(ctx, c.LoadBalancer, name+"-api", &inf); err != nil {
		return inf, err
	}
	progress(100, fmt.Sprintf("load balancer %s routes %d to the masters", inf.APIAddress, APIPort))
	return inf, nil
}

func (d *OpenStackDriver) network(ctx context.Context, c *gophercloud.ServiceClient, name string) (string, error) {
	page, err := networks.List(c, networks.ListOpts{Name: name}).AllPages(ctx)
	if err != nil {
		return "", fmt.Errorf("list networks: %w", err)
	}
	if found, err := networks.ExtractNetworks(page); err == nil && len(found) > 0 {
		return found[0].ID, nil
	}
	up := true
	n, err := networks.Create(ctx, c, networks.CreateOpts{Name: name, AdminStateUp: &up}).Extract()
	if err != nil {
		return "", fmt.Errorf("create network: %w", err)
	}
	return n.ID, nil
}

func (d *OpenStackDriver) subnet(ctx context.Context, c *gophercloud.ServiceClient, name, networkID string) (string, error) {
	page, err := subnets.List(c, subnets.ListOpts{Name: name, NetworkID: networkID}).AllPages(ctx)
	if err != nil {
		return "", fmt.Errorf("list subnets: %w", err)
	}
	if found, err := subnets.ExtractSubnets(page); err == nil && len(found) > 0 {
		return found[0].ID, nil
	}
	s, err := subnets.Create(ctx, c, subnets.CreateOpts{Name: name, NetworkID: networkID, CIDR: d.CIDR, IPVersion: gophercloud.IPv4}).Extract()
	if err != nil {
		return "", fmt.Errorf("create subnet: %w", err)
	}
	return s.ID, nil
}

// flavor picks the smallest flavor that fits a worker of the size.
func (d *OpenStackDriver) flavor(ctx context.Context, c *gophercloud.ServiceClient, size models.ClusterSize) (string, error) {
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

func (d *OpenStackDriver) server(ctx context.Context, c *gophercloud.ServiceClient, name, flavor, networkID string, userData []byte, role, cluster string) (string, error) {
	page, err := servers.List(c, servers.ListOpts{Name: "^" + name + "$"}).AllPages(ctx)
	if err != nil {
		return "", fmt.Errorf("list servers: %w", err)
	}
	if found, err := servers.ExtractServers(page); err == nil && len(found) > 0 {
		return found[0].ID, nil
	}
	s, err := servers.Create(ctx, c, servers.CreateOpts{
		Name: name, FlavorRef: flavor, ImageRef: d.ImageID, UserData: userData,
		Networks: []servers.Network{{UUID: networkID}},
		Metadata: map[string]string{"kaas-cluster": cluster, "kaas-role": role},
	}, nil).Extract()
	if err != nil {
		return "", fmt.Errorf("create server %s: %w", name, err)
	}
	return s.ID, nil
}

// waitActive waits for a server and returns its address on the cluster's network.
func (d *OpenStackDriver) waitActive(ctx context.Context, c *gophercloud.ServiceClient, id, network string) (string, error) {
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
			return "", fmt.Errorf("server %s failed to build", s.Name)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(d.Poll):
		}
	}
}

// loadBalancer ensures the API load balancer, its TCP listener on 6443, its pool and a
// member per master, waiting for Octavia to settle after each change.
func (d *OpenStackDriver) loadBalancer(ctx context.Context, c *gophercloud.ServiceClient, name string, inf *OpenStackInfra) error {
	page, err := loadbalancers.List(c, loadbalancers.ListOpts{Name: name}).AllPages(ctx)
	if err != nil {
		return fmt.Errorf("list load balancers: %w", err)
	}
	found, _ := loadbalancers.ExtractLoadBalancers(page)
	var lb *loadbalancers.LoadBalancer
	if len(found) > 0 {
		lb = &found[0]
	} else if lb, err = loadbalancers.Create(ctx, c, loadbalancers.CreateOpts{Name: name, VipSubnetID: inf.SubnetID}).Extract(); err != nil {
		return fmt.Errorf("create load balancer: %w", err)
	}
	inf.LoadBalancerID = lb.ID
	if inf.APIAddress, err = d.waitLB(ctx, c, lb.ID); err != nil {
		return err
	}
	lpage, err := listeners.List(c, listeners.ListOpts{Name: name, LoadbalancerID: lb.ID}).AllPages(ctx)
	if err != nil {
		return fmt.Errorf("list listeners: %w", err)
	}
	ls, _ := listeners.ExtractListeners(lpage)
	var listenerID string
	if len(ls) > 0 {
		listenerID = ls[0].ID
	} else {
		l, err := listeners.Create(ctx, c, listeners.CreateOpts{Name: name, LoadbalancerID: lb.ID, Protocol: listeners.ProtocolTCP, ProtocolPort: APIPort}).Extract()
		if err != nil {
			return fmt.Errorf("create listener: %w", err)
		}
		listenerID = l.ID
		if _, err := d.waitLB(ctx, c, lb.ID); err != nil {
			return err
		}
	}
	ppage, err := pools.List(c, pools.ListOpts{Name: name, LoadbalancerID: lb.ID}).AllPages(ctx)
	if err != nil {
		return fmt.Errorf("list pools: %w", err)
	}
	ps, _ := pools.ExtractPools(ppage)
	var poolID string
	if len(ps) > 0 {
		poolID = ps[0].ID
	} else {
		p, err := pools.Create(ctx, c, pools.CreateOpts{Name: name, ListenerID: listenerID, LBMethod: pools.LBMethodRoundRobin, Protocol: pools.ProtocolTCP}).Extract()
		if err != nil {
			return fmt.Errorf("create pool: %w", err)
		}
		poolID = p.ID
		if _, err := d.waitLB(ctx, c, lb.ID); err != nil {
			return err
		}
	}
	mpage, err := pools.ListMembers(c, poolID, pools.ListMembersOpts{}).AllPages(ctx)
	if err != nil {
		return fmt.Errorf("list members: %w", err)
	}
	ms, _ := pools.ExtractMembers(mpage)
	have := map[string]bool{}
	for _, m := range ms {
		have[m.Address] = true
	}
	for _, ip := range inf.MasterIPs {
		if have[ip] {
			continue
		}
		if _, err := pools.CreateMember(ctx, c, poolID, pools.CreateMemberOpts{Address: ip, ProtocolPort: APIPort, SubnetID: inf.SubnetID}).Extract(); err != nil {
			return fmt.Errorf("add member %s: %w", ip, err)
		}
		if _, err := d.waitLB(ctx, c, lb.ID); err != nil {
			return err
		}
	}
	return nil
}

func (d *OpenStackDriver) waitLB(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, error) {
	for {
		lb, err := loadbalancers.Get(ctx, c, id).Extract()
		if err != nil {
			return "", fmt.Errorf("get load balancer: %w", err)
		}
		switch lb.ProvisioningStatus {
		case "ACTIVE":
			return lb.VipAddress, nil
		case "ERROR":
			return "", fmt.Errorf("load balancer %s is in ERROR", lb.Name)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(d.Poll):
		}
	}
}

// Remove deletes the cluster's load balancer (cascading to its listener, pool and
// members), servers, subnet and network; what is already gone is skipped.
func (d *OpenStackDriver) Remove(ctx context.Context, cluster string) error {
	d.defaults()
	c, err := d.Clients(ctx)
	if err != nil {
		return fmt.Errorf("openstack clients: %w", err)
	}
	name := "kaas-" + cluster
	page, err := loadbalancers.List(c.LoadBalancer, loadbalancers.ListOpts{Name: name + "-api"}).AllPages(ctx)
	if err != nil {
		return fmt.Errorf("list load balancers: %w", err)
	}
	lbs, _ := loadbalancers.ExtractLoadBalancers(page)
	for _, lb := range lbs {
		if err := loadbalancers.Delete(ctx, c.LoadBalancer, lb.ID, loadbalancers.DeleteOpts{Cascade: true}).ExtractErr(); err != nil && !gophercloud.ResponseCodeIs(err, 404) {
			return fmt.Errorf("delete load balancer: %w", err)
		}
	}
	spage, err := servers.List(c.Compute, servers.ListOpts{Name: "^" + cluster + "-(master|worker)-[0-9]+$"}).AllPages(ctx)
	if err != nil {
		return fmt.Errorf("list servers: %w", err)
	}
	ss, _ := servers.ExtractServers(spage)
	for _, s := range ss {
		if err := servers.Delete(ctx, c.Compute, s.ID).ExtractErr(); err != nil && !gophercloud.ResponseCodeIs(err, 404) {
			return fmt.Errorf("delete server %s: %w", s.Name, err)
		}
	}
	npage, err := networks.List(c.Network, networks.ListOpts{Name: name}).AllPages(ctx)
	if err != nil {
		return fmt.Errorf("list networks: %w", err)
	}
	ns, _ := networks.ExtractNetworks(npage)
	for _, n := range ns {
		subPage, err := subnets.List(c.Network, subnets.ListOpts{NetworkID: n.ID}).AllPages(ctx)
		if err != nil {
			return fmt.Errorf("list subnets: %w", err)
		}
		subs, _ := subnets.ExtractSubnets(subPage)
		for _, s := range subs {
			if err := subnets.Delete(ctx, c.Network, s.ID).ExtractErr(); err != nil && !gophercloud.ResponseCodeIs(err, 404) {
				return fmt.Errorf("delete subnet: %w", err)
			}
		}
		if err := networks.Delete(ctx, c.Network, n.ID).ExtractErr(); err != nil && !gophercloud.ResponseCodeIs(err, 404) {
			return fmt.Errorf("delete network: %w", err)
		}
	}
	return nil
}
