package testenv

import (
	"fmt"
	"net"
	"net/url"
	"sync"
	"testing"
)

// TCPProxy forwards loopback connections to a real server until stopped: stopping it
// makes that server unreachable, as an outage would, without disturbing other tests.
type TCPProxy struct {
	l      net.Listener
	target string
	path   string
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
	frozen bool
}

// NewTCPProxy proxies to the host of rawURL and stops when the test ends.
func NewTCPProxy(tb testing.TB, rawURL string) *TCPProxy {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &TCPProxy{l: l, target: u.Host, path: u.Path}
	go p.accept()
	tb.Cleanup(p.Stop)
	return p
}

// NewLoadBalancer listens on a free loopback port with no target yet: it refuses what it
// accepts until SetTarget names a backend, as a load balancer without healthy members.
func NewLoadBalancer(tb testing.TB) *TCPProxy {
	tb.Helper()
	p, err := ListenLoadBalancer("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Stop)
	return p
}

// ListenLoadBalancer is NewLoadBalancer on a given address, for a program that plays a
// cloud outside a Go test (cmd/kaas-testbed); Stop stops it.
func ListenLoadBalancer(addr string) (*TCPProxy, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("load balancer: %w", err)
	}
	p := &TCPProxy{l: l}
	go p.accept()
	return p, nil
}

// SetTarget sends the next connections to hostport.
func (p *TCPProxy) SetTarget(hostport string) {
	p.mu.Lock()
	p.target = hostport
	p.mu.Unlock()
}

// Port returns the port the proxy listens on.
func (p *TCPProxy) Port() int { return p.l.Addr().(*net.TCPAddr).Port }

// URL returns the proxied URL.
func (p *TCPProxy) URL() string { return "http://" + p.l.Addr().String() + p.path }

func (p *TCPProxy) accept() {
	for {
		in, err := p.l.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		target, frozen := p.target, p.frozen
		if frozen { // a black hole: the connection opens, nothing ever answers
			p.conns = append(p.conns, in)
		}
		p.mu.Unlock()
		if frozen {
			continue
		}
		if target == "" {
			in.Close()
			continue
		}
		out, err := net.Dial("tcp", target)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			in.Close()
			out.Close()
			return
		}
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		go p.pipe(out, in)
		go p.pipe(in, out)
	}
}

// pipe copies src to dst until either fails, dropping what arrives while frozen.
func (p *TCPProxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		p.mu.Lock()
		frozen := p.frozen
		p.mu.Unlock()
		if n > 0 && !frozen {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// Freeze makes the network between clients and the server go silent, as a partition or
// a dead host would: open connections stay open but carry nothing, and new ones are
// accepted and never answered. Thaw ends it (the silenced connections stay useless).
func (p *TCPProxy) Freeze() { p.mu.Lock(); p.frozen = true; p.mu.Unlock() }

// Thaw lets new connections through again after Freeze.
func (p *TCPProxy) Thaw() { p.mu.Lock(); p.frozen = false; p.mu.Unlock() }

// Stop closes the listener and every open connection.
func (p *TCPProxy) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	p.l.Close()
	for _, c := range p.conns {
		c.Close()
	}
}
