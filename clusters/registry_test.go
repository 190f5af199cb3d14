package clusters_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"kaas/clusters"
	"kaas/models"
)

// memoryStore is a Store over maps.
type memoryStore struct {
	clusters map[string]models.Cluster
	active   map[string]string
}

func newMemoryStore(cs ...models.Cluster) *memoryStore {
	s := &memoryStore{clusters: map[string]models.Cluster{}, active: map[string]string{}}
	for _, c := range cs {
		s.clusters[c.ID] = c
	}
	return s
}

func (s *memoryStore) CreateCluster(ctx context.Context, c *models.Cluster) error {
	s.clusters[c.ID] = *c
	return nil
}

func (s *memoryStore) Clusters(ctx context.Context) ([]models.Cluster, error) {
	var out []models.Cluster
	for _, c := range s.clusters {
		out = append(out, c)
	}
	return out, nil
}

func (s *memoryStore) Cluster(ctx context.Context, id string) (*models.Cluster, error) {
	c, ok := s.clusters[id]
	if !ok {
		return nil, models.Errorf(models.CodeNotFound, "cluster not found")
	}
	return &c, nil
}

func (s *memoryStore) ClusterByName(ctx context.Context, name string) (*models.Cluster, error) {
	for _, c := range s.clusters {
		if c.Name == name {
			return &c, nil
		}
	}
	return nil, models.Errorf(models.CodeNotFound, "cluster not found")
}

func (s *memoryStore) UpdateCluster(ctx context.Context, c *models.Cluster) error {
	s.clusters[c.ID] = *c
	return nil
}

func (s *memoryStore) WebhookClusterName(ctx context.Context, hash []byte) (string, error) {
	return "", nil
}

func (s *memoryStore) ActiveClusterID(ctx context.Context, userID string) (string, error) {
	return s.active[userID], nil
}

func (s *memoryStore) SetActiveClusterID(ctx context.Context, userID, clusterID string) error {
	s.active[userID] = clusterID
	return nil
}

// prefixSealer "seals" by prefixing the AAD, so that opening with another AAD fails.
type prefixSealer struct{}

func (prefixSealer) Seal(plaintext, aad []byte) ([]byte, error) {
	return append(append(append([]byte{}, aad...), '|'), plaintext...), nil
}

func (prefixSealer) Open(sealed, aad []byte) ([]byte, error) {
	rest, ok := bytes.CutPrefix(sealed, append(append([]byte{}, aad...), '|'))
	if !ok {
		return nil, errors.New("message authentication failed")
	}
	return rest, nil
}

// ensuredRoles is a Roles that makes every role asked for, with ID "id-" + name.
type ensuredRoles struct{ made []string }

func (r *ensuredRoles) EnsureRole(ctx context.Context, name string) (models.Role, error) {
	r.made = append(r.made, name)
	return models.Role{ID: "id-" + name, Name: name}, nil
}

// scriptedKube is a Kube whose clusters answer as scripted; it records each kubeconfig
// it connected with.
type scriptedKube struct {
	client     *scriptedClient
	connectErr error
	connected  [][]byte
}

func (k *scriptedKube) Connect(kubeconfig []byte) (clusters.Client, clusters.Endpoint, error) {
	k.connected = append(k.connected, kubeconfig)
	if k.connectErr != nil {
		return nil, clusters.Endpoint{}, k.connectErr
	}
	return k.client, clusters.Endpoint{APIURL: "https://api.example.com:6443", CAPEM: "CA"}, nil
}

// scriptedClient answers the registry's own checks; the RBAC and Velero parts are not
// used by the registry and stay nil.
type scriptedClient struct {
	clusters.Client
	version    string
	versionErr error
	healthy    bool
	message    string
	nodes      []models.KubeNode
	healthAsks int
}

func (c *scriptedClient) ServerVersion(ctx context.Context) (string, error) {
	return c.version, c.versionErr
}

func (c *scriptedClient) Health(ctx context.Context) (bool, string) {
	c.healthAsks++
	return c.healthy, c.message
}

func (c *scriptedClient) Nodes(ctx context.Context) ([]models.KubeNode, error) { return c.nodes, nil }

func storedCluster(name string) models.Cluster {
	id := uuid.NewString()
	kc, _ := prefixSealer{}.Seal([]byte("kubeconfig of "+name), []byte(id))
	return models.Cluster{ID: id, Name: name, BaseDomain: "example.com", Credential: kc, UpdatedAt: time.Unix(1000, 0)}
}

