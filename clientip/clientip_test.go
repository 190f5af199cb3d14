package clientip

import (
	"net/http"
	"net/netip"
	"testing"
)

func TestAddress(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32")}
	cases := []struct {
		name    string
		trusted []netip.Prefix
		remote  string
		xff     []string
		want    string
	}{
		{"no proxies: the peer", nil, "203.0.113.7:5555", nil, "203.0.113.7"},
		{"no proxies: a forged header is ignored", nil, "203.0.113.7:5555", []string{"1.2.3.4"}, "203.0.113.7"},
		{"untrusted peer: header ignored", proxies, "203.0.113.7:5555", []string{"1.2.3.4"}, "203.0.113.7"},
		{"trusted proxy: the client it saw", proxies, "10.1.2.3:443", []string{"198.51.100.9"}, "198.51.100.9"},
		{"client-written entries left of the proxy's are ignored", proxies, "10.1.2.3:443", []string{"1.2.3.4, 198.51.100.9"}, "198.51.100.9"},
		{"a chain of trusted proxies is walked", proxies, "10.1.2.3:443", []string{"198.51.100.9, 192.0.2.1", "10.9.9.9"}, "198.51.100.9"},
		{"garbage stops the walk", proxies, "10.1.2.3:443", []string{"1.2.3.4, not-an-ip"}, "10.1.2.3"},
		{"only proxies: the left-most proxy", proxies, "10.1.2.3:443", []string{"10.0.0.1"}, "10.0.0.1"},
		{"IPv6 peer", nil, "[2001:db8::1]:80", nil, "2001:db8::1"},
		{"IPv4-mapped IPv6 is unmapped", proxies, "[::ffff:10.1.2.3]:80", []string{"198.51.100.9"}, "198.51.100.9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: c.remote, Header: http.Header{}}
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := (Resolver{Trusted: c.trusted}).Address(r).String(); got != c.want {
				t.Fatalf("Address = %s; want %s", got, c.want)
			}
		})
	}
}
