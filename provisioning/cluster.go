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

	"kaas/jobs"
	"kaas/models"
)

// Job kinds of the cluster lifecycle.
const (
	KindClusterCreate = "cluster.create"
	KindClusterDelete = "cluster.delete"
)

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

// Sealer encrypts the secrets carried in a job's arguments and kept by the registry.
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Open(sealed, aad []byte) ([]byte, error)
}

// Kube reaches clusters' Kubernetes APIs with their admin kubeconfigs.
type Kube interface {
	// Connect returns admin access to the cluster; an unusable kubeconfig is INVALID.
	Connect(kubeconfig []byte) (ClusterAPI, error)
	// Endpoint returns the API URL and CA an admin kubeconfig names.
	Endpoint(kubeconfig []byte) (apiURL, caPEM string, err error)
}

// ClusterAPI is what the lifecycle does in a cluster's Kubernetes API.
type ClusterAPI interface {
	ServerVersion(ctx context.Context) (string, error)
	EnsureNamespace(ctx context.Context, name string) error
	EnsureGroupClusterRoleBinding(ctx context.Context, name, group, clusterRole string) error
	DeleteBinding(ctx context.Context, namespace, name string) error
	VeleroInstalled(ctx context.Context) (bool, error)
	EnsureVeleroSchedule(ctx context.Context, name, cron, ttl string) error
	// Drain takes a node out of the cluster (cordon, evict, delete); say reports progress.
	Drain(ctx context.Context, node string, say func(string)) error
}

// JobHistory walks the jobs of the engine the cluster jobs run on.
type JobHistory interface {
	Each(ctx context.Context, f models.JobFilter, fn func(*models.Job) (stop bool, err error)) error
}

