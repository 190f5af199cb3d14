// Package openstackfake is a FAKE of the OpenStack compute (Nova), network (Neutron) and
// load-balancer (Octavia) APIs, for the cases the real services (scripts/openstack.sh)
// cannot produce, such as a failure injected mid-step, and for asserting the exact
// requests a driver makes. It keeps the resources it is asked to create, answers lists
// by name, and records every call. Where the real services were seen to differ it
// behaves like them: a server has a port on its network until it is deleted, Neutron
// refuses to delete a subnet a port still uses (409 SubnetInUse) and a floating IP for a
// port it does not have (404 PortNotFound), Nova's name filter escapes '|', and tags are
// set with PUT …/tags.
package openstackfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gophercloud/gophercloud/v2"

	"kaas/cloud"
)

// Fake is the fake cloud. Servers go ACTIVE, and load balancers settle, on the look
// after the one that saw them building.
type Fake struct {
	// VIP is every load balancer's address, FloatingIP every floating IP's. Set them
	// before use; the defaults are documentation addresses.
	VIP, FloatingIP string

	srv *httptest.Server

	mu       sync.Mutex
	calls    []string
	next     int
	networks map[string]map[string]any
	subnets  map[string]map[string]any
	servers  map[string]map[string]any
	lbs      map[string]map[string]any
	routers  map[string]map[string]any
	ports    map[string]map[string]any // router interfaces, servers' and VIP ports
	fips     map[string]map[string]any
	children map[string][]map[string]any // "listeners", "pools", "members:<pool>"
	userData map[string]string
	seen     map[string]int // calls so far, by "METHOD /path"
	failures []failure
}

// failure is an injected error answer: what no real service produces on demand.
type failure struct {
	call      string
	nth, code int
}

// FailCall makes the nth call "METHOD /path" (counting from 1) answer code, changing
// nothing; the call is recorded as made.
func (f *Fake) FailCall(call string, nth, code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, failure{call: call, nth: nth, code: code})
}

// New starts a fake cloud that stops when the test ends.
func New(t testing.TB) *Fake {
	f := Start()
	t.Cleanup(f.Close)
	return f
}

// Start starts a fake cloud on a loopback port, for a program that plays a cloud outside
// a Go test (cmd/kaas-testbed); Close stops it.
func Start() *Fake {
	f := &Fake{VIP: "10.20.0.250", FloatingIP: "198.51.100.7", networks: map[string]map[string]any{}, subnets: map[string]map[string]any{}, servers: map[string]map[string]any{},
		lbs: map[string]map[string]any{}, routers: map[string]map[string]any{}, ports: map[string]map[string]any{}, fips: map[string]map[string]any{},
		children: map[string][]map[string]any{}, userData: map[string]string{}, seen: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

// Close stops the fake's server.
func (f *Fake) Close() { f.srv.Close() }

// Clients returns service clients of the fake, without Keystone.
func (f *Fake) Clients() cloud.Clients {
	pc := &gophercloud.ProviderClient{HTTPClient: *http.DefaultClient}
	client := func(prefix, base string) *gophercloud.ServiceClient {
		return &gophercloud.ServiceClient{ProviderClient: pc, Endpoint: f.srv.URL + prefix, ResourceBase: f.srv.URL + base}
	}
	return cloud.Clients{
		Compute:      client("/compute/", "/compute/"),
		Network:      client("/network/", "/network/v2.0/"),
		LoadBalancer: client("/lb/", "/lb/v2.0/"),
	}
}

// Mutations returns the recorded POST, PUT and DELETE calls, in order.
func (f *Fake) Mutations() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if !strings.HasPrefix(c, "GET ") {
			out = append(out, c)
		}
	}
	return out
}

