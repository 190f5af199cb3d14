// Package rbac manages a cluster's RBAC bindings whose subjects are Keystone roles
// (Kubernetes groups named by role ID) or Keystone users (Kubernetes users named by user
// name), showing Keystone names next to the IDs.
package rbac

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/validation/path"

	"kaas/memo"
	"kaas/models"
)

// AnswerTTL is how long Keystone's role list and a cluster's ClusterRole names are
// remembered: a page (or a request of many aliases) costs one upstream call, and a role
// made elsewhere shows within it. A role ID missing from the remembered list is looked up
// again at once.
const AnswerTTL = 10 * time.Second

// listMissRefresh is how young the role list must be for List to name a Group subject
// missing from it as not Keystone's: bindings naming other kinds of groups (kubeadm's)
// re-read the list at most this often.
const listMissRefresh = time.Second

// userIDsAnnotation keeps the Keystone user IDs of a binding's User subjects.
const userIDsAnnotation = "kaas.io/keystone-user-ids"

// Keystone resolves IDs to names.
type Keystone interface {
	Roles(ctx context.Context) ([]models.Role, error)
	User(ctx context.Context, userID string) (models.Identity, error)
	SearchUsers(ctx context.Context, query string, offset, limit int) (models.KeystoneUserPage, error)
}

// Cluster is one cluster's RBAC API, acting as the panel (kube.Cluster).
type Cluster interface {
	Bindings(ctx context.Context) ([]models.KubeBinding, error)
	ClusterRoles(ctx context.Context) ([]models.KubeClusterRole, error)
	ClusterRoleExists(ctx context.Context, name string) (bool, error)
	NamespaceExists(ctx context.Context, name string) (bool, error)
	// CreateBinding creates a binding to the ClusterRole b.RoleName, labelled as the
	// panel's; a binding of that name already there is CONFLICT.
	CreateBinding(ctx context.Context, b models.KubeBinding) error
	GetBinding(ctx context.Context, namespace, name string) (models.KubeBinding, error)
	DeleteBinding(ctx context.Context, namespace, name string) error
}

// Usernames maps identities to Kubernetes user names (identity.UsernameRule).
type Usernames interface {
	Of(id models.Identity) (string, error)
	Split(kubernetesName string) (name, domain string)
}

// Subject kinds.
const (
	SubjectRole  = "KEYSTONE_ROLE"
	SubjectUser  = "KEYSTONE_USER"
	SubjectOther = "OTHER"
)

// Subject is a binding's subject with its Keystone name.
type Subject struct {
	Kind string
	// ID is the Kubernetes subject name: a role ID, a user name or another name.
	ID   string
	Name string
	// Domain is a user's Keystone domain name.
	Domain string
	// KeystoneID is the role's or user's ID in Keystone, when known.
	KeystoneID string
}

// Binding is a binding as the panel shows it.
type Binding struct {
	Name      string
	Namespace string
	RoleKind  string
	RoleName  string
	Subjects  []Subject
	Protected bool
	CreatedAt *time.Time
}

// Service manages bindings.
type Service struct {
	keystone     Keystone
	usernames    Usernames
	roles        *memo.Cache[string, []models.Role]
	clusterRoles *memo.Cache[string, []models.KubeClusterRole]
}

// New returns the service; User subjects are named by usernames, the rule the webhook
// answers with.
func New(keystone Keystone, usernames Usernames) *Service {
	return &Service{keystone: keystone, usernames: usernames,
		roles:        memo.New[string, []models.Role](memo.Options{TTL: AnswerTTL, Max: 1}),
		clusterRoles: memo.New[string, []models.KubeClusterRole](memo.Options{TTL: AnswerTTL}),
	}
}

// rolesKey is the one key of the role list.
const rolesKey = "roles"

// ClusterRoles returns the names of the cluster's ClusterRoles that may be bound (no
// system ones), remembered for AnswerTTL per cluster.
func (s *Service) ClusterRoles(ctx context.Context, clusterID string, cluster Cluster) ([]string, error) {
	return s.clusterRoleNames(ctx, clusterID, cluster, func(models.KubeClusterRole) bool { return true })
}

// EmptyClusterRoles returns the names of the cluster's bindable ClusterRoles that hold no
// rule, so that binding them grants nothing: the aggregated view, edit and admin on a
// cluster whose controller manager does not run. From the same remembered list.
func (s *Service) EmptyClusterRoles(ctx context.Context, clusterID string, cluster Cluster) ([]string, error) {
	return s.clusterRoleNames(ctx, clusterID, cluster, func(r models.KubeClusterRole) bool { return r.Rules == 0 })
}

