package identity

import (
	"strings"

	"kaas/models"
)

// ReservedPrefix is the user-name prefix Kubernetes keeps for its own components
// (system:kube-controller-manager, system:node:…, system:serviceaccount:…).
const ReservedPrefix = models.KubernetesReservedPrefix

// UsernameRule maps a Keystone user to the one Kubernetes user name the panel uses for
// it everywhere: in TokenReview answers, in RBAC User subjects, in the UI and in the audit
// trail. Users of PlainDomain keep their plain name; users of any other domain are
// "<name>@<domain name>". The mapping is one-to-one: a name in PlainDomain that holds an
// "@" is qualified too ("a@b@Default"), so that no plain name looks like another domain's
// qualified one, and a domain whose name holds an "@" is refused. Names that would start
// with a reserved prefix are refused, whatever the domain.
type UsernameRule struct {
	// PlainDomain is the name or ID of the domain whose users keep their plain name.
	PlainDomain string
	// ReservedPrefixes are refused at the start of a name, compared without case;
	// ReservedPrefix is always among them.
	ReservedPrefixes []string
}

// NewUsernameRule returns the rule; extra adds reserved prefixes to ReservedPrefix.
func NewUsernameRule(plainDomain string, extra ...string) UsernameRule {
	if plainDomain == "" {
		plainDomain = DefaultDomain
	}
	prefixes := []string{ReservedPrefix}
	for _, p := range extra {
		if p = strings.TrimSpace(p); p != "" && !strings.EqualFold(p, ReservedPrefix) {
			prefixes = append(prefixes, p)
		}
	}
	return UsernameRule{PlainDomain: plainDomain, ReservedPrefixes: prefixes}
}

// Username returns the Kubernetes user name of the Keystone user name in the domain
// (given by name and ID; either may be empty when unknown). A name the rule refuses is
// FORBIDDEN with the reason.
func (r UsernameRule) Username(name, domainName, domainID string) (string, error) {
	if name == "" {
		return "", models.Errorf(models.CodeForbidden, "the Keystone user has no name")
	}
	if domainName == "" && domainID == "" {
		domainName = DefaultDomain // a login that names no domain is in the default one
	}
	out := name
	if !r.isPlain(domainName, domainID) || strings.Contains(name, "@") {
		domain := domainName
		if domain == "" {
			domain = domainID
		}
		if domain == "" || strings.Contains(domain, "@") {
			return "", models.Errorf(models.CodeForbidden, "the Keystone domain %q cannot be part of a Kubernetes user name", domain)
		}
		out = name + "@" + domain
	}
	for _, p := range r.ReservedPrefixes {
		if models.HasPrefixFold(out, p) {
			return "", models.Errorf(models.CodeForbidden, "the Kubernetes user name %q would start with the reserved prefix %q", out, p)
		}
	}
	return out, nil
}

// Of returns the Kubernetes user name of an identity.
func (r UsernameRule) Of(id models.Identity) (string, error) {
	return r.Username(id.Username, id.Domain, id.DomainID)
}

// Display returns the name to show for a user in the UI and the audit trail: its
// Kubernetes user name, or, when the rule refuses one, "<name>@<domain>" as Keystone
// spells it.
func (r UsernameRule) Display(name, domainName, domainID string) string {
	if n, err := r.Username(name, domainName, domainID); err == nil {
		return n
	}
	domain := domainName
	if domain == "" {
		domain = domainID
	}
	if domain == "" {
		domain = DefaultDomain
	}
	return name + "@" + domain
}

// Split is the inverse of Username: the Keystone user name and domain name a Kubernetes
// user name stands for ("alice@engineering" → alice, engineering; "alice" → alice, the
// plain domain).
func (r UsernameRule) Split(kubernetesName string) (name, domain string) {
	if i := strings.LastIndex(kubernetesName, "@"); i >= 0 {
		return kubernetesName[:i], kubernetesName[i+1:]
	}
	return kubernetesName, r.PlainDomain
}

func (r UsernameRule) isPlain(domainName, domainID string) bool {
	return domainID == r.PlainDomain || strings.EqualFold(domainName, r.PlainDomain)
}