func (f *Fake) id(kind string) string {
	f.next++
	return fmt.Sprintf("%s-%d", kind, f.next)
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	call := r.Method + " " + r.URL.Path
	f.calls = append(f.calls, call)
	f.seen[call]++
	for _, fl := range f.failures {
		if fl.call == call && fl.nth == f.seen[call] {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(fl.code)
			_, _ = fmt.Fprintf(w, `{"error": "injected failure of %s"}`, call)
			return
		}
	}
	var body map[string]map[string]any
	if r.Method == http.MethodPost {
		_ = json.NewDecoder(r.Body).Decode(&body)
	}
	reply := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	q := r.URL.Query()
	// byName lists what matches the query's name, network_id, device_id and port_id.
	byName := func(m map[string]map[string]any, key string) {
		list := []map[string]any{}
		for _, v := range m {
			match := true
			for _, f := range []string{"name", "network_id", "device_id", "port_id"} {
				if want := q.Get(f); want != "" && v[f] != want {
					match = false
				}
			}
			if match {
				list = append(list, v)
			}
		}
		reply(200, map[string]any{key: list})
	}
	p := r.URL.Path
	switch {
	// Version discovery of unversioned endpoints, as the real services answer it.
	case p == "/compute/" && r.Method == "GET":
		reply(200, map[string]any{"versions": []map[string]any{{"id": "v2.1", "status": "CURRENT", "version": "2.90", "min_version": "2.1"}}})
	case (p == "/network/" || p == "/lb/") && r.Method == "GET":
		reply(200, map[string]any{"versions": []map[string]any{{"id": "v2.0", "status": "CURRENT"}}})
	case strings.HasPrefix(p, "/network/v2.0/") && f.neutron(w, r, p, body, reply, byName):
	case strings.HasSuffix(p, "/add_router_interface") && r.Method == "PUT":
		router := strings.TrimSuffix(strings.TrimPrefix(p, "/network/v2.0/routers/"), "/add_router_interface")
		var in map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		subnet := f.subnets[in["subnet_id"].(string)]
		port := f.addPort(map[string]any{"device_id": router, "device_owner": "network:router_interface", "network_id": subnet["network_id"]}, "10.20.0.1")
		reply(200, map[string]any{"id": router, "subnet_id": in["subnet_id"], "port_id": port["id"]})
	case strings.HasSuffix(p, "/remove_router_interface") && r.Method == "PUT":
		var in map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		delete(f.ports, in["port_id"].(string))
		reply(200, map[string]any{"port_id": in["port_id"]})
	case strings.HasSuffix(p, "/tags") && r.Method == "PUT":
		var in map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		parts := strings.Split(strings.TrimPrefix(p, "/network/v2.0/"), "/")
		items := map[string]map[string]map[string]any{"networks": f.networks, "subnets": f.subnets, "routers": f.routers, "ports": f.ports, "floatingips": f.fips}[parts[0]]
		obj := items[parts[1]]
		if obj == nil {
			reply(404, map[string]any{"NeutronError": map[string]any{"type": "NotFound"}})
			return
		}
		obj["tags"] = in["tags"]
		reply(200, map[string]any{"tags": in["tags"]})
	case p == "/compute/flavors/detail":
		reply(200, map[string]any{"flavors": []map[string]any{
			{"id": "f-small", "name": "small", "vcpus": 2, "ram": 4096, "disk": 20},
			{"id": "f-large", "name": "large", "vcpus": 8, "ram": 16384, "disk": 80},
			{"id": "f-medium", "name": "medium", "vcpus": 4, "ram": 8192, "disk": 40},
		}})
	case p == "/compute/servers/detail":
		// Nova escapes every '|' of the filter: MySQL would read it as alternation.
		re := regexp.MustCompile(strings.ReplaceAll(q.Get("name"), "|", `\|`))
		list := []map[string]any{}
		for _, s := range f.servers {
			if re.MatchString(s["name"].(string)) {
				list = append(list, s)
			}
		}
		reply(200, map[string]any{"servers": list})
	case p == "/compute/servers" && r.Method == "POST":
		s := body["server"]
		id := f.id("server")
		f.userData[s["name"].(string)], _ = s["user_data"].(string)
		network := "kaas-" + strings.SplitN(s["name"].(string), "-master-", 2)[0]
		network = strings.SplitN(network, "-worker-", 2)[0]
		addr := fmt.Sprintf("10.20.0.%d", 10+f.next)
		f.servers[id] = map[string]any{"id": id, "name": s["name"], "status": "BUILD", "flavor": map[string]any{"id": s["flavorRef"]},
			"addresses": map[string]any{network: []any{map[string]any{"addr": addr, "version": 4}}}, "tags": s["tags"]}
		if nets, ok := s["networks"].([]any); ok && len(nets) > 0 {
			netID, _ := nets[0].(map[string]any)["uuid"].(string)
			f.addPort(map[string]any{"device_id": id, "device_owner": "compute:nova", "network_id": netID}, addr)
		}
		reply(202, map[string]any{"server": map[string]any{"id": id}})
	case strings.HasPrefix(p, "/compute/servers/") && r.Method == "GET":
		s := f.servers[strings.TrimPrefix(p, "/compute/servers/")]
		if s == nil {
			reply(404, map[string]any{})
			return
		}
		reply(200, map[string]any{"server": s})
		s["status"] = "ACTIVE" // built by the next look
	case strings.HasPrefix(p, "/compute/servers/") && r.Method == "DELETE":
		id := strings.TrimPrefix(p, "/compute/servers/")
		delete(f.servers, id)
		for pid, port := range f.ports { // Nova deletes the ports it made
			if port["device_id"] == id {
				delete(f.ports, pid)
			}
		}
		w.WriteHeader(204)
	case p == "/lb/v2.0/lbaas/loadbalancers" && r.Method == "GET":
		byName(f.lbs, "loadbalancers")
	case p == "/lb/v2.0/lbaas/loadbalancers" && r.Method == "POST":
		lb := body["loadbalancer"]
		lb["id"], lb["provisioning_status"] = f.id("lb"), "PENDING_CREATE"
		if lb["vip_port_id"] == nil { // Octavia makes the port
			lb["vip_address"], lb["vip_port_id"] = f.VIP, "vip-port-"+lb["id"].(string)
		}
		f.lbs[lb["id"].(string)] = lb
		reply(201, map[string]any{"loadbalancer": lb})
	case strings.HasPrefix(p, "/lb/v2.0/lbaas/loadbalancers/") && r.Method == "GET":
		lb := f.lbs[strings.TrimPrefix(p, "/lb/v2.0/lbaas/loadbalancers/")]
		if lb == nil {
			reply(404, map[string]any{})
			return
		}
		reply(200, map[string]any{"loadbalancer": lb})
		lb["provisioning_status"] = "ACTIVE"
	case strings.HasPrefix(p, "/lb/v2.0/lbaas/loadbalancers/") && r.Method == "DELETE":
		delete(f.lbs, strings.TrimPrefix(p, "/lb/v2.0/lbaas/loadbalancers/"))
		w.WriteHeader(204)
	case p == "/lb/v2.0/lbaas/listeners" || p == "/lb/v2.0/lbaas/pools" || strings.HasSuffix(p, "/members"):
		key := strings.TrimPrefix(p, "/lb/v2.0/lbaas/")
		single := map[string]string{"listeners": "listener", "pools": "pool"}[key]
		if strings.HasSuffix(p, "/members") {
			single = "member"
		}
		if r.Method == "GET" {
			list := f.children[key]
			if list == nil {
				list = []map[string]any{}
			}
			reply(200, map[string]any{strings.Split(key, "/")[len(strings.Split(key, "/"))-1]: list})
			return
		}
		obj := body[single]
		obj["id"] = f.id(single)
		f.children[key] = append(f.children[key], obj)
		for _, lb := range f.lbs {
			lb["provisioning_status"] = "PENDING_UPDATE"
		}
		reply(201, map[string]any{single: obj})
	default:
		reply(404, map[string]any{"error": "the fake does not serve " + r.Method + " " + p})
	}
}

