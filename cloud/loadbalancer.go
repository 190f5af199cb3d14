package cloud

import (
	"context"
	"fmt"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/listeners"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
)

// findLB returns the named load balancer, nil when there is none.
func (d *Cloud) findLB(ctx context.Context, c *gophercloud.ServiceClient, name string) (*loadbalancers.LoadBalancer, error) {
	page, err := loadbalancers.List(c, loadbalancers.ListOpts{Name: name}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list load balancers: %w", err)
	}
	found, err := loadbalancers.ExtractLoadBalancers(page)
	if err != nil {
		return nil, fmt.Errorf("list load balancers: %w", err)
	}
	if len(found) == 0 {
		return nil, nil
	}
	return &found[0], nil
}

// ensureLB returns the named load balancer once ACTIVE, creating it with the VIP port
// the driver made (Octavia then leaves the port to its owner). The port's subnet and
// address go with it: Octavia checks they are the port's, and its noop network driver
// (no Neutron) cannot find them itself.
func (d *Cloud) ensureLB(ctx context.Context, c *gophercloud.ServiceClient, name string, vip *ports.Port, tag string) (*loadbalancers.LoadBalancer, error) {
	lb, err := d.findLB(ctx, c, name)
	if err != nil {
		return nil, err
	}
	if lb == nil {
		if lb, err = loadbalancers.Create(ctx, c, loadbalancers.CreateOpts{Name: name, VipPortID: vip.ID,
			VipSubnetID: vip.FixedIPs[0].SubnetID, VipAddress: vip.FixedIPs[0].IPAddress, Tags: []string{tag}}).Extract(); err != nil {
			return nil, fmt.Errorf("create load balancer: %w", err)
		}
	}
	return d.waitLB(ctx, c, lb.ID)
}

// routeToMasters ensures the API listener (TCP, APIPort), its pool and a member per master,
// waiting for Octavia to settle after each change.
func (d *Cloud) routeToMasters(ctx context.Context, c *gophercloud.ServiceClient, name, lbID string, inf *Infra) error {
	listenerID, err := d.ensureChild(ctx, c, lbID, "listener", func() (string, error) {
		page, err := listeners.List(c, listeners.ListOpts{Name: name, LoadbalancerID: lbID}).AllPages(ctx)
		if err != nil {
			return "", err
		}
		ls, err := listeners.ExtractListeners(page)
		if err != nil || len(ls) == 0 {
			return "", err
		}
		return ls[0].ID, nil
	}, func() (string, error) {
		l, err := listeners.Create(ctx, c, listeners.CreateOpts{Name: name, LoadbalancerID: lbID, Protocol: listeners.ProtocolTCP, ProtocolPort: d.APIPort}).Extract()
		if err != nil {
			return "", err
		}
		return l.ID, nil
	})
	if err != nil {
		return err
	}
	poolID, err := d.ensureChild(ctx, c, lbID, "pool", func() (string, error) {
		page, err := pools.List(c, pools.ListOpts{Name: name, LoadbalancerID: lbID}).AllPages(ctx)
		if err != nil {
			return "", err
		}
		ps, err := pools.ExtractPools(page)
		if err != nil || len(ps) == 0 {
			return "", err
		}
		return ps[0].ID, nil
	}, func() (string, error) {
		p, err := pools.Create(ctx, c, pools.CreateOpts{Name: name, ListenerID: listenerID, LBMethod: pools.LBMethodRoundRobin, Protocol: pools.ProtocolTCP}).Extract()
		if err != nil {
			return "", err
		}
		return p.ID, nil
	})
	if err != nil {
		return err
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
		if _, err := pools.CreateMember(ctx, c, poolID, pools.CreateMemberOpts{Address: ip, ProtocolPort: APIServerPort, SubnetID: inf.SubnetID}).Extract(); err != nil {
			return fmt.Errorf("add member %s: %w", ip, err)
		}
		if _, err := d.waitLB(ctx, c, lbID); err != nil {
			return err
		}
	}
	return nil
}

// ensureChild returns the ID of a load balancer's child (listener, pool) that find
// finds, or has create make one and waits for Octavia to settle.
func (d *Cloud) ensureChild(ctx context.Context, c *gophercloud.ServiceClient, lbID, what string, find, create func() (string, error)) (string, error) {
	id, err := find()
	if err != nil {
		return "", fmt.Errorf("list %ss: %w", what, err)
	}
	if id != "" {
		return id, nil
	}
	if id, err = create(); err != nil {
		return "", fmt.Errorf("create %s: %w", what, err)
	}
	if _, err := d.waitLB(ctx, c, lbID); err != nil {
		return "", err
	}
	return id, nil
}

// waitLB waits until Octavia has settled the load balancer.
func (d *Cloud) waitLB(ctx context.Context, c *gophercloud.ServiceClient, id string) (*loadbalancers.LoadBalancer, error) {
	for {
		lb, err := loadbalancers.Get(ctx, c, id).Extract()
		if err != nil {
			return nil, fmt.Errorf("get load balancer: %w", err)
		}
		switch lb.ProvisioningStatus {
		case "ACTIVE":
			return lb, nil
		case "ERROR":
			return nil, fmt.Errorf("load balancer %s is in ERROR", lb.Name)
		}
		if err := d.pause(ctx); err != nil {
			return nil, err
		}
	}
}

// pause waits one poll interval, or returns the context's error.
func (d *Cloud) pause(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d.Poll):
		return nil
	}
}

// waitGone polls get until it answers 404.
func (d *Cloud) waitGone(ctx context.Context, what string, get func() error) error {
	for {
		err := get()
		if gophercloud.ResponseCodeIs(err, 404) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("wait for %s to go: %w", what, err)
		}
		if err := d.pause(ctx); err != nil {
			return fmt.Errorf("wait for %s to go: %w", what, err)
		}
	}
}
