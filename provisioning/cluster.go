package provisioning

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"kaas/kube"
	"kaas/models"
)

// Job kinds of the cluster lifecycle.
const (
	KindClusterCreate = "cluster.create"
	KindClusterDelete = "cluster.delete"
)

// DriverExisting adopts a running cluster: bootstrap steps only.
const DriverExisting = "existing"

// Drivers returns the drivers this panel can provision with.
func (cj *ClusterJobs) Drivers() []string {
	out := []string{DriverExisting}
	if cj.Local.Enabled() {
		out = append(out, DriverLocal)
	}
	if cj.OpenStack.Enabled() {
		out = append(out, DriverOpenStack)
	}
	return out
}

// Keystone is what the cluster jobs do in Keystone.
type Keystone interface {
	UserByName(ctx context.Context, name, domain string) (models.Identity, error)
	EnsureRole(ctx context.Context, name string) (models.Role, error)
	RoleByName(ctx context.Context, name string) (models.Role, error)
	AssignRoleOnScope(ctx context.Context, roleID, userID string, scope models.ScopeRef) error
	DeleteRole(ctx context.Context, roleID string) error
}

// ClusterStore is the cluster registry's persistence.
type ClusterStore interface {
	Cluster(ctx context.Context, id string) (*models.Cluster, error)
	ClusterByName(ctx context.Context, name string) (*models.Cluster, error)
	CreateCluster(ctx context.Context, c *models.Cluster) error
	UpdateCluster(ctx context.Context, c *models.Cluster) error
	DeleteCluster(ctx context.Context, id string) error
}

// Sealer encrypts the admin kubeconfig carried in a job's arguments.
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Open(sealed, aad []byte) ([]byte, error)
}

// Connector makes clients from an admin kubeconfig.
type Connector interface {
	Clients(kubeconfig []byte) (kubernetes.Interface, dynamic.Interface, error)
}

// ClusterJobs defines the steps of creating and deleting clusters.
type ClusterJobs struct {
	Keystone Keystone
	Store    ClusterStore
	Sealer   Sealer
	Kube     Connector
	// AdminRoleTemplate names a cluster's admin role; %s is the cluster name (default
	// models.DefaultAdminRoleTemplate).
	AdminRoleTemplate string
	// Forget drops a user's cached identity, so a new role shows at once.
	Forget func(userID string)
	// AdminScope is where a new cluster's admin role is assigned: the first scope of the
	// panel's role scope, the only scopes where the registry counts it.
	AdminScope models.ScopeRef
	// Local runs clusters on this host; nil or unconfigured disables the local driver.
	Local *LocalDriver
	// OpenStack builds clusters in the cloud; nil or unconfigured disables the driver.
	OpenStack *OpenStackDriver
	// Kubeadm is what the nodes of the clusters kubeadm builds (openstack) are told.
	Kubeadm KubeadmSettings
	// Addons installs the managed-services catalog; nil installs none.
	Addons AddonInstaller
}

// KubeadmSettings are the panel's settings for the clusters kubeadm builds.
type KubeadmSettings struct {
	KubernetesVersion string
	PodSubnet         string
	ServiceSubnet     string
	// CNIManifest is applied by the first master when set.
	CNIManifest string
	// WebhookURL is where the clusters' kube-apiservers reach the panel's webhook
	// (https: kube-apiserver sends a credential over TLS only); WebhookCAPEM is the CA of
	// its certificate, empty when the system roots verify it.
	WebhookURL   string
	WebhookCAPEM string
}

// CreateArgs are a cluster.create job's arguments. The kubeconfig is sealed with the
// cluster ID as associated data, so the registry can keep the same bytes.
type CreateArgs struct {
	ClusterID        string             `json:"clusterId"`
	Name             string             `json:"name"`
	BaseDomain       string             `json:"baseDomain"`
	Driver           string             `json:"driver"`
	AdminUser        string             `json:"adminUser"`
	AdminDomain      string             `json:"adminDomain"`
	Size             models.ClusterSize `json:"size"`
	SealedKubeconfig []byte             `json:"sealedKubeconfig"`
	// SealedPKI is the cluster's kubeadm PKI (openstack), sealed like the kubeconfig.
	SealedPKI []byte `json:"sealedPki,omitempty"`
}

// CreateRequest is an operator's request for a cluster.
type CreateRequest struct {
	Name, BaseDomain, Driver, AdminUser string
	// Kubeconfig is the admin kubeconfig of an existing cluster.
	Kubeconfig []byte
	// Size defaults to models.DefaultClusterSize.
	Size *models.ClusterSize
}

