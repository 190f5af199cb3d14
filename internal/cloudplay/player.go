package cloudplay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Cloud is what a Player watches: the FAKE cloud's servers and their user data
// (openstackfake.Fake).
type Cloud interface {
	Resources(kind string) []map[string]any
	UserData(server string) []byte
}

// LoadBalancer is the one TCP load balancer in front of the played API servers
// (testenv.TCPProxy): every cluster of the fake cloud has its API at the same floating IP
// and port.
type LoadBalancer interface {
	SetTarget(hostport string)
}

// Player plays the first master of every cluster it sees the panel create on the fake
// cloud, and points the load balancer at the newest one, so only the cluster created last
// has a reachable API. A first master whose server is deleted is stopped.
type Player struct {
	Cloud  Cloud
	LB     LoadBalancer
	BinDir string
	// Dir holds one state directory per played master.
	Dir string
	// Every is how often the cloud is looked at; 0 means 500 ms.
	Every time.Duration
	Log   *slog.Logger // nil discards

	masters map[string]*Master
	boots   int
}

// Run plays first masters until ctx ends, then stops them all.
func (p *Player) Run(ctx context.Context) error {
	if p.Log == nil {
		p.Log = slog.New(slog.DiscardHandler)
	}
	every := p.Every
	if every == 0 {
		every = 500 * time.Millisecond
	}
	p.masters = map[string]*Master{}
	failed := map[string]bool{}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return p.stopAll()
		case <-tick.C:
		}
		var servers []string
		for _, s := range p.Cloud.Resources("servers") {
			if name, _ := s["name"].(string); IsFirstMaster(name) {
				servers = append(servers, name)
			}
		}
		for name, m := range p.masters {
			if !slices.Contains(servers, name) {
				p.Log.Info("the server of a played first master is deleted: stopping it", "server", name)
				if err := m.Cluster.Stop(); err != nil {
					p.Log.Error("stop a played first master", "server", name, "err", err)
				}
				delete(p.masters, name)
			}
		}
		for _, name := range servers {
			if p.masters[name] != nil || failed[name] {
				continue
			}
			if err := p.boot(ctx, name); err != nil {
				// Not tried again: the panel's job times out waiting for the API and says so.
				failed[name] = true
				p.Log.Error("play a first master", "server", name, "err", err)
			}
		}
	}
}

// boot plays the named first master and routes the load balancer to it.
func (p *Player) boot(ctx context.Context, server string) error {
	userData := p.Cloud.UserData(server)
	if len(userData) == 0 {
		return fmt.Errorf("server %s has no user data", server)
	}
	p.boots++
	start := time.Now()
	bctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	m, err := BootFirstMaster(bctx, userData, p.BinDir, filepath.Join(p.Dir, fmt.Sprintf("%s-%d", server, p.boots)), server)
	if err != nil {
		return err
	}
	p.masters[server] = m
	p.LB.SetTarget(strings.TrimPrefix(m.Cluster.APIURL(), "https://"))
	p.Log.Info("played first master is up behind the load balancer", "server", server, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func (p *Player) stopAll() error {
	var errs []error
	for name, m := range p.masters {
		if err := m.Cluster.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}
