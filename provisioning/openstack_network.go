package provisioning

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

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
	s, err := subnets.Create(ctx, c, subnets.CreateOpts{Name: name, NetworkID: networkID, CIDR: d.CIDR, IPVersion: gophercloud.IPv4,
		DNSNameservers: d.DNSNameservers}).Extract()
	if err != nil {
		return "", fmt.Errorf("create subnet: %w", err)
	}
	return s.ID, nil
}

// router ensures the cluster's router with its gateway on the external network and an
// interface on the cluster's subnet.
func (d *OpenStackDriver) router(ctx context.Context, c *gophercloud.ServiceClient, name, networkID, subnetID string) (string, error) {
	page, err := routers.List(c, routers.ListOpts{Name: name}).AllPages(ctx)
	if err != nil {
		return "", fmt.Errorf("list routers: %w", err)
	}
	found, _ := routers.ExtractRouters(page)
	var id string
	if len(found) > 0 {
		id = found[0].ID
	} else {
		r, err := routers.Create(ctx, c, routers.CreateOpts{Name: name, GatewayInfo: &routers.GatewayInfo{NetworkID: d.ExternalNetworkID}}).Extract()
		if err != nil {
			return "", fmt.Errorf("create router: %w", err)
		}
		id = r.ID
	}
	attached, err := d.routerPorts(ctx, c, id, networkID)
	if err != nil {
		return "", err
	}
	if len(attached) == 0 {
		if _, err := routers.AddInterface(ctx, c, id, routers.AddInterfaceOpts{SubnetID: subnetID}).Extract(); err != nil {
			return "", fmt.Errorf("add router interface: %w", err)
		}
	}
	return id, nil
}

// routerPorts returns the router's ports on the network.
func (d *OpenStackDriver) routerPorts(ctx context.Context, c *gophercloud.ServiceClient, routerID, networkID string) ([]ports.Port, error) {
	page, err := ports.List(c, ports.ListOpts{DeviceID: routerID, NetworkID: networkID}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list router ports: %w", err)
	}
	ps, err := ports.ExtractPorts(page)
	if err != nil {
		return nil, fmt.Errorf("list router ports: %w", err)
	}
	return ps, nil
}

// publicAddress returns the API's addresses, giving the load balancer's VIP port a
// floating IP when there is an external network.
func (d *OpenStackDriver) publicAddress(ctx context.Context, c *gophercloud.ServiceClient, lb *loadbalancers.LoadBalancer) (OpenStackAPI, error) {
	api := OpenStackAPI{VIP: lb.VipAddress, Public: lb.VipAddress}
	if d.ExternalNetworkID == "" {
		return api, nil
	}
	page, err := floatingips.List(c, floatingips.ListOpts{PortID: lb.VipPortID}).AllPages(ctx)
	if err != nil {
		return api, fmt.Errorf("list floating IPs: %w", err)
	}
	if found, err := floatingips.ExtractFloatingIPs(page); err == nil && len(found) > 0 {
		api.Public = found[0].FloatingIP
		return api, nil
	}
	fip, err := floatingips.Create(ctx, c, floatingips.CreateOpts{FloatingNetworkID: d.ExternalNetworkID, PortID: lb.VipPortID,
		Description: "API of " + lb.Name}).Extract()
	if err != nil {
		return api, fmt.Errorf("create floating IP: %w", err)
	}
	api.Public = fip.FloatingIP
	return api, nil
}

// removeFloatingIPs deletes the floating IPs on the port.
func (d *OpenStackDriver) removeFloatingIPs(ctx context.Context, c *gophercloud.ServiceClient, portID string) error {
	page, err := floatingips.List(c, floatingips.ListOpts{PortID: portID}).AllPages(ctx)
	if err != nil {
		return fmt.Errorf("list floating IPs: %w", err)
	}
	fips, _ := floatingips.ExtractFloatingIPs(page)
	for _, f := range fips {
		if err := ignoreGone(floatingips.Delete(ctx, c, f.ID).ExtractErr()); err != nil {
			return fmt.Errorf("delete floating IP: %w", err)
		}
	}
	return nil
}

// removeNetwork deletes the cluster's router and its network with its subnets; what is
// gone already is skipped.
func (d *OpenStackDriver) removeNetwork(ctx context.Context, c *gophercloud.ServiceClient, name string) error {
	npage, err := networks.List(c, networks.ListOpts{Name: name}).AllPages(ctx)
	if err != nil {
		return fmt.Errorf("list networks: %w", err)
	}
	ns, _ := networks.ExtractNetworks(npage)
	rpage, err := routers.List(c, routers.ListOpts{Name: name}).AllPages(ctx)
	if err != nil {
		return fmt.Errorf("list routers: %w", err)
	}
	rs, _ := routers.ExtractRouters(rpage)
	for _, r := range rs {
		for _, n := range ns {
			attached, err := d.routerPorts(ctx, c, r.ID, n.ID)
			if err != nil {
				return err
			}
			for _, p := range attached {
				if _, err := routers.RemoveInterface(ctx, c, r.ID, routers.RemoveInterfaceOpts{PortID: p.ID}).Extract(); ignoreGone(err) != nil {
					return fmt.Errorf("remove router interface: %w", err)
				}
			}
		}
		if err := ignoreGone(routers.Delete(ctx, c, r.ID).ExtractErr()); err != nil {
			return fmt.Errorf("delete router: %w", err)
		}
	}
	for _, n := range ns {
		subPage, err := subnets.List(c, subnets.ListOpts{NetworkID: n.ID}).AllPages(ctx)
		if err != nil {
			return fmt.Errorf("list subnets: %w", err)
		}
		subs, _ := subnets.ExtractSubnets(subPage)
		for _, s := range subs {
			if err := ignoreGone(subnets.Delete(ctx, c, s.ID).ExtractErr()); err != nil {
				return fmt.Errorf("delete subnet: %w", err)
			}
		}
		if err := ignoreGone(networks.Delete(ctx, c, n.ID).ExtractErr()); err != nil {
			return fmt.Errorf("delete network: %w", err)
		}
	}
	return nil
}

// ignoreGone treats "not found" as done: deleting is idempotent.
func ignoreGone(err error) error {
	if err == nil || gophercloud.ResponseCodeIs(err, 404) {
		return nil
	}
	return err
}
