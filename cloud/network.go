package cloud

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/attributestags"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

func (d *Cloud) network(ctx context.Context, c *gophercloud.ServiceClient, name string) (string, error) {
	page, err := networks.List(c, networks.ListOpts{Name: name}).AllPages(ctx)
	if err != nil {
		return "", fmt.Errorf("list networks: %w", err)
	}
	if found, err := networks.ExtractNetworks(page); err == nil && len(found) > 0 {
		return found[0].ID, d.tag(ctx, c, "networks", found[0].ID, found[0].Tags, name)
	}
	up := true
	n, err := networks.Create(ctx, c, networks.CreateOpts{Name: name, AdminStateUp: &up}).Extract()
	if err != nil {
		return "", fmt.Errorf("create network: %w", err)
	}
	return n.ID, d.tag(ctx, c, "networks", n.ID, n.Tags, name)
}

// clusterTag marks every cloud resource of the cluster whose resources are named name
// (kaas-<key>), so they can be found by tag as well as by name. Nova takes tags of at
// most 60 characters.
func clusterTag(name string) string { return "kaas=" + strings.TrimPrefix(name, "kaas-") }

// tag gives a Neutron resource the cluster's tag unless it has it: resources are tagged
// after they are made (Neutron of Zed takes no tags on create), so one made just before
// a crash gets its tag when the step runs again.
func (d *Cloud) tag(ctx context.Context, c *gophercloud.ServiceClient, kind, id string, have []string, name string) error {
	t := clusterTag(name)
	if slices.Contains(have, t) {
		return nil
	}
	if _, err := attributestags.ReplaceAll(ctx, c, kind, id, attributestags.ReplaceAllOpts{Tags: append(slices.Clone(have), t)}).Extract(); err != nil {
		return fmt.Errorf("tag %s %s: %w", kind, id, err)
	}
	return nil
}

func (d *Cloud) subnet(ctx context.Context, c *gophercloud.ServiceClient, name, networkID string) (string, error) {
	page, err := subnets.List(c, subnets.ListOpts{Name: name, NetworkID: networkID}).AllPages(ctx)
	if err != nil {
		return "", fmt.Errorf("list subnets: %w", err)
	}
	if found, err := subnets.ExtractSubnets(page); err == nil && len(found) > 0 {
		return found[0].ID, d.tag(ctx, c, "subnets", found[0].ID, found[0].Tags, name)
	}
	s, err := subnets.Create(ctx, c, subnets.CreateOpts{Name: name, NetworkID: networkID, CIDR: d.CIDR, IPVersion: gophercloud.IPv4,
		DNSNameservers: d.DNSNameservers}).Extract()
	if err != nil {
		return "", fmt.Errorf("create subnet: %w", err)
	}
	return s.ID, d.tag(ctx, c, "subnets", s.ID, s.Tags, name)
}

// vipPort returns the cluster's API address port on the subnet, creating it: the load
// balancer takes it as its VIP, so the floating IP attaches to a port Neutron has
// whichever network driver Octavia runs, and the driver deletes it with the network.
func (d *Cloud) vipPort(ctx context.Context, c *gophercloud.ServiceClient, name, networkID, subnetID string) (*ports.Port, error) {
	p, err := d.findPort(ctx, c, name, networkID)
	if err != nil {
		return nil, err
	}
	if p == nil {
		if p, err = ports.Create(ctx, c, ports.CreateOpts{Name: name, NetworkID: networkID, FixedIPs: []ports.IP{{SubnetID: subnetID}},
			Description: "API address of the cluster " + strings.TrimPrefix(strings.TrimSuffix(name, "-api"), "kaas-")}).Extract(); err != nil {
			return nil, fmt.Errorf("create VIP port: %w", err)
		}
	}
	if len(p.FixedIPs) == 0 {
		return nil, fmt.Errorf("VIP port %s has no address", p.ID)
	}
	return p, d.tag(ctx, c, "ports", p.ID, p.Tags, strings.TrimSuffix(name, "-api"))
}

// findPort returns the named port (on the network, when given), nil when there is none.
func (d *Cloud) findPort(ctx context.Context, c *gophercloud.ServiceClient, name, networkID string) (*ports.Port, error) {
	page, err := ports.List(c, ports.ListOpts{Name: name, NetworkID: networkID}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list ports: %w", err)
	}
	found, err := ports.ExtractPorts(page)
	if err != nil {
		return nil, fmt.Errorf("list ports: %w", err)
	}
	if len(found) == 0 {
		return nil, nil
	}
	return &found[0], nil
}

