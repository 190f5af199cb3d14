package models

import "strings"

// KubernetesReservedPrefix starts the user and group names Kubernetes keeps for its own
// components (system:kube-controller-manager, system:node:…, system:masters).
const KubernetesReservedPrefix = "system:"

// HasPrefixFold reports whether s starts with prefix, compared without case and without
// allocating (it runs on the TokenReview path).
func HasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Role is a Keystone role. In Kubernetes its ID is a group name.
type Role struct {
	ID   string
	Name string
}

// Identity is what the panel knows about a Keystone user.
type Identity struct {
	UserID   string
	Username string
	Domain   string
	DomainID string
	Enabled  bool
	// Roles are the user's effectively assigned roles, deduplicated, sorted by ID.
	Roles []Role
	// Assignments are the same roles with the scope each is held on.
	Assignments []Assignment
}

// RoleIDs returns the IDs of the identity's roles: its Kubernetes groups.
func (i Identity) RoleIDs() []string {
	ids := make([]string, len(i.Roles))
	for n, r := range i.Roles {
		ids[n] = r.ID
	}
	return ids
}

// HasAnyRole reports whether the identity holds one of the roles, by ID or name.
func (i Identity) HasAnyRole(idsOrNames ...string) bool {
	for _, r := range i.Roles {
		for _, want := range idsOrNames {
			if want != "" && (r.ID == want || r.Name == want) {
				return true
			}
		}
	}
	return false
}

// Principal is the caller of a request: who they are and how they proved it.
type Principal struct {
	UserID   string
	Username string
	Domain   string
	DomainID string
	// SessionID is set when the caller used a panel session.
	SessionID string
	// TokenID is set when the caller used an API token rather than a panel session.
	TokenID string
}

// KeystoneUser is a Keystone user as a search lists it: enough to choose a binding's
// subject, without roles.
type KeystoneUser struct {
	ID       string
	Name     string
	DomainID string
	Domain   string
	Enabled  bool
}

// KeystoneUserPage is one page of a user search, sorted by name then domain.
type KeystoneUserPage struct {
	Users []KeystoneUser
	// Total is how many users matched in all.
	Total int
	// Offset is the position of the page's first user among them.
	Offset int
}
