package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"kaas/config"
	"kaas/localcluster"
)

// serviceMonitorCRD is a reduced stand-in for the Prometheus Operator's ServiceMonitor CRD:
// the fields the chart writes, typed as upstream types them, and nothing else, so that a
// misspelt or mistyped field fails the strict dry-run.
//
//go:embed servicemonitor-crd.yaml
var serviceMonitorCRD []byte

// renderCase is one values file of the chart's ci/ directory and what it must render.
type renderCase struct {
	file string
	// kinds counts the objects by kind; any other kind, or another count, fails.
	kinds    map[string]int
	replicas int32
	// postgres tells whether the Deployment must run on PostgreSQL.
	postgres bool
	// clusterAddons are the add-ons new clusters get (nil: the whole catalog); catalog
	// says an operator's catalog is mounted; stale is the token store's stale window.
	clusterAddons []string
	catalog       bool
	stale         time.Duration
}

var renderCases = []renderCase{
	{
		file:     "defaults-values.yaml",
		kinds:    map[string]int{"Secret": 1, "ServiceAccount": 1, "Service": 1, "Deployment": 1, "PodDisruptionBudget": 1},
		replicas: 3, postgres: true, stale: 30 * time.Minute,
	},
	{
		file:     "existing-secrets-values.yaml",
		kinds:    map[string]int{"ServiceAccount": 1, "Service": 2, "Deployment": 1, "PodDisruptionBudget": 1},
		replicas: 3, postgres: true, stale: 30 * time.Minute,
	},
	{
		file:     "ingress-tls-values.yaml",
		kinds:    map[string]int{"Secret": 1, "ServiceAccount": 1, "Service": 1, "Deployment": 1, "PodDisruptionBudget": 1, "Ingress": 1, "NetworkPolicy": 1},
		replicas: 2, postgres: true, stale: 30 * time.Minute,
	},
	{
		file:     "servicemonitor-values.yaml",
		kinds:    map[string]int{"Secret": 2, "ServiceAccount": 1, "Service": 2, "Deployment": 1, "PersistentVolumeClaim": 1, "ServiceMonitor": 1, "NetworkPolicy": 1},
		replicas: 1, postgres: false,
		clusterAddons: []string{"cni", "ingress", "monitoring"}, catalog: true, stale: time.Hour,
	},
}

// refusedCase is a set of values that rendering must refuse with a message holding want.
type refusedCase struct {
	name string
	sets []string // on top of ci/defaults-values.yaml
	want string
}

var refusedCases = []refusedCase{
	{name: "several replicas without PostgreSQL", sets: []string{"database.dsn="}, want: "replicas=3 needs PostgreSQL"},
	{name: "several replicas without keys", sets: []string{"keys.session=", "keys.credential="}, want: "replicas=3 needs the same keys in every replica"},
	{name: "PostgreSQL without keys", sets: []string{"replicas=1", "keys.session=", "keys.credential="}, want: "keys generated in the pod's emptyDir"},
	{name: "SQLite without a volume", sets: []string{"replicas=1", "database.dsn="}, want: "persistence.enabled=true with replicas=1"},
	{name: "SQLite volume with several replicas", sets: []string{"persistence.enabled=true"}, want: "persistence (SQLite on a volume) serves one replica"},
	{name: "credential key of 16 bytes", sets: []string{"keys.credential=" + base64.StdEncoding.EncodeToString(make([]byte, 16))}, want: "keys.credential must be base64 of exactly 32 bytes"},
	{name: "session key of 16 bytes", sets: []string{"keys.session=" + base64.StdEncoding.EncodeToString(make([]byte, 16))}, want: "keys.session must be base64 of at least 32 bytes"},
	{name: "no Keystone URL", sets: []string{"keystone.url="}, want: "keystone.url is required"},
	{name: "no Keystone service account", sets: []string{"keystone.password="}, want: "the Keystone service account is required"},
	{name: "webhook TLS without a certificate", sets: []string{"webhook.tls.enabled=true", "webhook.publicURL=https://hook.example.test"}, want: "webhook.tls.enabled needs webhook.tls.cert and webhook.tls.key"},
	{name: "webhook TLS without a public URL", sets: []string{"webhook.tls.enabled=true", "webhook.tls.existingSecret=tls"}, want: "webhook.tls.enabled needs webhook.publicURL"},
	{name: "webhook both on its listener and the ingress", sets: []string{"webhook.tls.enabled=true", "webhook.tls.existingSecret=tls", "ingress.enabled=true", "ingress.host=kaas.example.test", "ingress.webhook.enabled=true", "ingress.webhook.host=hook.example.test", "ingress.webhook.tlsSecretName=hook-tls"}, want: "choose one way for the webhook"},
	{name: "misspelt value (values.schema.json)", sets: []string{"replica=2"}, want: "additional properties 'replica' not allowed"},
	{name: "env naming no variable of the binary", sets: []string{"env.FOO=1"}, want: "does not match pattern"},
	{name: "add-on list that is no list of names", sets: []string{"addons.clusters=cni;rm"}, want: "does not match pattern"},
	{name: "stale window that is no duration", sets: []string{"tokenStore.staleWindow=forever"}, want: "does not match pattern"},
	{name: "webhook ingress without TLS", sets: []string{"ingress.enabled=true", "ingress.host=kaas.example.test", "ingress.webhook.enabled=true", "ingress.webhook.host=hook.example.test"}, want: "ingress.webhook.enabled needs ingress.webhook.tlsSecretName"},
}

