package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"

	"kaas/internal/loadgen"
	"kaas/internal/secretscan"
)

// unreachableKubeconfig is an admin kubeconfig of a cluster that never answers: an https
// URL on a loopback port where nothing listens, a CA of its own and a random bearer
// token. A job provisioning it waits for the API (attempts every 2 s, a warning every
// 30 s) until it is cancelled: the live job the subscriptions follow.
func unreachableKubeconfig(sec *secrets) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a closed port: %w", err)
	}
	addr := l.Addr().String()
	l.Close()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kaas-soak-ca"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", fmt.Errorf("make a CA: %w", err)
	}
	ca := base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	bearer := make([]byte, 24)
	_, _ = rand.Read(bearer)
	sec.add(secretscan.KindKubeconfigKey, hex.EncodeToString(bearer))
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: soak
  cluster:
    server: https://%s
    certificate-authority-data: %s
users:
- name: soak
  user:
    token: %s
contexts:
- name: soak
  context:
    cluster: soak
    user: soak
current-context: soak
`, addr, ca, hex.EncodeToString(bearer)), nil
}

// job is a provisioning job as the soak reads it.
type job struct {
	ID, Status, StepName, ClusterID, Error string
}

const jobFields = `id status stepName clusterId error`

// startJob has the operator provision a cluster that never answers (driver EXISTING,
// admin oscar) and waits until its job waits for the API.
func startJob(ctx context.Context, oscar *loadgen.GraphQL, sec *secrets) (job, error) {
	kc, err := unreachableKubeconfig(sec)
	if err != nil {
		return job{}, err
	}
	name := make([]byte, 4)
	_, _ = rand.Read(name)
	var out struct{ ProvisionCluster job }
	err = oscar.Do(ctx, `mutation($i:ProvisionClusterInput!){provisionCluster(input:$i){`+jobFields+`}}`, map[string]any{"i": map[string]any{
		"name": "soak-" + hex.EncodeToString(name), "baseDomain": "soak.test", "driver": "EXISTING", "adminUser": "oscar", "kubeconfig": kc,
	}}, &out)
	if err != nil {
		return job{}, fmt.Errorf("provision the soak's cluster: %w", err)
	}
	return waitJob(ctx, oscar, out.ProvisionCluster.ID, time.Minute, func(j job) bool { return j.StepName == "wait-for-api" || j.Status != "queued" && j.Status != "running" })
}

// waitJob polls the job until done says so or the deadline passes.
func waitJob(ctx context.Context, c *loadgen.GraphQL, id string, deadline time.Duration, done func(job) bool) (job, error) {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	for {
		var out struct{ Job *job }
		if err := c.Do(ctx, `query($id:ID!){job(id:$id){`+jobFields+`}}`, map[string]any{"id": id}, &out); err != nil {
			return job{}, fmt.Errorf("read job %s: %w", id, err)
		}
		if out.Job == nil {
			return job{}, fmt.Errorf("job %s is gone", id)
		}
		if done(*out.Job) {
			return *out.Job, nil
		}
		select {
		case <-ctx.Done():
			return job{}, fmt.Errorf("job %s still %s at step %s after %s", id, out.Job.Status, out.Job.StepName, deadline)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// removeJob cancels the soak's job and deletes what it made (its Keystone role).
// It returns why the delete job failed before it was resumed, if it was.
func removeJob(ctx context.Context, oscar *loadgen.GraphQL, j job) (retried []string, err error) {
	final := func(j job) bool {
		return j.Status == "succeeded" || j.Status == "failed" || j.Status == "cancelled"
	}
	if err := oscar.Do(ctx, `mutation($id:ID!){cancelJob(id:$id){id}}`, map[string]any{"id": j.ID}, nil); err != nil {
		// It may have ended by itself (the wait for the API times out after 10 minutes).
		if cur, rerr := waitJob(ctx, oscar, j.ID, time.Second, final); rerr != nil || cur.Status == "succeeded" {
			return nil, fmt.Errorf("cancel the soak's job: %w", err)
		}
	}
	if _, err := waitJob(ctx, oscar, j.ID, time.Minute, final); err != nil {
		return nil, err
	}
	var out struct{ DeleteCluster job }
	if err := oscar.Do(ctx, `mutation($id:ID!){deleteCluster(id:$id){`+jobFields+`}}`, map[string]any{"id": j.ClusterID}, &out); err != nil {
		return nil, fmt.Errorf("delete the soak's cluster: %w", err)
	}
	// The shared test Keystone (SQLite) may refuse a write under concurrent load: the
	// delete job is durable, so resume it at its failed step, a few times.
	var errs []string
	for attempt := 1; ; attempt++ {
		d, err := waitJob(ctx, oscar, out.DeleteCluster.ID, 2*time.Minute, final)
		switch {
		case err != nil:
			return errs, err
		case d.Status == "succeeded":
			return errs, nil
		case attempt == 3 || d.Status != "failed":
			return errs, fmt.Errorf("deleting the soak's cluster ended %s: %s", d.Status, strings.Join(append(errs, d.StepName+": "+d.Error), "; "))
		}
		errs = append(errs, d.StepName+": "+d.Error)
		if err := oscar.Do(ctx, `mutation($id:ID!){retryJob(id:$id){id}}`, map[string]any{"id": d.ID}, nil); err != nil {
			return errs, fmt.Errorf("retry deleting the soak's cluster: %w (it failed at %s)", err, strings.Join(errs, "; "))
		}
	}
}