// neutron serves the Neutron collections the fake keeps as posted: list, create and
// delete of networks, subnets, routers and floating IPs. It reports whether it answered.
func (f *Fake) neutron(w http.ResponseWriter, r *http.Request, p string, body map[string]map[string]any,
	reply func(int, any), byName func(map[string]map[string]any, string)) bool {
	for _, c := range []struct {
		plural, single, prefix string
		items                  map[string]map[string]any
	}{
		{"networks", "network", "net", f.networks},
		{"subnets", "subnet", "subnet", f.subnets},
		{"routers", "router", "router", f.routers},
		{"floatingips", "floatingip", "fip", f.fips},
		{"ports", "port", "port", f.ports},
	} {
		base := "/network/v2.0/" + c.plural
		switch {
		case p == base && r.Method == http.MethodGet:
			byName(c.items, c.plural)
		case p == base && r.Method == http.MethodPost:
			obj := body[c.single]
			switch c.single {
			case "floatingip":
				if port, _ := obj["port_id"].(string); port != "" && f.ports[port] == nil {
					reply(404, map[string]any{"NeutronError": map[string]any{"type": "PortNotFound", "message": "Port " + port + " could not be found."}})
					return true
				}
				obj["floating_ip_address"] = f.FloatingIP
			case "port":
				reply(201, map[string]any{"port": f.addPort(obj, f.VIP)})
				return true
			}
			obj["id"] = f.id(c.prefix)
			c.items[obj["id"].(string)] = obj
			reply(201, map[string]any{c.single: obj})
		case strings.HasPrefix(p, base+"/") && r.Method == http.MethodDelete && !strings.Contains(strings.TrimPrefix(p, base+"/"), "/"):
			id := strings.TrimPrefix(p, base+"/")
			if c.single == "subnet" {
				for _, port := range f.ports {
					if port["network_id"] == f.subnets[id]["network_id"] {
						reply(409, map[string]any{"NeutronError": map[string]any{"type": "SubnetInUse",
							"message": "Unable to complete operation on subnet " + id + ": One or more ports have an IP allocation from this subnet."}})
						return true
					}
				}
			}
			delete(c.items, id)
			w.WriteHeader(204)
		default:
			continue
		}
		return true
	}
	return false
}

