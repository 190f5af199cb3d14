package testenv

import (
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// IdleFront is a TCP front of a real server that closes client connections idle for
// longer than its idle timeout, as Apache closes keep-alive connections (after 5 s by
// default). It plays the close at its worst for a client: the front's close crosses the
// client's next request on the wire, so the client has sent a request and gets a reset
// instead of an answer. (A close the client sees in time costs it nothing: it simply
// opens a new connection. The crossing is what a client must survive, and here it
// happens on every reuse of an expired connection, not by chance.)
type IdleFront struct {
	l      net.Listener
	target string
	path   string
	idle   time.Duration

	accepted atomic.Int64
	expired  atomic.Int64

	mu     sync.Mutex
	conns  map[net.Conn]bool
	closed bool
}

// NewIdleFront fronts the host of rawURL with idle timeout idle until the test ends.
func NewIdleFront(tb testing.TB, rawURL string, idle time.Duration) *IdleFront {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	f := &IdleFront{l: l, target: u.Host, path: u.Path, idle: idle, conns: map[net.Conn]bool{}}
	go f.accept()
	tb.Cleanup(f.Stop)
	return f
}

// URL returns the fronted URL.
func (f *IdleFront) URL() string { return "http://" + f.l.Addr().String() + f.path }

// Accepted returns how many client connections the front accepted.
func (f *IdleFront) Accepted() int64 { return f.accepted.Load() }

// Expired returns how many requests arrived on a connection idle past the timeout and
// were answered with a reset.
func (f *IdleFront) Expired() int64 { return f.expired.Load() }

func (f *IdleFront) accept() {
	for {
		in, err := f.l.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", f.target)
		if err != nil {
			in.Close()
			continue
		}
		if !f.track(in, out) {
			return
		}
		f.accepted.Add(1)
		go f.serve(in, out)
	}
}

func (f *IdleFront) track(conns ...net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	for _, c := range conns {
		f.conns[c] = true
	}
	return true
}

func (f *IdleFront) forget(conns ...net.Conn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range conns {
		delete(f.conns, c)
		c.Close()
	}
}

// serve relays one client connection. Every byte either way marks the connection busy;
// bytes from the client after the idle timeout get the connection reset, unanswered.
func (f *IdleFront) serve(in, out net.Conn) {
	var last atomic.Int64
	last.Store(time.Now().UnixNano())
	defer f.forget(in, out)
	go func() {
		defer f.forget(in, out)
		buf := make([]byte, 32<<10)
		for {
			n, err := out.Read(buf)
			if n > 0 {
				last.Store(time.Now().UnixNano())
				if _, werr := in.Write(buf[:n]); werr != nil {
					return
				}
				last.Store(time.Now().UnixNano())
			}
			if err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			if time.Since(time.Unix(0, last.Load())) >= f.idle {
				f.expired.Add(1)
				if tc, ok := in.(*net.TCPConn); ok {
					_ = tc.SetLinger(0) // a reset, as for a connection the server forgot
				}
				return
			}
			last.Store(time.Now().UnixNano())
			if _, werr := out.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// Stop closes the listener and every open connection.
func (f *IdleFront) Stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	f.l.Close()
	for c := range f.conns {
		c.Close()
	}
}
