package testenv

import (
	"context"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
)

// OpenStackEnv is the real OpenStack that `make test` started (scripts/openstack.sh):
// its Keystone's admin, seeded with the demo users like the test Keystone, and what
// scripts/openstack.sh made for the driver's tests.
type OpenStackEnv struct {
	KeystoneEnv
	// ImageID is the node image; ExternalNetworkID the network of routers' gateways and
	// floating IPs (loopback addresses: 127.0.0.0/24).
	ImageID, ExternalNetworkID string
	// HugeFlavorID is a flavor larger than any host: its servers fail with NoValidHost.
	HugeFlavorID string
}

// OpenStack returns the real OpenStack of the test run.
func OpenStack(tb testing.TB) OpenStackEnv {
	tb.Helper()
	return OpenStackEnv{
		KeystoneEnv: KeystoneEnv{
			AuthURL:     Getenv(tb, "KAAS_TEST_OPENSTACK_AUTH_URL"),
			Username:    Getenv(tb, "KAAS_TEST_OPENSTACK_USERNAME"),
			Password:    Getenv(tb, "KAAS_TEST_OPENSTACK_PASSWORD"),
			ProjectName: Getenv(tb, "KAAS_TEST_OPENSTACK_PROJECT_NAME"),
		},
		ImageID:           Getenv(tb, "KAAS_TEST_OPENSTACK_IMAGE"),
		ExternalNetworkID: Getenv(tb, "KAAS_TEST_OPENSTACK_EXTERNAL_NETWORK"),
		HugeFlavorID:      Getenv(tb, "KAAS_TEST_OPENSTACK_FLAVOR_HUGE"),
	}
}

// Provider logs in to the OpenStack's Keystone as its admin.
func (e OpenStackEnv) Provider(ctx context.Context) (*gophercloud.ProviderClient, error) {
	return openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
		IdentityEndpoint: e.AuthURL, Username: e.Username, Password: e.Password, DomainName: "Default",
		Scope: &gophercloud.AuthScope{ProjectName: e.ProjectName, DomainName: "Default"},
	})
}

// CloudLeft counts what the OpenStack still holds of the cluster whose resources the
// driver names key: by name (servers key-*, the rest kaas-key*) and by the tag kaas=key,
// per kind. An empty map means nothing is left.
func (e OpenStackEnv) CloudLeft(ctx context.Context, key string) (map[string]int, error) {
	p, err := e.Provider(ctx)
	if err != nil {
		return nil, err
	}
	eo := gophercloud.EndpointOpts{Region: "RegionOne"}
	compute, err := openstack.NewComputeV2(p, eo)
	if err != nil {
		return nil, err
	}
	compute.Microversion = "2.26" // tags
	network, err := openstack.NewNetworkV2(p, eo)
	if err != nil {
		return nil, err
	}
	lb, err := openstack.NewLoadBalancerV2(p, eo)
	if err != nil {
		return nil, err
	}
	tag := "kaas=" + key
	left := map[string]int{}
	count := func(kind string, c *gophercloud.ServiceClient, url, plural string, match func(map[string]any) bool) error {
		var body map[string][]map[string]any
		if _, err := c.Get(ctx, url, &body, nil); err != nil {
			return err
		}
		for _, r := range body[plural] {
			if match(r) {
				left[kind]++
			}
		}
		return nil
	}
	named := func(prefix string) func(map[string]any) bool {
		return func(r map[string]any) bool {
			name, _ := r["name"].(string)
			desc, _ := r["description"].(string)
			return strings.HasPrefix(name, prefix) || strings.Contains(desc, prefix)
		}
	}
	all := func(map[string]any) bool { return true }
	for _, c := range []struct {
		kind, url, plural string
		c                 *gophercloud.ServiceClient
		match             func(map[string]any) bool
	}{
		{"servers by name", compute.ServiceURL("servers") + "?all_tenants=1&name=^" + key + "-", "servers", compute, all},
		{"servers by tag", compute.ServiceURL("servers") + "?all_tenants=1&tags=" + tag, "servers", compute, all},
		{"load balancers by name", lb.ServiceURL("lbaas", "loadbalancers"), "loadbalancers", lb, named("kaas-" + key)},
		{"load balancers by tag", lb.ServiceURL("lbaas", "loadbalancers") + "?tags=" + tag, "loadbalancers", lb, all},
	} {
		if err := count(c.kind, c.c, c.url, c.plural, c.match); err != nil {
			return nil, err
		}
	}
	for _, plural := range []string{"networks", "subnets", "ports", "routers", "floatingips"} {
		if err := count(plural+" by name", network, network.ServiceURL(plural), plural, named("kaas-"+key)); err != nil {
			return nil, err
		}
		if err := count(plural+" by tag", network, network.ServiceURL(plural)+"?tags="+tag, plural, all); err != nil {
			return nil, err
		}
	}
	return left, nil
}