// ClusterJobs defines the steps of creating and deleting clusters.
type ClusterJobs struct {
	Keystone Keystone
	Store    ClusterStore
	Sealer   Sealer
	Kube     Kube
	// AdminRoleTemplate names a cluster's admin role; %s is the cluster name (default
	// models.DefaultAdminRoleTemplate).
	AdminRoleTemplate string
	// Forget drops a user's cached identity, so a new role shows at once.
	Forget func(userID string)
	// AdminScope is where a new cluster's admin role is assigned: the first scope of the
	// panel's role scope, the only scopes where the registry counts it.
	AdminScope models.ScopeRef
	// Drivers are the drivers clusters are made with, by the name requests give.
	Drivers *DriverRegistry
	// Addons installs the managed-services catalog; nil installs none.
	Addons AddonInstaller

	// engine runs the jobs (set by Register): resizes look up a cluster's create job.
	engine *jobs.Engine
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

// Kind is the job kind of the arguments.
func (CreateArgs) Kind() string { return KindClusterCreate }

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

// Kind is the job kind of the arguments.
func (DeleteArgs) Kind() string { return KindClusterDelete }

// What the steps of the cluster jobs see: the job, with its arguments decoded.
type (
	createJob = jobs.Job[CreateArgs]
	deleteJob = jobs.Job[DeleteArgs]
)

// Register adds the cluster job kinds to the engine.
func (cj *ClusterJobs) Register(e *jobs.Engine) {
	cj.engine = e
	e.Register(jobs.NewWorker(
		jobs.Step[CreateArgs]{Name: "validate", Timeout: time.Minute, Run: cj.validate},
		jobs.Step[CreateArgs]{Name: "keystone-admin-role", Timeout: 2 * time.Minute, Run: cj.adminRole},
		jobs.Step[CreateArgs]{Name: "infrastructure", Timeout: 30 * time.Minute, Run: cj.infrastructure},
		jobs.Step[CreateArgs]{Name: "wait-for-api", Timeout: 10 * time.Minute, Run: cj.waitForAPI},
		jobs.Step[CreateArgs]{Name: "addons", Timeout: 10 * time.Minute, Run: cj.installAddons},
		jobs.Step[CreateArgs]{Name: "bootstrap", Timeout: 5 * time.Minute, Run: cj.bootstrap},
		jobs.Step[CreateArgs]{Name: "register", Timeout: time.Minute, Run: cj.register},
	))
	e.Register(jobs.NewWorker(
		jobs.Step[DeleteArgs]{Name: "mark-deleting", Timeout: time.Minute, Run: cj.markDeleting},
		jobs.Step[DeleteArgs]{Name: "remove-bootstrap", Timeout: 2 * time.Minute, Run: cj.removeBootstrap},
		jobs.Step[DeleteArgs]{Name: "remove-infrastructure", Timeout: 15 * time.Minute, Run: cj.removeInfrastructure},
		jobs.Step[DeleteArgs]{Name: "keystone-admin-role", Timeout: 2 * time.Minute, Run: cj.deleteAdminRole},
		jobs.Step[DeleteArgs]{Name: "unregister", Timeout: time.Minute, Run: cj.unregister},
	))
	e.Register(cj.resizeWorker())
	e.Register(cj.addonWorker())
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
	d, err := cj.driver(a.Driver)
	if err != nil {
		return CreateArgs{}, err
	}
	if err := d.Validate(req.Kubeconfig); err != nil {
		return CreateArgs{}, err
	}
	if _, err := cj.Keystone.UserByName(ctx, a.AdminUser, a.AdminDomain); err != nil {
		if models.ErrorCode(err) == models.CodeNotFound {
			return CreateArgs{}, models.Errorf(models.CodeInvalid, "Keystone has no user %s in domain %s", a.AdminUser, a.AdminDomain)
		}
		return CreateArgs{}, err
	}
	if err := d.Prepare(&a, req.Kubeconfig); err != nil {
		return CreateArgs{}, err
	}
	return a, nil
}

// driver returns the named driver; an unknown one is INVALID.
func (cj *ClusterJobs) driver(name string) (Driver, error) {
	d, ok := cj.Drivers.Lookup(name)
	if !ok {
		return nil, models.Errorf(models.CodeInvalid, "unknown driver %q", name)
	}
	return d, nil
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

func (cj *ClusterJobs) validate(ctx context.Context, j *createJob) error {
	a := j.Args
	if err := cj.checkFree(ctx, a); err != nil {
		return err
	}
	j.Progress(100, fmt.Sprintf("the name %s is free and %s is a valid domain", a.Name, a.BaseDomain))
	return nil
}

func (cj *ClusterJobs) roleName(cluster string) string {
	return models.AdminRoleName(cj.AdminRoleTemplate, cluster)
}

func (cj *ClusterJobs) adminRole(ctx context.Context, j *createJob) error {
	a := j.Args
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

func (cj *ClusterJobs) infrastructure(ctx context.Context, j *createJob) error {
	d, err := cj.driver(j.Args.Driver)
	if err != nil {
		return err
	}
	return d.Ensure(ctx, j.Args, j)
}

// admin returns admin access to the cluster being created.
func (cj *ClusterJobs) admin(ctx context.Context, a CreateArgs) (ClusterAPI, error) {
	d, err := cj.driver(a.Driver)
	if err != nil {
		return nil, err
	}
	acc, err := d.Access(ctx, a)
	if err != nil {
		return nil, err
	}
	return cj.Kube.Connect(acc.Kubeconfig)
}

func (cj *ClusterJobs) waitForAPI(ctx context.Context, j *createJob) error {
	api, err := cj.admin(ctx, j.Args)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		v, err := api.ServerVersion(actx)
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

func (cj *ClusterJobs) bootstrap(ctx context.Context, j *createJob) error {
	a := j.Args
	api, err := cj.admin(ctx, a)
	if err != nil {
		return err
	}
	if err := api.EnsureNamespace(ctx, models.SystemNamespace); err != nil {
		return err
	}
	j.Progress(25, "namespace "+models.SystemNamespace+" is there")
	role, err := cj.Keystone.RoleByName(ctx, cj.roleName(a.Name))
	if err != nil {
		return err
	}
	if err := api.EnsureGroupClusterRoleBinding(ctx, models.DefaultAdminBinding, role.ID, "cluster-admin"); err != nil {
		return err
	}
	j.Progress(50, fmt.Sprintf("%s binds group %s (%s) to cluster-admin", models.DefaultAdminBinding, role.ID, role.Name))
	velero, err := api.VeleroInstalled(ctx)
	if err != nil {
		return err
	}
	if velero {
		if err := api.EnsureVeleroSchedule(ctx, "kaas-daily", "0 3 * * *", "720h0m0s"); err != nil {
			return err
		}
		j.Progress(75, "Velero schedule kaas-daily backs up every namespace at 03:00")
	} else {
		j.Log(models.EventWarn, "Velero is not installed on this cluster: no daily backup schedule")
	}
	for _, s := range models.ManagedServices {
		j.Log(models.EventInfo, "managed service "+s.URL(&models.Cluster{Name: a.Name, BaseDomain: a.BaseDomain}))
	}
	j.Progress(100, "bootstrapped")
	return nil
}

func (cj *ClusterJobs) register(ctx context.Context, j *createJob) error {
	a := j.Args
	if _, err := cj.Store.Cluster(ctx, a.ClusterID); err == nil {
		j.Progress(100, "already registered")
		return nil
	} else if models.ErrorCode(err) != models.CodeNotFound {
		return err
	}
	d, err := cj.driver(a.Driver)
	if err != nil {
		return err
	}
	acc, err := d.Access(ctx, a)
	if err != nil {
		return err
	}
	apiURL, caPEM, err := cj.Kube.Endpoint(acc.Kubeconfig)
	if err != nil {
		return err
	}
	sealed, err := cj.Sealer.Seal(acc.Kubeconfig, []byte(a.ClusterID))
	if err != nil {
		return fmt.Errorf("seal credential: %w", err)
	}
	role, err := cj.Keystone.RoleByName(ctx, cj.roleName(a.Name))
	if err != nil {
		return err
	}
	size := a.Size
	if size == (models.ClusterSize{}) { // a job queued before sizes were asked for
		size = models.DefaultClusterSize
	}
	c := &models.Cluster{ID: a.ClusterID, Name: a.Name, BaseDomain: a.BaseDomain, APIURL: apiURL, CAPEM: caPEM,
		Status: models.ClusterReady, Driver: a.Driver, AdminRoleIDs: []string{role.ID}, Size: size,
		Credential: sealed, WebhookTokenHash: acc.WebhookTokenHash}
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
func (cj *ClusterJobs) DeleteArgsFor(ctx context.Context, e JobHistory, clusterID string) (DeleteArgs, error) {
	c, err := cj.Store.Cluster(ctx, clusterID)
	if err == nil {
		return DeleteArgs{ClusterID: c.ID, Name: c.Name, Driver: c.Driver}, nil
	}
	if models.ErrorCode(err) != models.CodeNotFound {
		return DeleteArgs{}, err
	}
	var args DeleteArgs
	err = eachCreateJob(ctx, e, models.JobFilter{}, clusterID, func(job *models.Job, a CreateArgs) (bool, error) {
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

// eachCreateJob calls fn with each cluster.create job matching f (newest first) whose
// arguments name the cluster, until fn says stop.
func eachCreateJob(ctx context.Context, e JobHistory, f models.JobFilter, clusterID string, fn func(*models.Job, CreateArgs) (bool, error)) error {
	f.Kind = KindClusterCreate
	return e.Each(ctx, f, func(job *models.Job) (bool, error) {
		var a CreateArgs
		if json.Unmarshal([]byte(job.Args), &a) != nil || a.ClusterID != clusterID {
			return false, nil
		}
		return fn(job, a)
	})
}

// notCleanedUp returns NOT_FOUND when a delete job removed what the cluster's create job
// made after that job ended (at ended), and CONFLICT while one is at it.
func (cj *ClusterJobs) notCleanedUp(ctx context.Context, e JobHistory, clusterID, name string, ended *time.Time) error {
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

// deletedCluster returns the registered cluster a delete job works on, nil (with a
// progress note) once it is no longer registered.
func (cj *ClusterJobs) deletedCluster(ctx context.Context, j *deleteJob) (*models.Cluster, error) {
	c, err := cj.Store.Cluster(ctx, j.Args.ClusterID)
	if models.ErrorCode(err) == models.CodeNotFound {
		j.Progress(100, "the cluster is no longer registered")
		return nil, nil
	}
	return c, err
}

func (cj *ClusterJobs) markDeleting(ctx context.Context, j *deleteJob) error {
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

func (cj *ClusterJobs) removeBootstrap(ctx context.Context, j *deleteJob) error {
	c, err := cj.deletedCluster(ctx, j)
	if c == nil || err != nil {
		return err
	}
	kc, err := cj.Sealer.Open(c.Credential, []byte(c.ID))
	if err != nil {
		return fmt.Errorf("open credential: %w", err)
	}
	api, err := cj.Kube.Connect(kc)
	if err == nil {
		err = api.DeleteBinding(ctx, "", models.DefaultAdminBinding)
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

func (cj *ClusterJobs) removeInfrastructure(ctx context.Context, j *deleteJob) error {
	a := j.Args
	// A cluster that was never registered (its create job failed or was cancelled) is
	// removed by the driver its arguments name.
	c, err := cj.Store.Cluster(ctx, a.ClusterID)
	switch {
	case err == nil:
		a.Driver = c.Driver
	case models.ErrorCode(err) != models.CodeNotFound:
		return err
	}
	d, ok := cj.Drivers.Lookup(a.Driver)
	if !ok {
		j.Progress(100, "the cluster keeps running outside the panel: no infrastructure to remove")
		return nil
	}
	return d.Remove(ctx, a, j)
}

// Restore restarts the registered clusters of transient drivers (local) whose API does
// not answer (their processes end with the panel that ran them) and records their new
// endpoints; it returns how many it restarted. A cluster whose API answers runs under
// another replica and is left alone. Replicas call it under one exclusive lock
// (store.DB.RunExclusive), so two never start the same cluster.
func (cj *ClusterJobs) Restore(ctx context.Context, clusters []models.Cluster) (int, error) {
	var errs []error
	restored := 0
	for _, c := range clusters {
		d, ok := cj.Drivers.Lookup(c.Driver)
		if !ok || !d.Describe().Transient || c.Status == models.ClusterDeleting || !d.Enabled() {
			continue
		}
		if apiAnswers(ctx, c) {
			continue
		}
		kc, err := d.Restore(ctx, c)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		apiURL, caPEM, err := cj.Kube.Endpoint(kc)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sealed, err := cj.Sealer.Seal(kc, []byte(c.ID))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.APIURL, c.CAPEM, c.Credential = apiURL, caPEM, sealed
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

func (cj *ClusterJobs) deleteAdminRole(ctx context.Context, j *deleteJob) error {
	a := j.Args
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

func (cj *ClusterJobs) unregister(ctx context.Context, j *deleteJob) error {
	a := j.Args
	if err := cj.Store.DeleteCluster(ctx, a.ClusterID); err != nil && models.ErrorCode(err) != models.CodeNotFound {
		return err
	}
	j.Progress(100, "cluster "+a.Name+" is deleted")
	return nil
}

// clusterKinds are the job kinds whose arguments name their cluster (clusterId, name).
var clusterKinds = map[string]bool{KindClusterCreate: true, KindClusterDelete: true, KindClusterResize: true, KindClusterAddon: true}

// ClusterOf returns the ID and name of the cluster a cluster job works on, empty for
// other jobs.
func ClusterOf(job *models.Job) (id, name string) {
	if !clusterKinds[job.Kind] {
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
