package config

import (
	"flag"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"kaas/models"
)

// Access is who the panel lets in and how hard it makes guessing: the scope of the
// operator and cluster-admin roles, the Kubernetes user-name rule, login throttling and
// the proxies whose X-Forwarded-For is believed.
type Access struct {
	// RoleScope lists where the operator role and the clusters' admin roles count;
	// the first is where provisioning assigns a new cluster's admin role.
	RoleScope []models.ScopeRef
	// PlainUsernameDomain is the Keystone domain (name or ID) whose users keep their
	// plain name in Kubernetes; others become <name>@<domain>.
	PlainUsernameDomain string
	// ReservedUsernamePrefixes are refused at the start of Kubernetes user names, on top
	// of system:.
	ReservedUsernamePrefixes []string
	// TrustedProxies are the networks whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	// LoginFreeFailures is how many failed logins of one user (name and domain) pass
	// before each further one adds a growing wait; LoginAddressFreeFailures likewise for
	// one client address.
	LoginFreeFailures        int
	LoginAddressFreeFailures int
	// LoginBackoffMax caps the wait; LoginFailureHalfLife is how fast failures are
	// forgotten.
	LoginBackoffMax      time.Duration
	LoginFailureHalfLife time.Duration
	// WebsocketRecheck is how often an open websocket re-checks its session or token.
	WebsocketRecheck time.Duration
}

// DefaultAccess is Access with the flags' defaults and the given role scope (for
// programs that build their configuration without flags: tests, benchmarks).
func DefaultAccess(scope []models.ScopeRef) Access {
	return Access{
		RoleScope: scope, PlainUsernameDomain: "Default",
		LoginFreeFailures: 5, LoginAddressFreeFailures: 20,
		LoginBackoffMax: 15 * time.Minute, LoginFailureHalfLife: 10 * time.Minute,
		WebsocketRecheck: 3 * time.Second,
	}
}

type accessFlags struct {
	roleScope, reserved, proxies *string
}

func (c *Config) accessFlags(fs *flag.FlagSet, env func(name, def string) string, typed *typedEnv) accessFlags {
	fs.StringVar(&c.Access.PlainUsernameDomain, "plain-username-domain", env("KAAS_PLAIN_USERNAME_DOMAIN", "Default"), "Keystone domain whose users keep their plain name in Kubernetes")
	fs.IntVar(&c.Access.LoginFreeFailures, "login-free-failures", typed.int("KAAS_LOGIN_FREE_FAILURES", 5), "failed logins of one user before the backoff starts")
	fs.IntVar(&c.Access.LoginAddressFreeFailures, "login-address-free-failures", typed.int("KAAS_LOGIN_ADDRESS_FREE_FAILURES", 20), "failed logins from one client address before the backoff starts")
	fs.DurationVar(&c.Access.LoginBackoffMax, "login-backoff-max", typed.duration("KAAS_LOGIN_BACKOFF_MAX", 15*time.Minute), "longest wait after failed logins")
	fs.DurationVar(&c.Access.LoginFailureHalfLife, "login-failure-half-life", typed.duration("KAAS_LOGIN_FAILURE_HALF_LIFE", 10*time.Minute), "time in which half of the failed logins counted are forgotten")
	fs.DurationVar(&c.Access.WebsocketRecheck, "websocket-recheck", typed.duration("KAAS_WEBSOCKET_RECHECK", 3*time.Second), "how often an open websocket re-checks its session or token")
	return accessFlags{
		roleScope: fs.String("role-scope", env("KAAS_ROLE_SCOPE", ""), "where the operator and cluster-admin roles count: system, domain:<d>, project:<p>[@<domain>], comma-separated (default: the service account's project)"),
		reserved:  fs.String("reserved-username-prefixes", env("KAAS_RESERVED_USERNAME_PREFIXES", ""), "comma-separated Kubernetes user-name prefixes refused on top of system:"),
		proxies:   fs.String("trusted-proxies", env("KAAS_TRUSTED_PROXIES", ""), "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed"),
	}
}

func (c *Config) parseAccess(f accessFlags) error {
	scope := *f.roleScope
	if scope == "" {
		scope = models.ScopeProject + ":" + c.Keystone.ProjectName + "@" + c.Keystone.ProjectDomain
	}
	var err error
	if c.Access.RoleScope, err = models.ParseScopeRefs(scope, c.Keystone.ProjectDomain); err != nil {
		return fmt.Errorf("--role-scope: %w", err)
	}
	c.Access.ReservedUsernamePrefixes = splitList(*f.reserved)
	if c.Access.TrustedProxies, err = ParsePrefixes(*f.proxies); err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	if c.Access.LoginFreeFailures < 1 || c.Access.LoginAddressFreeFailures < 1 || c.Access.LoginBackoffMax <= 0 || c.Access.LoginFailureHalfLife <= 0 || c.Access.WebsocketRecheck <= 0 {
		return fmt.Errorf("login throttling settings must be positive")
	}
	return nil
}

// ParsePrefixes parses comma-separated IP addresses and CIDRs.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, p := range splitList(s) {
		if strings.Contains(p, "/") {
			pfx, err := netip.ParsePrefix(p)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or CIDR", p)
			}
			out = append(out, pfx.Masked())
			continue
		}
		a, err := netip.ParseAddr(p)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR", p)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