// DeleteArgs are a cluster.delete job's arguments.
type DeleteArgs struct {
	ClusterID string `json:"clusterId"`
	Name      string `json:"name"`
	// Driver removes the infrastructure of a cluster that was never registered.
	Driver string `json:"driver,omitempty"`
}

// Register adds the cluster job kinds to the engine.
func (cj *ClusterJobs) Register(e *Engine) {
	e.Register(KindClusterCreate, []Step{
		{Name: "validate", Timeout: time.Minute, Run: cj.validate},
		{Name: "keystone-admin-role", Timeout: 2 * time.Minute, Run: cj.adminRole},
		{Name: "infrastructure", Timeout: 30 * time.Minute, Run: cj.infrastructure},
		{Name: "wait-for-api", Timeout: 10 * time.Minute, Run: cj.waitForAPI},
		{Name: "addons", Timeout: 10 * time.Minute, Run: cj.installAddons},
		{Name: "bootstrap", Timeout: 5 * time.Minute, Run: cj.bootstrap},
		{Name: "register", Timeout: time.Minute, Run: cj.register},
	})
	e.Register(KindClusterDelete, []Step{
		{Name: "mark-deleting", Timeout: time.Minute, Run: cj.markDeleting},
		{Name: "remove-bootstrap", Timeout: 2 * time.Minute, Run: cj.removeBootstrap},
		{Name: "remove-infrastructure", Timeout: 15 * time.Minute, Run: cj.removeInfrastructure},
		{Name: "keystone-admin-role", Timeout: 2 * time.Minute, Run: cj.deleteAdminRole},
		{Name: "unregister", Timeout: time.Minute, Run: cj.unregister},
	})
	e.Register(KindClusterAddon, cj.addonSteps())
}

// NewCreateArgs validates a provisioning request and seals its secrets (an existing
// cluster's kubeconfig, a new cluster's PKI). Bad input is INVALID, before any job exists.
func (cj *ClusterJobs) NewCreateArgs(ctx context.Context, req CreateRequest) (CreateArgs, error) {
	a := CreateArgs{ClusterID: uuid.NewString(), Name: strings.TrimSpace(req.Name), BaseDomain: strings.ToLower(strings.TrimSpace(req.BaseDomain)),
		Driver: req.Driver, AdminUser: strings.TrimSpace(req.AdminUser), AdminDomain: "Default", Size: models.DefaultClusterSize}
	if req.Size != nil {
		a.Size = *req.Size
	}
	if err := a.Size.Validate(); err != nil {
		return CreateArgs{}, err
	}
	if err := cj.checkFree(ctx, a); err != nil {
		return CreateArgs{}, err
	}
	kubeconfig := req.Kubeconfig
	switch a.Driver {
	case DriverExisting:
		if _, _, err := cj.Kube.Clients(kubeconfig); err != nil {
			return CreateArgs{}, err
		}
	case DriverLocal:
		if !cj.Local.Enabled() {
			return CreateArgs{}, models.Errorf(models.CodeInvalid, "the local driver is not configured on this panel (--kube-bin-dir), or its binaries are not built yet")
		}
		if err := cj.Local.CheckWebhook(); err != nil {
			return CreateArgs{}, err
		}
		kubeconfig = nil
	case DriverOpenStack:
		if !cj.OpenStack.Enabled() {
			return CreateArgs{}, models.Errorf(models.CodeInvalid, "the openstack driver is not configured on this panel (--openstack-image)")
		}
		kubeconfig = nil
	default:
		return CreateArgs{}, models.Errorf(models.CodeInvalid, "unknown driver %q", req.Driver)
	}
	if _, err := cj.Keystone.UserByName(ctx, a.AdminUser, a.AdminDomain); err != nil {
		if models.ErrorCode(err) == models.CodeNotFound {
			return CreateArgs{}, models.Errorf(models.CodeInvalid, "Keystone has no user %s in domain %s", a.AdminUser, a.AdminDomain)
		}
		return CreateArgs{}, err
	}
	if kubeconfig != nil {
		sealed, err := cj.Sealer.Seal(kubeconfig, []byte(a.ClusterID))
		if err != nil {
			return CreateArgs{}, fmt.Errorf("seal kubeconfig: %w", err)
		}
		a.SealedKubeconfig = sealed
	}
	if a.Driver == DriverOpenStack {
		sealed, err := cj.newSealedPKI(a)
		if err != nil {
			return CreateArgs{}, err
		}
		a.SealedPKI = sealed
	}
	return a, nil
}

