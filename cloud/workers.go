package cloud

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"kaas/kubeadm"
)

// Workers returns the names of the cluster's worker servers, by number.
func (d *Cloud) Workers(ctx context.Context, cluster string) ([]string, error) {
	_, ws, err := d.workers(ctx, cluster)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ws))
	for i, w := range ws {
		names[i] = w.server.Name
	}
	return names, nil
}

type worker struct {
	index  int
	server servers.Server
}

// workers lists the cluster's worker servers by number, with the clients it used.
func (d *Cloud) workers(ctx context.Context, cluster string) (Clients, []worker, error) {
	d.defaults()
	c, err := d.Clients(ctx)
	if err != nil {
		return Clients{}, nil, fmt.Errorf("openstack clients: %w", err)
	}
	ss, err := d.clusterServers(ctx, c.Compute, cluster)
	if err != nil {
		return Clients{}, nil, err
	}
	var ws []worker
	for _, s := range ss {
		// A worker's name is serverName's for its number.
		n, err := strconv.Atoi(s.Name[strings.LastIndexByte(s.Name, '-')+1:])
		if err != nil || serverName(cluster, kubeadm.Node{Role: kubeadm.RoleWorker, Index: n}) != s.Name {
			continue
		}
		ws = append(ws, worker{index: n, server: s})
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].index < ws[j].index })
	return c, ws, nil
}

// RemoveWorkers deletes the cluster's workers numbered keep and above, the highest
// first. Before a worker's server goes, drain takes its node out of Kubernetes (the node
// is named as the server); a drain that fails stops the removal with that worker still
// there. What is gone already is skipped, so it can run again. It returns the names of
// the servers it deleted.
func (d *Cloud) RemoveWorkers(ctx context.Context, cluster string, keep int, drain func(ctx context.Context, node string) error, progress func(msg string)) ([]string, error) {
	c, ws, err := d.workers(ctx, cluster)
	if err != nil {
		return nil, err
	}
	var removed []string
	for i := len(ws) - 1; i >= 0 && ws[i].index >= keep; i-- {
		s := ws[i].server
		if err := drain(ctx, s.Name); err != nil {
			return removed, fmt.Errorf("drain %s: %w", s.Name, err)
		}
		if err := deleteServer(ctx, c.Compute, s); err != nil {
			return removed, err
		}
		if err := d.waitServerGone(ctx, c.Compute, s); err != nil {
			return removed, err
		}
		progress("server " + s.Name + " is deleted")
		removed = append(removed, s.Name)
	}
	return removed, nil
}
