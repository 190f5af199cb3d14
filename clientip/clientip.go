// Package clientip tells which address a request comes from: the connection's peer, or,
// when that peer is one of the configured trusted proxies, the address the proxies put in
// X-Forwarded-For. A header from anyone else is ignored, so a client cannot pick the
// address it is throttled under.
package clientip

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver finds a request's client address.
type Resolver struct {
	// Trusted are the networks of reverse proxies whose X-Forwarded-For is believed.
	Trusted []netip.Prefix
}

// Address returns the client's address. Behind trusted proxies it is the right-most
// X-Forwarded-For entry that is not itself a trusted proxy: entries further left were
// written by the client and prove nothing.
func (r Resolver) Address(req *http.Request) netip.Addr {
	peer := parse(req.RemoteAddr)
	if !r.trusted(peer) {
		return peer
	}
	hops := forwardedFor(req.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			return peer // a garbled hop: stop believing what lies left of it
		}
		a = a.Unmap()
		if !r.trusted(a) {
			return a
		}
		peer = a
	}
	return peer
}

func (r Resolver) trusted(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range r.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func forwardedFor(values []string) []string {
	var out []string
	for _, v := range values {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				out = append(out, h)
			}
		}
	}
	return out
}

func parse(hostport string) netip.Addr {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}