// checkFree validates the name and domain and checks that no other cluster has the name.
func (cj *ClusterJobs) checkFree(ctx context.Context, a CreateArgs) error {
	if !models.ValidClusterName(a.Name) {
		return models.Errorf(models.CodeInvalid, "a cluster name is a DNS label: lowercase letters, digits and '-', starting with a letter, at most 40 characters")
	}
	if !models.ValidBaseDomain(a.BaseDomain) {
		return models.Errorf(models.CodeInvalid, "the base domain %q is not a DNS name", a.BaseDomain)
	}
	if a.AdminUser == "" {
		return models.Errorf(models.CodeInvalid, "choose the user who becomes the cluster's admin")
	}
	c, err := cj.Store.ClusterByName(ctx, a.Name)
	switch {
	case err == nil && c.ID != a.ClusterID:
		return models.Errorf(models.CodeInvalid, "a cluster named %s already exists", a.Name)
	case err != nil && models.ErrorCode(err) != models.CodeNotFound:
		return err
	}
	return nil
}

func createArgs(j *JobRun) (CreateArgs, error) {
	var a CreateArgs
	if err := j.Args(&a); err != nil {
		return CreateArgs{}, err
	}
	return a, nil
}

func (cj *ClusterJobs) validate(ctx context.Context, j *JobRun) error {
	a, err := createArgs(j)
	if err != nil {
		return err
	}
	if err := cj.checkFree(ctx, a); err != nil {
		return err
	}
	j.Progress(100, fmt.Sprintf("the name %s is free and %s is a valid domain", a.Name, a.BaseDomain))
	return nil
}

func (cj *ClusterJobs) roleName(cluster string) string {
	return models.AdminRoleName(cj.AdminRoleTemplate, cluster)
}

func (cj *ClusterJobs) adminRole(ctx context.Context, j *JobRun) error {
	a, err := createArgs(j)
	if err != nil {
		return err
	}
	role, err := cj.Keystone.EnsureRole(ctx, cj.roleName(a.Name))
	if err != nil {
		return err
	}
	j.Progress(50, fmt.Sprintf("Keystone role %s (%s) is there", role.Name, role.ID))
	user, err := cj.Keystone.UserByName(ctx, a.AdminUser, a.AdminDomain)
	if err != nil {
		return err
	}
	if err := cj.Keystone.AssignRoleOnScope(ctx, role.ID, user.UserID, cj.AdminScope); err != nil {
		return err
	}
	if cj.Forget != nil {
		cj.Forget(user.UserID)
	}
	j.Progress(100, fmt.Sprintf("%s holds %s", user.Username, role.Name))
	return nil
}

func (cj *ClusterJobs) infrastructure(ctx context.Context, j *JobRun) error {
	a, err := createArgs(j)
	if err != nil {
		return err
	}
	switch a.Driver {
	case DriverExisting:
		j.Progress(100, "the cluster already runs: no infrastructure to create")
		return nil
	case DriverLocal:
		j.Progress(10, "starting etcd and kube-apiserver on this host")
		if _, err := cj.Local.Ensure(ctx, a.Name); err != nil {
			return err
		}
		j.Progress(100, "etcd and kube-apiserver run on this host")
		return nil
	case DriverOpenStack:
		return cj.openStackInfrastructure(ctx, j, a)
	default:
		return models.Errorf(models.CodeInvalid, "unknown driver %q", a.Driver)
	}
}

// kubeconfig returns the admin kubeconfig of the cluster being created: the sealed one
// of an existing cluster, the running local cluster's, or the panel's own for a cluster
// built in OpenStack.
func (cj *ClusterJobs) kubeconfig(ctx context.Context, a CreateArgs) ([]byte, error) {
	switch a.Driver {
	case DriverLocal:
		return cj.Local.Ensure(ctx, a.Name)
	case DriverOpenStack:
		return cj.openStackKubeconfig(ctx, a)
	}
	kc, err := cj.Sealer.Open(a.SealedKubeconfig, []byte(a.ClusterID))
	if err != nil {
		return nil, fmt.Errorf("open kubeconfig: %w", err)
	}
	return kc, nil
}