// router ensures the cluster's router with its gateway on the external network and an
// interface on the cluster's subnet.
func (d *Cloud) router(ctx context.Context, c *gophercloud.ServiceClient, name, networkID, subnetID string) (string, error) {
	page, err := routers.List(c, routers.ListOpts{Name: name}).AllPages(ctx)
	if err != nil {
		return "", fmt.Errorf("list routers: %w", err)
	}
	found, _ := routers.ExtractRouters(page)
	if len(found) == 0 {
		r, err := routers.Create(ctx, c, routers.CreateOpts{Name: name, GatewayInfo: &routers.GatewayInfo{NetworkID: d.ExternalNetworkID}}).Extract()
		if err != nil {
			return "", fmt.Errorf("create router: %w", err)
		}
		found = append(found, *r)
	}
	id := found[0].ID
	if err := d.tag(ctx, c, "routers", id, found[0].Tags, name); err != nil {
		return "", err
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
func (d *Cloud) routerPorts(ctx context.Context, c *gophercloud.ServiceClient, routerID, networkID string) ([]ports.Port, error) {
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

// publicAddress returns the API's addresses, giving the VIP port a floating IP when
// there is an external network.
func (d *Cloud) publicAddress(ctx context.Context, c *gophercloud.ServiceClient, vip *ports.Port, name string) (API, error) {
	api := API{VIP: vip.FixedIPs[0].IPAddress, Public: vip.FixedIPs[0].IPAddress}
	if d.ExternalNetworkID == "" {
		return api, nil
	}
	page, err := floatingips.List(c, floatingips.ListOpts{PortID: vip.ID}).AllPages(ctx)
	if err != nil {
		return api, fmt.Errorf("list floating IPs: %w", err)
	}
	if found, err := floatingips.ExtractFloatingIPs(page); err == nil && len(found) > 0 {
		api.Public = found[0].FloatingIP
		return api, d.tag(ctx, c, "floatingips", found[0].ID, found[0].Tags, name)
	}
	fip, err := floatingips.Create(ctx, c, floatingips.CreateOpts{FloatingNetworkID: d.ExternalNetworkID, PortID: vip.ID,
		Description: "API of " + name}).Extract()
	if err != nil {
		return api, fmt.Errorf("create floating IP: %w", err)
	}
	api.Public = fip.FloatingIP
	return api, d.tag(ctx, c, "floatingips", fip.ID, fip.Tags, name)
}

// removeFloatingIPs deletes the floating IPs on the port.
func (d *Cloud) removeFloatingIPs(ctx context.Context, c *gophercloud.ServiceClient, portID string) error {
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

// removeNetwork deletes the cluster's router and its network with its ports and
// subnets; what is gone already is skipped. Neutron keeps a subnet while any port has an
// address on it (409 SubnetInUse): the router's interfaces are removed from the router,
// every other port (the VIP port, a server's port Nova has not deleted) is deleted first.
func (d *Cloud) removeNetwork(ctx context.Context, c *gophercloud.ServiceClient, name string) error {
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
	for _, n := range ns {
		page, err := ports.List(c, ports.ListOpts{NetworkID: n.ID}).AllPages(ctx)
		if err != nil {
			return fmt.Errorf("list ports: %w", err)
		}
		ps, _ := ports.ExtractPorts(page)
		for _, p := range ps {
			if strings.HasPrefix(p.DeviceOwner, "network:router_interface") {
				if _, err := routers.RemoveInterface(ctx, c, p.DeviceID, routers.RemoveInterfaceOpts{PortID: p.ID}).Extract(); ignoreGone(err) != nil {
					return fmt.Errorf("remove router interface: %w", err)
				}
				continue
			}
			if err := d.removeFloatingIPs(ctx, c, p.ID); err != nil {
				return err
			}
			if err := ignoreGone(ports.Delete(ctx, c, p.ID).ExtractErr()); err != nil {
				return fmt.Errorf("delete port %s: %w", p.ID, err)
			}
		}
	}
	for _, r := range rs {
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