// TestClientIsKeptUntilTheClusterChanges connects once per cluster version, with the
// cluster's own decrypted kubeconfig.
func TestClientIsKeptUntilTheClusterChanges(t *testing.T) {
	c := storedCluster("prod")
	kube := &scriptedKube{client: &scriptedClient{}}
	reg := clusters.New(newMemoryStore(c), prefixSealer{}, nil, kube, clusters.Options{})
	steps := []struct {
		name          string
		updatedAt     time.Time
		wantConnected int
	}{
		{"first use connects", c.UpdatedAt, 1},
		{"same version reuses", c.UpdatedAt, 1},
		{"changed row reconnects", c.UpdatedAt.Add(time.Second), 2},
		{"then reuses again", c.UpdatedAt.Add(time.Second), 2},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			c.UpdatedAt = st.updatedAt
			got, err := reg.Client(&c)
			if err != nil || got != kube.client {
				t.Fatalf("Client = %v, %v", got, err)
			}
			if len(kube.connected) != st.wantConnected || string(kube.connected[len(kube.connected)-1]) != "kubeconfig of prod" {
				t.Fatalf("connected %d times (%q), want %d", len(kube.connected), kube.connected, st.wantConnected)
			}
		})
	}
}

func TestClientErrors(t *testing.T) {
	tests := []struct {
		name    string
		cluster func() models.Cluster
		kube    *scriptedKube
	}{
		{"credential sealed for another cluster", func() models.Cluster {
			c := storedCluster("prod")
			c.Credential, _ = prefixSealer{}.Seal([]byte("kc"), []byte("other-id"))
			return c
		}, &scriptedKube{client: &scriptedClient{}}},
		{"kubeconfig refused", func() models.Cluster { return storedCluster("prod") },
			&scriptedKube{connectErr: models.Errorf(models.CodeInvalid, "the kubeconfig cannot be used")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cluster()
			reg := clusters.New(newMemoryStore(c), prefixSealer{}, nil, tt.kube, clusters.Options{})
			if got, err := reg.Client(&c); err == nil || got != nil {
				t.Fatalf("Client = %v, %v; want an error", got, err)
			}
			if h := reg.Health(context.Background(), &c); h.Healthy || h.Message == "" {
				t.Fatalf("Health = %+v, want unhealthy with the reason", h)
			}
		})
	}
}

func TestHealth(t *testing.T) {
	tests := []struct {
		name        string
		client      *scriptedClient
		wantHealthy bool
		wantVersion string
	}{
		{"healthy with its version", &scriptedClient{healthy: true, message: "ok", version: "v1.31.2"}, true, "v1.31.2"},
		{"healthy, version unknown", &scriptedClient{healthy: true, message: "ok", versionErr: errors.New("timeout")}, true, ""},
		{"unhealthy asks no version", &scriptedClient{message: "etcd failed", version: "v1.31.2"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := storedCluster("prod")
			reg := clusters.New(newMemoryStore(c), prefixSealer{}, nil, &scriptedKube{client: tt.client}, clusters.Options{})
			h := reg.Health(context.Background(), &c)
			if h.Healthy != tt.wantHealthy || h.Version != tt.wantVersion || h.Message != tt.client.message || h.CheckedAt.IsZero() {
				t.Fatalf("Health = %+v", h)
			}
			// Pages of many users ask at once: a second ask within seconds reuses the answer.
			if again := reg.Health(context.Background(), &c); again != h || tt.client.healthAsks != 1 {
				t.Fatalf("second Health = %+v after %d asks", again, tt.client.healthAsks)
			}
		})
	}
}