func (cj *ClusterJobs) clients(ctx context.Context, a CreateArgs) (kubernetes.Interface, dynamic.Interface, error) {
	kc, err := cj.kubeconfig(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	return cj.Kube.Clients(kc)
}

func (cj *ClusterJobs) waitForAPI(ctx context.Context, j *JobRun) error {
	a, err := createArgs(j)
	if err != nil {
		return err
	}
	cs, _, err := cj.clients(ctx, a)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		v, err := kube.ServerVersion(actx, cs)
		cancel()
		if err == nil {
			j.Progress(100, "the API answers: Kubernetes "+v)
			return nil
		}
		// A cluster being installed takes minutes: say so now and then, not every time.
		if attempt == 1 || attempt%15 == 0 {
			j.Log(models.EventWarn, fmt.Sprintf("attempt %d: %s", attempt, models.ErrorMessage(err)))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the API: %w", ctx.Err())
		case <-time.After(2 * time.Second):
		}
	}
}

func (cj *ClusterJobs) bootstrap(ctx context.Context, j *JobRun) error {
	a, err := createArgs(j)
	if err != nil {
		return err
	}
	cs, dc, err := cj.clients(ctx, a)
	if err != nil {
		return err
	}
	if err := kube.EnsureNamespace(ctx, cs, models.SystemNamespace); err != nil {
		return err
	}
	j.Progress(25, "namespace "+models.SystemNamespace+" is there")
	role, err := cj.Keystone.RoleByName(ctx, cj.roleName(a.Name))
	if err != nil {
		return err
	}
	if err := kube.EnsureGroupClusterRoleBinding(ctx, cs, models.DefaultAdminBinding, role.ID, "cluster-admin"); err != nil {
		return err
	}
	j.Progress(50, fmt.Sprintf("%s binds group %s (%s) to cluster-admin", models.DefaultAdminBinding, role.ID, role.Name))
	velero, err := kube.VeleroInstalled(cs)
	if err != nil {
		return err
	}
	if velero {
		if err := kube.EnsureVeleroSchedule(ctx, dc, "kaas-daily", "0 3 * * *", "720h0m0s"); err != nil {
			return err
		}
		j.Progress(75, "Velero schedule kaas-daily backs up every namespace at 03:00")
	} else {
		j.Log(models.EventWarn, "Velero is not installed on this cluster: no daily backup schedule")
	}
	for _, s := range []string{"kibana", "grafana", "prometheus", "harbor"} {
		j.Log(models.EventInfo, fmt.Sprintf("managed service https://%s.%s.%s", s, a.Name, a.BaseDomain))
	}
	j.Progress(100, "bootstrapped")
	return nil
}

func (cj *ClusterJobs) register(ctx context.Context, j *JobRun) error {
	a, err := createArgs(j)
	if err != nil {
		return err
	}
	if _, err := cj.Store.Cluster(ctx, a.ClusterID); err == nil {
		j.Progress(100, "already registered")
		return nil
	} else if models.ErrorCode(err) != models.CodeNotFound {
		return err
	}
	kc, err := cj.kubeconfig(ctx, a)
	if err != nil {
		return err
	}
	_, ep, err := kube.ParseKubeconfig(kc)
	if err != nil {
		return err
	}
	sealed, err := cj.Sealer.Seal(kc, []byte(a.ClusterID))
	if err != nil {
		return fmt.Errorf("seal credential: %w", err)
	}
	role, err := cj.Keystone.RoleByName(ctx, cj.roleName(a.Name))
	if err != nil {
		return err
	}
	hookHash, err := cj.webhookHash(a)
	if err != nil {
		return err
	}
	size := a.Size
	if size == (models.ClusterSize{}) { // a job queued before sizes were asked for
		size = models.DefaultClusterSize
	}
	c := &models.Cluster{ID: a.ClusterID, Name: a.Name, BaseDomain: a.BaseDomain, APIURL: ep.APIURL, CAPEM: ep.CAPEM,
		Status: models.ClusterReady, Driver: a.Driver, AdminRoleIDs: []string{role.ID}, Size: size,
		Credential: sealed, WebhookTokenHash: hookHash}
	if err := cj.Store.CreateCluster(ctx, c); err != nil {
		return err
	}
	j.Progress(100, "cluster "+a.Name+" is ready")
	return nil
}