// object is one rendered manifest document.
type object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	raw []byte
}

func checkRendered(ctx context.Context, h helmRunner, cluster *localcluster.Cluster, work, valuesFile string, c renderCase) error {
	if err := h.lint(ctx, valuesFile); err != nil {
		return err
	}
	manifest, stderr, err := h.template(ctx, []string{valuesFile})
	if err != nil {
		return fmt.Errorf("helm template: %w\n%s", err, stderr)
	}
	objs, err := splitManifest(manifest)
	if err != nil {
		return err
	}
	kinds := map[string]int{}
	for _, o := range objs {
		kinds[o.Kind]++
	}
	if !maps.Equal(kinds, c.kinds) {
		return fmt.Errorf("rendered kinds %v, want %v", kinds, c.kinds)
	}
	secrets, err := secretData(objs)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if o.Kind != "Deployment" {
			continue
		}
		var d appsv1.Deployment
		if err := json.Unmarshal(o.raw, &d); err != nil {
			return fmt.Errorf("decode Deployment: %w", err)
		}
		if err := checkDeployment(d, c, secrets); err != nil {
			return fmt.Errorf("Deployment %s: %w", d.Name, err)
		}
	}
	file := filepath.Join(work, strings.TrimSuffix(filepath.Base(valuesFile), "-values.yaml")+".yaml")
	if err := os.WriteFile(file, []byte(manifest), 0o600); err != nil {
		return err
	}
	out, errOut, err := cluster.Kubectl(ctx, "", "apply", "--dry-run=server", "--validate=strict", "--namespace", h.namespace, "-f", file)
	if err != nil {
		if msg := strings.TrimSpace(errOut); msg != "" {
			return fmt.Errorf("server-side dry-run refused:\n%s", msg)
		}
		return fmt.Errorf("server-side dry-run: %w", err)
	}
	if n := strings.Count(out, "(server dry run)"); n != len(objs) {
		return fmt.Errorf("server-side dry-run accepted %d of %d objects:\n%s", n, len(objs), out)
	}
	return nil
}

func checkRefused(ctx context.Context, h helmRunner, c refusedCase) error {
	out, stderr, err := h.template(ctx, []string{filepath.Join(h.chart, "ci", "defaults-values.yaml")}, c.sets...)
	if err == nil {
		return fmt.Errorf("helm template accepted %v:\n%s", c.sets, out)
	}
	if !strings.Contains(stderr, c.want) {
		return fmt.Errorf("helm template refused %v without %q:\n%s", c.sets, c.want, stderr)
	}
	return nil
}

// splitManifest decodes the documents of a rendered manifest, skipping empty ones.
func splitManifest(manifest string) ([]object, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(manifest), 4096)
	var objs []object
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decode rendered manifest: %w", err)
		}
		if len(bytes.TrimSpace(raw)) == 0 || string(raw) == "null" {
			continue
		}
		var o object
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, fmt.Errorf("decode rendered object: %w", err)
		}
		o.raw = raw
		objs = append(objs, o)
	}
}

// secretData returns the data of the rendered Secrets by name, then key.
func secretData(objs []object) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, o := range objs {
		if o.Kind != "Secret" {
			continue
		}
		var s corev1.Secret
		if err := json.Unmarshal(o.raw, &s); err != nil {
			return nil, fmt.Errorf("decode Secret: %w", err)
		}
		out[s.Name] = map[string]string{}
		for k, v := range s.Data {
			out[s.Name][k] = string(v)
		}
	}
	return out, nil
}