func TestAdopt(t *testing.T) {
	existing := storedCluster("taken")
	valid := clusters.AdoptInput{Name: " prod ", BaseDomain: "Example.COM", Kubeconfig: []byte("kc")}
	tests := []struct {
		name      string
		in        clusters.AdoptInput
		client    *scriptedClient
		wantCode  models.Code
		wantRoles []string // the cluster's admin role IDs
		wantMade  []string // roles made in Keystone
	}{
		{"makes the admin role", valid, &scriptedClient{version: "v1.31.0"}, "", []string{"id-prod-cluster-admin"}, []string{"prod-cluster-admin"}},
		{"keeps given admin roles", clusters.AdoptInput{Name: "prod", BaseDomain: "example.com", Kubeconfig: []byte("kc"), AdminRoleIDs: []string{"r1"}},
			&scriptedClient{version: "v1.31.0"}, "", []string{"r1"}, nil},
		{"cluster does not answer", valid, &scriptedClient{versionErr: models.Errorf(models.CodeUnavailable, "the cluster's API is unreachable")}, models.CodeInvalid, nil, nil},
		{"name taken", clusters.AdoptInput{Name: "taken", BaseDomain: "example.com", Kubeconfig: []byte("kc")}, &scriptedClient{}, models.CodeConflict, nil, nil},
		{"bad name", clusters.AdoptInput{Name: "Prod_1", BaseDomain: "example.com", Kubeconfig: []byte("kc")}, &scriptedClient{}, models.CodeInvalid, nil, nil},
		{"bad domain", clusters.AdoptInput{Name: "prod", BaseDomain: "exa mple", Kubeconfig: []byte("kc")}, &scriptedClient{}, models.CodeInvalid, nil, nil},
		{"blank admin role", clusters.AdoptInput{Name: "prod", BaseDomain: "example.com", Kubeconfig: []byte("kc"), AdminRoleIDs: []string{" "}}, &scriptedClient{}, models.CodeInvalid, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newMemoryStore(existing)
			roles := &ensuredRoles{}
			reg := clusters.New(store, prefixSealer{}, roles, &scriptedKube{client: tt.client}, clusters.Options{})
			c, err := reg.Adopt(context.Background(), tt.in)
			if got := models.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if tt.wantCode != "" {
				if len(store.clusters) != 1 || len(roles.made) != 0 {
					t.Fatalf("a refused adoption stored %d clusters, made roles %v", len(store.clusters), roles.made)
				}
				return
			}
			stored, err := store.Cluster(context.Background(), c.ID)
			if err != nil || stored.Name != "prod" || stored.BaseDomain != "example.com" || stored.APIURL != "https://api.example.com:6443" ||
				stored.Driver != "existing" || stored.Size != models.DefaultClusterSize || !equal(stored.AdminRoleIDs, tt.wantRoles) || !equal(roles.made, tt.wantMade) {
				t.Fatalf("stored %+v, made roles %v", stored, roles.made)
			}
			if kc, err := reg.Kubeconfig(stored); err != nil || string(kc) != "kc" {
				t.Fatalf("the credential is not sealed for the cluster: %q, %v", kc, err)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestAccess(t *testing.T) {
	scope := []models.ScopeRef{{Kind: models.ScopeProject, Ref: "ops", Domain: "Default"}}
	onOps := models.Scope{Kind: models.ScopeProject, ID: "p1", Name: "ops", DomainID: "default", DomainName: "Default"}
	elsewhere := models.Scope{Kind: models.ScopeProject, ID: "p2", Name: "dev", DomainID: "default", DomainName: "Default"}
	holding := func(role string, s models.Scope) models.Identity {
		return models.Identity{Assignments: []models.Assignment{{RoleID: "id-" + role, RoleName: role, Scope: s}}}
	}
	c := &models.Cluster{AdminRoleIDs: []string{"id-prod-cluster-admin"}}
	tests := []struct {
		name            string
		id              models.Identity
		operator, admin bool
	}{
		{"operator role on the scope", holding("admin", onOps), true, false},
		{"operator role elsewhere", holding("admin", elsewhere), false, false},
		{"cluster admin role on the scope", holding("prod-cluster-admin", onOps), false, true},
		{"cluster admin role elsewhere", holding("prod-cluster-admin", elsewhere), false, false},
		{"nothing", models.Identity{}, false, false},
	}
	reg := clusters.New(newMemoryStore(), prefixSealer{}, nil, nil, clusters.Options{RoleScope: scope})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reg.IsOperator(tt.id); got != tt.operator {
				t.Errorf("IsOperator = %v, want %v", got, tt.operator)
			}
			if got := reg.IsAdmin(tt.id, c); got != tt.admin {
				t.Errorf("IsAdmin = %v, want %v", got, tt.admin)
			}
		})
	}
	if reg.IsAdmin(holding("prod-cluster-admin", onOps), nil) {
		t.Error("IsAdmin of no cluster")
	}
}

func TestIssueWebhookKubeconfig(t *testing.T) {
	tests := []struct {
		name        string
		webhook     clusters.Webhook
		wantCode    models.Code
		wantServer  string
		identifying bool
	}{
		{"https", clusters.Webhook{URL: "https://panel.example.com/", CAPEM: "CA"}, "", "https://panel.example.com/authenticate/prod", true},
		{"plain http refused", clusters.Webhook{URL: "http://panel.example.com"}, models.CodeConflict, "", false},
		{"plain http allowed for loopback demos", clusters.Webhook{URL: "http://127.0.0.1:8080", AllowInsecure: true}, "", "http://127.0.0.1:8080/authenticate/prod", false},
		{"no webhook URL", clusters.Webhook{}, models.CodeConflict, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := storedCluster("prod")
			store := newMemoryStore(c)
			reg := clusters.New(store, prefixSealer{}, nil, nil, clusters.Options{Webhook: tt.webhook})
			kc, err := reg.IssueWebhookKubeconfig(context.Background(), c.ID)
			if got := models.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if reg.WebhookIdentifiesClusters() != tt.identifying {
				t.Errorf("WebhookIdentifiesClusters = %v", !tt.identifying)
			}
			hash := store.clusters[c.ID].WebhookTokenHash
			if tt.wantCode != "" {
				if hash != nil || kc != nil {
					t.Fatalf("a refusal made a credential (hash %x) or kubeconfig %q", hash, kc)
				}
				return
			}
			if len(hash) != 32 || !bytes.Contains(kc, []byte("server: "+tt.wantServer)) || !bytes.Contains(kc, []byte("token: kaaswh_")) {
				t.Fatalf("hash %x, kubeconfig:\n%s", hash, kc)
			}
		})
	}
}