// addPort keeps a port with one address on its network's first subnet.
func (f *Fake) addPort(port map[string]any, addr string) map[string]any {
	port["id"] = f.id("port")
	var subnet string
	for id, s := range f.subnets {
		if s["network_id"] == port["network_id"] {
			subnet = id
		}
	}
	port["fixed_ips"] = []any{map[string]any{"subnet_id": subnet, "ip_address": addr}}
	f.ports[port["id"].(string)] = port
	return port
}

// Left counts the resources the fake still holds.
func (f *Fake) Left() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.servers) + len(f.lbs) + len(f.networks) + len(f.subnets) + len(f.routers) + len(f.ports) + len(f.fips)
}

// URL returns the fake's base URL; the services are under /compute/, /network/ and /lb/.
func (f *Fake) URL() string { return f.srv.URL }

// UserData returns the decoded user data the named server was created with, nil before.
func (f *Fake) UserData(server string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, _ := base64.StdEncoding.DecodeString(f.userData[server])
	return b
}

// Resources returns copies of what the fake holds of a kind: "servers", "fips",
// "routers" or "ports".
func (f *Fake) Resources(kind string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := map[string]map[string]map[string]any{"servers": f.servers, "fips": f.fips, "routers": f.routers, "ports": f.ports}[kind]
	var out []map[string]any
	for _, v := range m {
		out = append(out, maps.Clone(v))
	}
	return out
}