// checkDeployment checks the replicas, the security context and probes, and that the
// binary's configuration loader accepts the container's environment and arguments, with
// the chart's Secrets resolved and stand-in values for the operator's own Secrets.
func checkDeployment(d appsv1.Deployment, c renderCase, secrets map[string]map[string]string) error {
	if d.Spec.Replicas == nil || *d.Spec.Replicas != c.replicas {
		return fmt.Errorf("replicas %v, want %d", d.Spec.Replicas, c.replicas)
	}
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		return fmt.Errorf("%d containers, want 1", len(pod.Containers))
	}
	ctr := pod.Containers[0]
	sc := ctr.SecurityContext
	psc := pod.SecurityContext
	switch {
	case psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0:
		return errors.New("the pod does not run as a non-root user")
	case sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
		return errors.New("the root filesystem is writable")
	case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
		return errors.New("privilege escalation is allowed")
	case ctr.LivenessProbe == nil || ctr.LivenessProbe.HTTPGet == nil || ctr.LivenessProbe.HTTPGet.Path != "/livez":
		return errors.New("no liveness probe on /livez")
	case ctr.ReadinessProbe == nil || ctr.ReadinessProbe.HTTPGet == nil || ctr.ReadinessProbe.HTTPGet.Path != "/readyz":
		return errors.New("no readiness probe on /readyz")
	}
	mounted, readOnly := map[string]bool{}, map[string]bool{}
	for _, m := range ctr.VolumeMounts {
		mounted[m.MountPath], readOnly[m.MountPath] = true, m.ReadOnly
	}
	for _, dir := range []string{"/var/lib/kaas", "/tmp"} {
		if !mounted[dir] {
			return fmt.Errorf("%s is not a volume: the root filesystem is read-only", dir)
		}
	}

	env := map[string]string{}
	for _, e := range ctr.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			ref := e.ValueFrom.SecretKeyRef
			if data, ok := secrets[ref.Name]; ok {
				v, ok := data[ref.Key]
				if !ok {
					return fmt.Errorf("%s reads key %q that the chart's Secret %s lacks", e.Name, ref.Key, ref.Name)
				}
				env[e.Name] = v
			} else if ref.Optional == nil || !*ref.Optional {
				env[e.Name] = standIn(e.Name)
			}
		default:
			return fmt.Errorf("%s is read from something other than a Secret", e.Name)
		}
	}
	read := map[string]bool{}
	getenv := func(name string) string { read[name] = true; return env[name] }
	cfg, err := config.Load(ctr.Args, getenv)
	if err != nil {
		return fmt.Errorf("the binary refuses this configuration: %w", err)
	}
	for _, name := range slices.Sorted(maps.Keys(env)) {
		if !read[name] {
			return fmt.Errorf("environment variable %s is not read by the binary", name)
		}
	}
	if c.postgres != (cfg.DatabaseDSN != "") {
		return fmt.Errorf("runs on PostgreSQL: %t, want %t", cfg.DatabaseDSN != "", c.postgres)
	}
	if c.replicas > 1 && (len(cfg.SessionKey) == 0 || len(cfg.CredentialKey) == 0) {
		return errors.New("several replicas without the session and credential keys")
	}
	if !slices.Equal(cfg.Addons.Defaults, c.clusterAddons) {
		return fmt.Errorf("new clusters get add-ons %q, want %q", cfg.Addons.Defaults, c.clusterAddons)
	}
	if dir := cfg.Addons.CatalogDir; (dir != "") != c.catalog || dir != "" && !readOnly[dir] {
		return fmt.Errorf("add-on catalog directory %q (mounted read-only: %t), want a catalog: %t", dir, readOnly[dir], c.catalog)
	}
	if cfg.TokenStoreStale != c.stale {
		return fmt.Errorf("token store stale window %v, want %v", cfg.TokenStoreStale, c.stale)
	}
	return nil
}

// standIn is a value of the right form for a variable read from an operator's own Secret.
func standIn(name string) string {
	switch name {
	case "KAAS_SESSION_KEY", "KAAS_CREDENTIAL_KEY":
		return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	case "KAAS_DATABASE_DSN":
		return "host=postgres dbname=kaas"
	default:
		return "stand-in"
	}
}