func (s *Service) clusterRoleNames(ctx context.Context, clusterID string, cluster Cluster, keep func(models.KubeClusterRole) bool) ([]string, error) {
	rs, err := s.clusterRoles.Get(ctx, clusterID, func(ctx context.Context) ([]models.KubeClusterRole, error) {
		return cluster.ClusterRoles(ctx)
	})
	if err != nil {
		return nil, err
	}
	names := []string{}
	for _, r := range rs {
		if keep(r) {
			names = append(names, r.Name)
		}
	}
	return names, nil
}

// List returns the bindings that name at least one non-system user or group.
func (s *Service) List(ctx context.Context, cluster Cluster) ([]Binding, error) {
	all, err := cluster.Bindings(ctx)
	if err != nil {
		return nil, err
	}
	roles, err := s.roleNames(ctx, listMissRefresh, groupIDs(all)...)
	if err != nil {
		return nil, err
	}
	var out []Binding
	for _, b := range all {
		if !relevant(b) {
			continue
		}
		pb := Binding{Name: b.Name, Namespace: b.Namespace, RoleKind: b.RoleKind, RoleName: b.RoleName, Protected: protected(b.Namespace, b.Name, b.Labels)}
		if !b.Created.IsZero() {
			t := b.Created.UTC()
			pb.CreatedAt = &t
		}
		// The panel notes the Keystone ID of the one user of a binding it made.
		users := 0
		for _, sub := range b.Subjects {
			if sub.Kind == models.KubeUserKind {
				users++
			}
		}
		for _, sub := range b.Subjects {
			ps := Subject{Kind: SubjectOther, ID: sub.Name}
			switch {
			case sub.Kind == models.KubeGroupKind && roles[sub.Name] != "":
				ps.Kind, ps.Name, ps.KeystoneID = SubjectRole, roles[sub.Name], sub.Name
			case sub.Kind == models.KubeUserKind && !strings.HasPrefix(sub.Name, "system:"):
				ps.Kind = SubjectUser
				ps.Name, ps.Domain = s.usernames.Split(sub.Name)
				if users == 1 {
					ps.KeystoneID = b.Annotations[userIDsAnnotation]
				}
			}
			pb.Subjects = append(pb.Subjects, ps)
		}
		out = append(out, pb)
	}
	return out, nil
}

func relevant(b models.KubeBinding) bool {
	for _, s := range b.Subjects {
		if (s.Kind == models.KubeGroupKind || s.Kind == models.KubeUserKind) && !strings.HasPrefix(s.Name, "system:") {
			return true
		}
	}
	return false
}

func protected(namespace, name string, labels map[string]string) bool {
	return name == models.DefaultAdminBinding || strings.HasPrefix(name, "system:") ||
		models.IsProtectedNamespace(namespace) || labels["kubernetes.io/bootstrapping"] != ""
}

// groupIDs lists the Group subjects of bindings: the Keystone role IDs they may name.
func groupIDs(bs []models.KubeBinding) []string {
	var ids []string
	for _, b := range bs {
		for _, sub := range b.Subjects {
			if sub.Kind == models.KubeGroupKind && !strings.HasPrefix(sub.Name, "system:") {
				ids = append(ids, sub.Name)
			}
		}
	}
	return ids
}

// roleNames maps Keystone role IDs to names from the remembered role list; when one of
// wanted is missing from it (a role made since), a list at most missAge old is used.
func (s *Service) roleNames(ctx context.Context, missAge time.Duration, wanted ...string) (map[string]string, error) {
	rs, err := s.Roles(ctx)
	if err != nil {
		return nil, err
	}
	m := names(rs)
	for _, id := range wanted {
		if _, ok := m[id]; !ok {
			if rs, err = s.roles.GetWithin(ctx, rolesKey, missAge, s.keystone.Roles); err != nil {
				return nil, err
			}
			return names(rs), nil
		}
	}
	return m, nil
}

func names(rs []models.Role) map[string]string {
	m := make(map[string]string, len(rs))
	for _, r := range rs {
		m[r.ID] = r.Name
	}
	return m
}

// Roles returns the Keystone roles, to choose a binding's subject, remembered for
// AnswerTTL.
func (s *Service) Roles(ctx context.Context) ([]models.Role, error) {
	return s.roles.Get(ctx, rolesKey, s.keystone.Roles)
}

// Limits of a user search.
const (
	MaxUserSearchLength = 64
	DefaultUserPageSize = 20
	MaxUserPageSize     = 100
)

