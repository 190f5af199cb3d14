package models

import (
	"fmt"
	"strings"
)

// Scope is where a Keystone role assignment applies: a project, a domain or the system.
type Scope struct {
	// Kind is ScopeProject, ScopeDomain or ScopeSystem.
	Kind       string
	ID         string
	Name       string
	DomainID   string // of a project
	DomainName string // of a project
}

// Scope kinds.
const (
	ScopeProject = "project"
	ScopeDomain  = "domain"
	ScopeSystem  = "system"
)

// Assignment is one role a user effectively holds on one scope.
type Assignment struct {
	RoleID   string
	RoleName string
	Scope    Scope
}

// ScopeRef names a scope in the panel's configuration: "system", "domain:<name or ID>"
// or "project:<name or ID>[@<domain name or ID>]".
type ScopeRef struct {
	Kind string
	// Ref is the project's or domain's name or ID.
	Ref string
	// Domain is the project's domain (name or ID); required with a project name.
	Domain string
}

// String returns the ref in the configuration's syntax.
func (r ScopeRef) String() string {
	switch {
	case r.Kind == ScopeSystem:
		return ScopeSystem
	case r.Kind == ScopeProject && r.Domain != "":
		return r.Kind + ":" + r.Ref + "@" + r.Domain
	}
	return r.Kind + ":" + r.Ref
}

// ParseScopeRefs parses a comma-separated list of scope refs. A project without a domain
// gets defaultDomain, so that a project of the same name in another domain never counts.
func ParseScopeRefs(s, defaultDomain string) ([]ScopeRef, error) {
	var out []ScopeRef
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if part == ScopeSystem {
			out = append(out, ScopeRef{Kind: ScopeSystem})
			continue
		}
		kind, ref, ok := strings.Cut(part, ":")
		if !ok || ref == "" || (kind != ScopeProject && kind != ScopeDomain) {
			return nil, fmt.Errorf("role scope %q is not system, domain:<name or ID> or project:<name or ID>[@<domain>]", part)
		}
		r := ScopeRef{Kind: kind, Ref: ref}
		if kind == ScopeProject {
			if name, domain, ok := strings.Cut(ref, "@"); ok {
				r.Ref, r.Domain = name, domain
			} else {
				r.Domain = defaultDomain
			}
			if r.Ref == "" || r.Domain == "" {
				return nil, fmt.Errorf("role scope %q names no project or domain", part)
			}
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the role scope is empty")
	}
	return out, nil
}

// Matches reports whether an assignment's scope is the one the ref names.
func (r ScopeRef) Matches(s Scope) bool {
	if r.Kind != s.Kind {
		return false
	}
	switch r.Kind {
	case ScopeSystem:
		return true
	case ScopeDomain:
		return s.ID == r.Ref || (s.Name != "" && s.Name == r.Ref)
	case ScopeProject:
		if s.ID == r.Ref {
			return true
		}
		// Project names are unique only within a domain.
		return s.Name != "" && s.Name == r.Ref && (s.DomainID == r.Domain || (s.DomainName != "" && s.DomainName == r.Domain))
	}
	return false
}

// HoldsRoleOn reports whether the identity holds one of the roles (by ID or name) through
// an assignment on one of the scopes. The same role on any other project or domain does
// not count.
func (i Identity) HoldsRoleOn(scopes []ScopeRef, idsOrNames ...string) bool {
	for _, a := range i.Assignments {
		if !roleIn(a, idsOrNames) {
			continue
		}
		for _, s := range scopes {
			if s.Matches(a.Scope) {
				return true
			}
		}
	}
	return false
}

func roleIn(a Assignment, idsOrNames []string) bool {
	for _, want := range idsOrNames {
		if want != "" && (a.RoleID == want || a.RoleName == want) {
			return true
		}
	}
	return false
}