// DeleteArgsFor returns the arguments of the job that deletes a cluster: a registered
// one, or what a cluster.create job that failed or was cancelled left behind (its
// infrastructure and Keystone role). A cluster whose create job is still queued or running
// is CONFLICT: cancel that job first.
func (cj *ClusterJobs) DeleteArgsFor(ctx context.Context, e *Engine, clusterID string) (DeleteArgs, error) {
	c, err := cj.Store.Cluster(ctx, clusterID)
	if err == nil {
		return DeleteArgs{ClusterID: c.ID, Name: c.Name, Driver: c.Driver}, nil
	}
	if models.ErrorCode(err) != models.CodeNotFound {
		return DeleteArgs{}, err
	}
	var args DeleteArgs
	err = e.Each(ctx, models.JobFilter{Kind: KindClusterCreate}, func(job *models.Job) (bool, error) {
		var a CreateArgs
		if json.Unmarshal([]byte(job.Args), &a) != nil || a.ClusterID != clusterID {
			return false, nil
		}
		switch job.Status {
		case models.JobQueued, models.JobRunning:
			return true, models.Errorf(models.CodeConflict, "cluster %s is still being created: cancel its job first", a.Name)
		case models.JobFailed, models.JobCancelled:
			if err := cj.notCleanedUp(ctx, e, a.ClusterID, a.Name, job.FinishedAt); err != nil {
				return true, err
			}
			args = DeleteArgs{ClusterID: a.ClusterID, Name: a.Name, Driver: a.Driver}
			return true, nil
		}
		return false, nil
	})
	if err != nil || args.ClusterID != "" {
		return args, err
	}
	return DeleteArgs{}, models.Errorf(models.CodeNotFound, "no cluster %s", clusterID)
}

// notCleanedUp returns NOT_FOUND when a delete job removed what the cluster's create job
// made after that job ended (at ended), and CONFLICT while one is at it.
func (cj *ClusterJobs) notCleanedUp(ctx context.Context, e *Engine, clusterID, name string, ended *time.Time) error {
	return e.Each(ctx, models.JobFilter{Kind: KindClusterDelete}, func(d *models.Job) (bool, error) {
		if id, _ := ClusterOf(d); id != clusterID {
			return false, nil
		}
		switch {
		case !d.Status.Final():
			return true, models.Errorf(models.CodeConflict, "what cluster %s's create job made is being deleted", name)
		case d.Status == models.JobSucceeded && ended != nil && d.CreatedAt.After(*ended):
			return true, models.Errorf(models.CodeNotFound, "what cluster %s's create job made is deleted already", name)
		}
		return false, nil
	})
}

func deleteArgs(j *JobRun) (DeleteArgs, error) {
	var a DeleteArgs
	err := j.Args(&a)
	return a, err
}

// deletedCluster returns the registered cluster a delete job works on, nil (with a
// progress note) once it is no longer registered.
func (cj *ClusterJobs) deletedCluster(ctx context.Context, j *JobRun) (*models.Cluster, error) {
	a, err := deleteArgs(j)
	if err != nil {
		return nil, err
	}
	c, err := cj.Store.Cluster(ctx, a.ClusterID)
	if models.ErrorCode(err) == models.CodeNotFound {
		j.Progress(100, "the cluster is no longer registered")
		return nil, nil
	}
	return c, err
}

func (cj *ClusterJobs) markDeleting(ctx context.Context, j *JobRun) error {
	c, err := cj.deletedCluster(ctx, j)
	if c == nil || err != nil {
		return err
	}
	c.Status = models.ClusterDeleting
	if err := cj.Store.UpdateCluster(ctx, c); err != nil {
		return err
	}
	j.Progress(100, "cluster "+c.Name+" is being deleted")
	return nil
}

func (cj *ClusterJobs) removeBootstrap(ctx context.Context, j *JobRun) error {
	c, err := cj.deletedCluster(ctx, j)
	if c == nil || err != nil {
		return err
	}
	kc, err := cj.Sealer.Open(c.Credential, []byte(c.ID))
	if err != nil {
		return fmt.Errorf("open credential: %w", err)
	}
	cs, _, err := cj.Kube.Clients(kc)
	if err == nil {
		err = kube.DeleteBinding(ctx, cs, "", models.DefaultAdminBinding)
	}
	switch models.ErrorCode(err) {
	case "", models.CodeNotFound:
		j.Progress(100, "removed "+models.DefaultAdminBinding)
	default:
		// The cluster may be gone already; deleting it from the panel goes on.
		j.Log(models.EventWarn, "could not remove "+models.DefaultAdminBinding+": "+models.ErrorMessage(err))
	}
	return nil
}

