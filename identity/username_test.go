package identity

import (
	"testing"

	"kaas/models"
)

func TestUsernameRule(t *testing.T) {
	rule := NewUsernameRule("Default", "kaas:")
	cases := []struct {
		name, user, domain, domainID string
		want                         string // "" means refused
	}{
		{"default domain keeps the plain name", "alice", "Default", "default", "alice"},
		{"domain name compared without case", "alice", "default", "x", "alice"},
		{"a login without a domain is in the default one", "alice", "", "", "alice"},
		{"other domain is qualified", "alice", "other", "d1", "alice@other"},
		{"other domain known only by ID", "alice", "", "d1", "alice@d1"},
		{"an @ in a default-domain name is qualified", "alice@other", "Default", "default", "alice@other@Default"},
		{"an @ in another domain's user name stays unambiguous", "a@b", "c", "d2", "a@b@c"},
		{"a domain with an @ is refused", "alice", "x@y", "d3", ""},
		{"system: is refused", "system:kube-controller-manager", "Default", "default", ""},
		{"system: in any case is refused", "SYSTEM:masters", "Default", "default", ""},
		{"system: is refused in other domains too", "system:node:n1", "other", "d1", ""},
		{"configured prefixes are refused", "kaas:panel", "Default", "default", ""},
		{"system in the middle is fine", "my-system:x", "Default", "default", "my-system:x"},
		{"an empty name is refused", "", "Default", "default", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := rule.Username(c.user, c.domain, c.domainID)
			if c.want == "" {
				if err == nil || models.ErrorCode(err) != models.CodeForbidden {
					t.Fatalf("Username(%q, %q) = %q, %v; want FORBIDDEN", c.user, c.domain, got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Username(%q, %q) = %q, %v; want %q", c.user, c.domain, got, err, c.want)
			}
		})
	}
}

func TestUsernameRuleDisplay(t *testing.T) {
	rule := NewUsernameRule("Default")
	if got := rule.Display("system:x", "Default", "default"); got != "system:x@Default" {
		t.Fatalf("Display of a refused name = %q", got)
	}
	if got := rule.Display("bob", "corp", "c1"); got != "bob@corp" {
		t.Fatalf("Display = %q", got)
	}
}

func TestUsernameRuleSplit(t *testing.T) {
	rule := NewUsernameRule("Default")
	cases := []struct {
		name, kube, wantName, wantDomain string
	}{
		{"plain name is in the plain domain", "alice", "alice", "Default"},
		{"qualified name", "alice@engineering", "alice", "engineering"},
		{"an @ in a plain-domain name", "a@b@Default", "a@b", "Default"},
		{"an @ in another domain's name", "a@b@c", "a@b", "c"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, d := rule.Split(c.kube)
			if n != c.wantName || d != c.wantDomain {
				t.Fatalf("Split(%q) = %q, %q; want %q, %q", c.kube, n, d, c.wantName, c.wantDomain)
			}
			// The split names the same Kubernetes user again.
			if back, err := rule.Username(n, d, ""); err != nil || back != c.kube {
				t.Fatalf("Username(%q, %q) = %q, %v; want %q", n, d, back, err, c.kube)
			}
		})
	}
}