// User is a Keystone user a binding may name, with its Kubernetes user name (empty when
// the user-name rule refuses the user: it cannot be a subject).
type User struct {
	models.KeystoneUser
	KubernetesName string
}

// UserPage is one page of a user search.
type UserPage struct {
	Users  []User
	Total  int
	Offset int
}

// SearchUsers pages through the Keystone users whose name contains query (without case),
// in every domain, to choose a binding's subject, limit users from offset. Bad input is
// INVALID and asks Keystone nothing.
func (s *Service) SearchUsers(ctx context.Context, query string, offset, limit int) (UserPage, error) {
	query = strings.TrimSpace(query)
	switch {
	case utf8.RuneCountInString(query) > MaxUserSearchLength:
		return UserPage{}, models.Errorf(models.CodeInvalid, "a user search is at most %d characters", MaxUserSearchLength)
	case strings.ContainsFunc(query, unicode.IsControl):
		return UserPage{}, models.Errorf(models.CodeInvalid, "a user search holds no control characters")
	case offset < 0:
		return UserPage{}, models.Errorf(models.CodeInvalid, "offset is 0 or more")
	case limit < 1 || limit > MaxUserPageSize:
		return UserPage{}, models.Errorf(models.CodeInvalid, "limit is between 1 and %d", MaxUserPageSize)
	}
	page, err := s.keystone.SearchUsers(ctx, query, offset, limit)
	if err != nil {
		return UserPage{}, err
	}
	out := UserPage{Total: page.Total, Offset: page.Offset, Users: make([]User, len(page.Users))}
	for i, u := range page.Users {
		out.Users[i] = User{KeystoneUser: u}
		if name, err := s.usernames.Of(models.Identity{UserID: u.ID, Username: u.Name, Domain: u.Domain, DomainID: u.DomainID}); err == nil {
			out.Users[i].KubernetesName = name
		}
	}
	return out, nil
}

// CreateInput describes a binding to create.
type CreateInput struct {
	Name        string
	Namespace   string
	RoleName    string
	SubjectKind string
	SubjectID   string
}

var dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

// keystoneID is the shape of a Keystone role or user ID the panel accepts: hex in
// Keystone's SQL and mapped LDAP backends, a few more characters for unmapped LDAP. It is
// one segment of a Keystone URL path, which gophercloud does not escape.
var keystoneID = regexp.MustCompile(`^[A-Za-z0-9_@.+=-]{1,64}$`)

// objectName reports whether client-go can put name in a URL path (Kubernetes' own rule
// for RBAC object names), at most 253 bytes: any other name is a request client-go
// refuses, which the panel could only call an internal error.
func objectName(name string) bool {
	return name != "" && len(name) <= 253 && len(path.IsValidPathSegmentName(name)) == 0
}

func validSubjectID(id string) bool { return keystoneID.MatchString(id) && id != "." && id != ".." }