func (cj *ClusterJobs) removeInfrastructure(ctx context.Context, j *JobRun) error {
	a, err := deleteArgs(j)
	if err != nil {
		return err
	}
	// A cluster that was never registered (its create job failed or was cancelled) is
	// removed by the driver its arguments name.
	c, err := cj.Store.Cluster(ctx, a.ClusterID)
	switch {
	case err == nil:
		a.Driver = c.Driver
	case models.ErrorCode(err) != models.CodeNotFound:
		return err
	}
	switch a.Driver {
	case DriverLocal:
		if err := cj.Local.Remove(a.Name); err != nil {
			return err
		}
		j.Progress(100, "stopped etcd and kube-apiserver and removed their state")
	case DriverOpenStack:
		j.Progress(10, "deleting the load balancer, servers, router and network")
		if err := cj.OpenStack.Remove(ctx, openStackKey(a.Name, a.ClusterID)); err != nil {
			return err
		}
		j.Progress(100, "deleted the load balancer, servers, router and network")
	default:
		j.Progress(100, "the cluster keeps running outside the panel: no infrastructure to remove")
	}
	return nil
}

// RestoreLocal restarts the registered local clusters whose API does not answer (their
// processes end with the panel that ran them) and records their new endpoints; it
// returns how many it restarted. A cluster whose API answers runs under another replica
// and is left alone. Replicas call it under one exclusive lock (store.DB.RunExclusive), so
// two never start the same cluster.
func (cj *ClusterJobs) RestoreLocal(ctx context.Context, clusters []models.Cluster) (int, error) {
	var errs []error
	restored := 0
	for _, c := range clusters {
		if c.Driver != DriverLocal || c.Status == models.ClusterDeleting || !cj.Local.Enabled() {
			continue
		}
		if apiAnswers(ctx, c) {
			continue
		}
		kc, err := cj.Local.Ensure(ctx, c.Name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		_, ep, err := kube.ParseKubeconfig(kc)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sealed, err := cj.Sealer.Seal(kc, []byte(c.ID))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.APIURL, c.CAPEM, c.Credential = ep.APIURL, ep.CAPEM, sealed
		if err := cj.Store.UpdateCluster(ctx, &c); err != nil {
			errs = append(errs, err)
			continue
		}
		restored++
	}
	return restored, errors.Join(errs...)
}

// apiAnswers reports whether the cluster's recorded kube-apiserver answers /healthz
// (anonymous) within a few seconds, trusting only the cluster's CA.
func apiAnswers(ctx context.Context, c models.Cluster) bool {
	if c.APIURL == "" || c.CAPEM == "" {
		return false
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(c.CAPEM)) {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(c.APIURL, "/")+"/healthz", nil)
	if err != nil {
		return false
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func (cj *ClusterJobs) deleteAdminRole(ctx context.Context, j *JobRun) error {
	a, err := deleteArgs(j)
	if err != nil {
		return err
	}
	role, err := cj.Keystone.RoleByName(ctx, cj.roleName(a.Name))
	if models.ErrorCode(err) == models.CodeNotFound {
		j.Progress(100, "Keystone role "+cj.roleName(a.Name)+" is gone")
		return nil
	}
	if err != nil {
		return err
	}
	if err := cj.Keystone.DeleteRole(ctx, role.ID); err != nil {
		return err
	}
	j.Progress(100, "deleted Keystone role "+role.Name)
	return nil
}

func (cj *ClusterJobs) unregister(ctx context.Context, j *JobRun) error {
	a, err := deleteArgs(j)
	if err != nil {
		return err
	}
	if err := cj.Store.DeleteCluster(ctx, a.ClusterID); err != nil && models.ErrorCode(err) != models.CodeNotFound {
		return err
	}
	j.Progress(100, "cluster "+a.Name+" is deleted")
	return nil
}

// ClusterOf returns the ID and name of the cluster a cluster job works on, empty for
// other jobs.
func ClusterOf(job *models.Job) (id, name string) {
	if job.Kind != KindClusterCreate && job.Kind != KindClusterDelete && job.Kind != KindClusterAddon {
		return "", ""
	}
	var a struct {
		ClusterID string `json:"clusterId"`
		Name      string `json:"name"`
	}
	if json.Unmarshal([]byte(job.Args), &a) != nil {
		return "", ""
	}
	return a.ClusterID, a.Name
}
