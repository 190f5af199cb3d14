package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"

	"kaas/internal/cloudplay"
	"kaas/internal/openstackfake"
	"kaas/internal/testenv"
)

// fakeCloud is what the --openstack-fake mode needs.
type fakeCloud struct {
	region string
	lbPort int
	binDir string
	dir    string
	// keystone is the real Keystone's admin, whose catalog gets the fake's endpoints.
	keystone testenv.KeystoneEnv
}

// runFakeCloud starts the FAKE OpenStack cloud (internal/openstackfake), registers its
// compute, network and load-balancer endpoints in the real Keystone's catalog under the
// region, listens as the clusters' load balancer on the port, and plays the first master
// of every cluster the panel creates there (internal/cloudplay; the load balancer routes
// to the newest). It writes a self-signed certificate for the panel's TLS webhook
// listener, which the openstack driver requires, prints one JSON line with the region,
// port and certificate, then {"ready":true}, and runs until ctx ends.
func runFakeCloud(ctx context.Context, f fakeCloud) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return err
	}
	fake := openstackfake.Start()
	defer fake.Close()
	// The played masters listen on loopback, where the load balancer is.
	fake.FloatingIP = "127.0.0.1"
	lb, err := testenv.ListenLoadBalancer("127.0.0.1:" + strconv.Itoa(f.lbPort))
	if err != nil {
		return err
	}
	defer lb.Stop()
	remove, err := testenv.RegisterEndpointsAs(ctx, f.keystone, f.region, map[string]string{
		"compute": fake.URL() + "/compute/", "network": fake.URL() + "/network/", "load-balancer": fake.URL() + "/lb/",
	})
	defer remove()
	if err != nil {
		return fmt.Errorf("register the fake cloud in Keystone: %w", err)
	}
	cert, key, err := testenv.WriteSelfSignedCert(f.dir)
	if err != nil {
		return err
	}
	ready := struct {
		Region         string `json:"region"`
		APIPort        int    `json:"apiPort"`
		WebhookTLSCert string `json:"webhookTLSCert"`
		WebhookTLSKey  string `json:"webhookTLSKey"`
	}{f.region, lb.Port(), cert, key}
	if err := json.NewEncoder(os.Stdout).Encode(ready); err != nil {
		return err
	}
	fmt.Println(`{"ready":true}`)
	log.Info("fake cloud ready: its first masters are played", "region", f.region, "cloud", fake.URL(), "load-balancer-port", lb.Port())
	player := &cloudplay.Player{Cloud: fake, LB: lb, BinDir: f.binDir, Dir: filepath.Join(f.dir, "played"), Log: log}
	return player.Run(ctx)
}