// Create makes a ClusterRoleBinding (no namespace) or a RoleBinding granting the
// ClusterRole to one Keystone role or user. Bad input is INVALID and changes nothing.
func (s *Service) Create(ctx context.Context, cluster Cluster, in CreateInput) (Binding, error) {
	in.Name, in.Namespace, in.RoleName, in.SubjectID = strings.TrimSpace(in.Name), strings.TrimSpace(in.Namespace), strings.TrimSpace(in.RoleName), strings.TrimSpace(in.SubjectID)
	switch {
	case len(in.Name) > 253 || !dnsSubdomain.MatchString(in.Name):
		return Binding{}, models.Errorf(models.CodeInvalid, "a binding name is lowercase letters, digits, '-' and '.' (at most 253)")
	case strings.HasPrefix(in.Name, "system:") || in.Name == models.DefaultAdminBinding:
		return Binding{}, models.Errorf(models.CodeInvalid, "the name %s is reserved", in.Name)
	case in.Namespace != "" && !dnsLabel.MatchString(in.Namespace):
		return Binding{}, models.Errorf(models.CodeInvalid, "%q is not a namespace name", in.Namespace)
	case models.IsProtectedNamespace(in.Namespace):
		return Binding{}, models.Errorf(models.CodeInvalid, "the namespace %s is managed by the panel: bindings there are refused", in.Namespace)
	case in.RoleName == "":
		return Binding{}, models.Errorf(models.CodeInvalid, "choose a Kubernetes role")
	case !objectName(in.RoleName):
		return Binding{}, models.Errorf(models.CodeInvalid, "%q is not a ClusterRole name", clip(in.RoleName))
	case in.SubjectID == "":
		return Binding{}, models.Errorf(models.CodeInvalid, "choose a Keystone role or user")
	case !validSubjectID(in.SubjectID):
		return Binding{}, models.Errorf(models.CodeInvalid, "%q is not a Keystone ID", clip(in.SubjectID))
	}
	ok, err := cluster.ClusterRoleExists(ctx, in.RoleName)
	if err != nil {
		return Binding{}, err
	}
	if !ok {
		return Binding{}, models.Errorf(models.CodeInvalid, "the cluster has no ClusterRole %q", in.RoleName)
	}
	if in.Namespace != "" {
		ok, err := cluster.NamespaceExists(ctx, in.Namespace)
		if err != nil {
			return Binding{}, err
		}
		if !ok {
			return Binding{}, models.Errorf(models.CodeInvalid, "the cluster has no namespace %q", in.Namespace)
		}
	}
	var subject models.KubeSubject
	var annotations map[string]string
	var shown Subject
	switch in.SubjectKind {
	case SubjectRole:
		// Refused only on a list read now: the role may have been made a moment ago.
		roles, err := s.roleNames(ctx, 0, in.SubjectID)
		if err != nil {
			return Binding{}, err
		}
		name, ok := roles[in.SubjectID]
		if !ok {
			return Binding{}, models.Errorf(models.CodeInvalid, "Keystone has no role with ID %s", in.SubjectID)
		}
		subject = models.KubeSubject{Kind: models.KubeGroupKind, Name: in.SubjectID}
		shown = Subject{Kind: SubjectRole, ID: in.SubjectID, Name: name, KeystoneID: in.SubjectID}
	case SubjectUser:
		// Kubernetes matches User subjects by user name, which the webhook sets by the
		// user-name rule (domain-qualified outside the plain domain); the ID is kept in an
		// annotation.
		u, err := s.keystone.User(ctx, in.SubjectID)
		if models.ErrorCode(err) == models.CodeNotFound {
			return Binding{}, models.Errorf(models.CodeInvalid, "Keystone has no user with ID %s", in.SubjectID)
		}
		if err != nil {
			return Binding{}, err
		}
		name, err := s.usernames.Of(u)
		if err != nil {
			return Binding{}, models.Errorf(models.CodeInvalid, "the Keystone user %s cannot be a binding subject: %s", in.SubjectID, models.ErrorMessage(err))
		}
		subject = models.KubeSubject{Kind: models.KubeUserKind, Name: name}
		annotations = map[string]string{userIDsAnnotation: u.UserID}
		shown = Subject{Kind: SubjectUser, ID: name, Name: u.Username, Domain: u.Domain, KeystoneID: u.UserID}
	default:
		return Binding{}, models.Errorf(models.CodeInvalid, "a subject is a Keystone role or a Keystone user")
	}
	b := models.KubeBinding{Name: in.Name, Namespace: in.Namespace, RoleKind: "ClusterRole", RoleName: in.RoleName, Subjects: []models.KubeSubject{subject}, Annotations: annotations}
	if err := cluster.CreateBinding(ctx, b); err != nil {
		if models.ErrorCode(err) == models.CodeConflict {
			return Binding{}, models.Errorf(models.CodeConflict, "a binding named %s already exists there", in.Name)
		}
		return Binding{}, err
	}
	now := time.Now().UTC()
	return Binding{Name: in.Name, Namespace: in.Namespace, RoleKind: "ClusterRole", RoleName: in.RoleName, Subjects: []Subject{shown}, CreatedAt: &now}, nil
}

// Delete removes a binding; protected ones are refused. Like Create, it trims the
// namespace and name, so a binding made from " team-view " is deleted by the same words.
func (s *Service) Delete(ctx context.Context, cluster Cluster, namespace, name string) error {
	namespace, name = strings.TrimSpace(namespace), strings.TrimSpace(name)
	if (namespace != "" && !dnsLabel.MatchString(namespace)) || !objectName(name) {
		return models.Errorf(models.CodeInvalid, "no binding can be named %q", clip(models.BindingID(namespace, name)))
	}
	b, err := cluster.GetBinding(ctx, namespace, name)
	if err != nil {
		if models.ErrorCode(err) == models.CodeNotFound {
			return models.Errorf(models.CodeNotFound, "no binding %s", models.BindingID(namespace, name))
		}
		return err
	}
	if protected(b.Namespace, b.Name, b.Labels) {
		return models.Errorf(models.CodeForbidden, "the binding %s is managed by the platform and cannot be deleted", models.BindingID(namespace, name))
	}
	return cluster.DeleteBinding(ctx, namespace, name)
}

// clip shortens a caller's input for an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
