package config_test

import (
	"strings"
	"testing"
	"time"

	"kaas/config"
)

func load(t *testing.T, args ...string) (config.Config, error) {
	t.Helper()
	env := map[string]string{"OS_AUTH_URL": "http://keystone.test:5000/v3", "OS_USERNAME": "svc", "OS_PASSWORD": "pw"}
	return config.Load(args, func(k string) string { return env[k] })
}

func TestOpenStackDriverSettings(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"driver off by default", nil, ""},
		{"needs an https webhook", []string{"--openstack-image", "img"}, "https webhook"},
		{"https public webhook URL", []string{"--openstack-image", "img", "--webhook-public-url", "https://panel.example:8443"}, ""},
		{"webhook TLS listener", []string{"--openstack-image", "img", "--webhook-addr", ":8443", "--webhook-tls-cert", "c.pem", "--webhook-tls-key", "k.pem"}, ""},
		{"even masters", []string{"--openstack-image", "img", "--webhook-public-url", "https://p.example", "--openstack-masters", "2"}, "must be odd"},
		{"bad subnet", []string{"--openstack-image", "img", "--webhook-public-url", "https://p.example", "--openstack-subnet-cidr", "10.0.0.0/99"}, "subnet-cidr"},
		{"relative webhook URL", []string{"--webhook-public-url", "panel:8443"}, "not an absolute"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, tc.args...)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q (config %+v)", err, tc.wantErr, c.OpenStack)
			}
		})
	}
}

func TestWebhookURL(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--addr", ":8080"}, "http://127.0.0.1:8080"},
		{[]string{"--public-url", "https://panel.example"}, "https://panel.example"},
		{[]string{"--webhook-addr", "0.0.0.0:8443", "--webhook-tls-cert", "c", "--webhook-tls-key", "k", "--public-url", "https://panel.example"}, "https://127.0.0.1:8443"},
		{[]string{"--webhook-public-url", "https://hook.example:8443", "--webhook-addr", ":8443", "--webhook-tls-cert", "c", "--webhook-tls-key", "k"}, "https://hook.example:8443"},
	}
	for _, tc := range cases {
		c, err := load(t, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.WebhookURL(); got != tc.want {
			t.Errorf("%v: WebhookURL = %s, want %s", tc.args, got, tc.want)
		}
	}
}

func TestRetentionAndTokenLimitSettings(t *testing.T) {
	const day = 24 * time.Hour
	cases := []struct {
		name      string
		args      []string
		env       map[string]string
		audit     time.Duration
		grace     time.Duration
		maxTokens int
		wantErr   string
	}{
		{name: "defaults", audit: 400 * day, grace: 30 * day},
		{name: "days", args: []string{"--audit-retention", "90d", "--expired-token-grace", "7d"}, audit: 90 * day, grace: 7 * day},
		{name: "hours", args: []string{"--expired-token-grace", "36h"}, audit: 400 * day, grace: 36 * time.Hour},
		{name: "environment", env: map[string]string{"KAAS_AUDIT_RETENTION": "730d", "KAAS_EXPIRED_TOKEN_GRACE": "0", "KAAS_MAX_TOKENS_PER_USER": "50"}, audit: 730 * day, maxTokens: 50},
		{name: "flag over environment", args: []string{"--max-tokens-per-user", "5"}, env: map[string]string{"KAAS_MAX_TOKENS_PER_USER": "50"}, audit: 400 * day, grace: 30 * day, maxTokens: 5},
		{name: "keep audit forever", args: []string{"--audit-retention", "0"}, grace: 30 * day},
		{name: "retention under a day", args: []string{"--audit-retention", "1h"}, wantErr: "at least 1d"},
		{name: "negative grace", args: []string{"--expired-token-grace", "-1d"}, wantErr: "negative"},
		{name: "not a duration", args: []string{"--audit-retention", "forever"}, wantErr: "not a duration"},
		{name: "bad environment", env: map[string]string{"KAAS_AUDIT_RETENTION": "1y"}, wantErr: "KAAS_AUDIT_RETENTION"},
		{name: "negative token limit", args: []string{"--max-tokens-per-user", "-1"}, wantErr: "max-tokens-per-user"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, done := loadCase(t, tc.args, tc.env, tc.wantErr)
			if done {
				return
			}
			if c.AuditRetention != tc.audit || c.ExpiredTokenGrace != tc.grace || c.MaxTokensPerUser != tc.maxTokens {
				t.Errorf("got retention %s, grace %s, max %d; want %s, %s, %d", c.AuditRetention, c.ExpiredTokenGrace, c.MaxTokensPerUser, tc.audit, tc.grace, tc.maxTokens)
			}
		})
	}
}

// TestMalformedEnvironmentIsAnError starts with a typed setting that does not parse: the
// panel refuses to start and names it, instead of silently using the default.
func TestMalformedEnvironmentIsAnError(t *testing.T) {
	cases := []struct {
		name, key, value, wantErr string
	}{
		{"bool", "KAAS_WEBHOOK_REQUIRE_CLUSTER_CREDENTIAL", "yes", `KAAS_WEBHOOK_REQUIRE_CLUSTER_CREDENTIAL="yes" is not a boolean`},
		{"duration", "KAAS_SESSION_TTL", "12", `KAAS_SESSION_TTL="12" is not a duration`},
		{"duration of the access settings", "KAAS_LOGIN_BACKOFF_MAX", "forever", `KAAS_LOGIN_BACKOFF_MAX="forever" is not a duration`},
		{"number", "KAAS_MAX_WEBSOCKETS_PER_USER", "many", `KAAS_MAX_WEBSOCKETS_PER_USER="many" is not a whole number`},
		{"a valid bool", "KAAS_WEBHOOK_REQUIRE_CLUSTER_CREDENTIAL", "true", ""},
		{"a valid duration", "KAAS_SESSION_TTL", "2h", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"OS_AUTH_URL": "http://keystone.test:5000/v3", "OS_USERNAME": "svc", "OS_PASSWORD": "pw", tc.key: tc.value}
			_, err := config.Load(nil, func(k string) string { return env[k] })
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestTransportSettings(t *testing.T) {
	cases := []struct {
		name         string
		args         []string
		env          map[string]string
		wantErr      string
		wantInsecure bool
		wantIdle     time.Duration
	}{
		{name: "defaults", wantIdle: 4 * time.Second},
		{name: "insecure webhook by flag", args: []string{"--allow-insecure-webhook"}, wantInsecure: true, wantIdle: 4 * time.Second},
		{name: "insecure webhook by env", env: map[string]string{"KAAS_ALLOW_INSECURE_WEBHOOK": "true"}, wantInsecure: true, wantIdle: 4 * time.Second},
		{name: "flag overrides env", args: []string{"--allow-insecure-webhook=false"}, env: map[string]string{"KAAS_ALLOW_INSECURE_WEBHOOK": "1"}, wantIdle: 4 * time.Second},
		{name: "insecure webhook env not a boolean", env: map[string]string{"KAAS_ALLOW_INSECURE_WEBHOOK": "yes please"}, wantErr: "KAAS_ALLOW_INSECURE_WEBHOOK"},
		{name: "Keystone idle timeout by env", env: map[string]string{"KAAS_KEYSTONE_IDLE_TIMEOUT": "2s"}, wantIdle: 2 * time.Second},
		{name: "Keystone idle timeout by flag", args: []string{"--keystone-idle-timeout", "1500ms"}, wantIdle: 1500 * time.Millisecond},
		{name: "zero Keystone idle timeout", args: []string{"--keystone-idle-timeout", "0s"}, wantErr: "keystone-idle-timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, done := loadCase(t, tc.args, tc.env, tc.wantErr)
			if done {
				return
			}
			if c.AllowInsecureWebhook != tc.wantInsecure || c.Keystone.IdleTimeout != tc.wantIdle {
				t.Fatalf("allow insecure webhook %v, Keystone idle timeout %s; want %v, %s", c.AllowInsecureWebhook, c.Keystone.IdleTimeout, tc.wantInsecure, tc.wantIdle)
			}
		})
	}
}

func TestDatabaseSettings(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		wantErr string
		check   func(config.Database) bool
	}{
		{"defaults", nil, "", func(d config.Database) bool {
			return d.MaxOpenConns == 20 && d.MaxIdleConns == 10 && d.StatementTimeout.Seconds() == 30 && d.TxRetries == 3 && d.ListenCheck.Seconds() == 5
		}},
		{"no statement timeout, no retries", []string{"--database-statement-timeout", "0", "--database-tx-retries", "0"}, "", func(d config.Database) bool {
			return d.StatementTimeout == 0 && d.TxRetries == 0
		}},
		{"idle above open", []string{"--database-max-open-conns", "4", "--database-max-idle-conns", "5"}, "database settings", nil},
		{"no connections", []string{"--database-max-open-conns", "0"}, "database settings", nil},
		{"negative timeout", []string{"--database-statement-timeout", "-1s"}, "database settings", nil},
		{"too many retries", []string{"--database-tx-retries", "11"}, "database settings", nil},
		{"listen check too short", []string{"--database-listen-check", "10ms"}, "database settings", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, tc.args...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !tc.check(c.Database) {
				t.Fatalf("settings %+v", c.Database)
			}
		})
	}
}

// loadCase loads args with the base environment plus env. It reports whether the case is
// over: the expected error came (an unexpected one, or none, fails the test).
func loadCase(t *testing.T, args []string, env map[string]string, wantErr string) (config.Config, bool) {
	t.Helper()
	all := map[string]string{"OS_AUTH_URL": "http://keystone.test:5000/v3", "OS_USERNAME": "svc", "OS_PASSWORD": "pw"}
	for k, v := range env {
		all[k] = v
	}
	c, err := config.Load(args, func(k string) string { return all[k] })
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error %v, want one containing %q", err, wantErr)
		}
		return c, true
	}
	if err != nil {
		t.Fatal(err)
	}
	return c, false
}

func TestClusterAdminRoleTemplate(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    string
		wantErr string
	}{
		{name: "default", want: "%s-cluster-admin"},
		{name: "flag", args: []string{"--cluster-admin-role-template", "k8s-%s-admins"}, want: "k8s-%s-admins"},
		{name: "environment", env: map[string]string{"KAAS_CLUSTER_ADMIN_ROLE_TEMPLATE": "%s-admins"}, want: "%s-admins"},
		{name: "no cluster name", args: []string{"--cluster-admin-role-template", "admins"}, wantErr: "exactly one %s"},
		{name: "another verb", args: []string{"--cluster-admin-role-template", "%s-%d"}, wantErr: "exactly one %s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, done := loadCase(t, tt.args, tt.env, tt.wantErr)
			if done {
				return
			}
			if c.AdminRoleTemplate != tt.want {
				t.Fatalf("template = %q, want %q", c.AdminRoleTemplate, tt.want)
			}
		})
	}
}

func TestAddonSettings(t *testing.T) {
	tests := []struct {
		name         string
		args         []string
		env          map[string]string
		wantDefaults []string // nil: every add-on
		wantDir      string
		wantErr      string
	}{
		{name: "default: every add-on", wantDefaults: nil},
		{name: "none", args: []string{"--cluster-addons", "none"}, wantDefaults: []string{}},
		{name: "a list", env: map[string]string{"KAAS_CLUSTER_ADDONS": "cni, ingress"}, wantDefaults: []string{"cni", "ingress"}},
		{name: "flag wins", args: []string{"--cluster-addons", "velero"}, env: map[string]string{"KAAS_CLUSTER_ADDONS": "cni"}, wantDefaults: []string{"velero"}},
		{name: "catalog dir", env: map[string]string{"KAAS_ADDON_CATALOG_DIR": "/etc/kaas/addons"}, wantDir: "/etc/kaas/addons"},
		{name: "malformed name", env: map[string]string{"KAAS_CLUSTER_ADDONS": "cni,Ingress_NGINX"}, wantErr: `"Ingress_NGINX" is not an add-on name`},
		{name: "empty entry", args: []string{"--cluster-addons", "cni,,velero"}, wantErr: `"" is not an add-on name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, done := loadCase(t, tt.args, tt.env, tt.wantErr)
			if done {
				return
			}
			if (c.Addons.Defaults == nil) != (tt.wantDefaults == nil) || strings.Join(c.Addons.Defaults, ",") != strings.Join(tt.wantDefaults, ",") {
				t.Errorf("defaults %#v, want %#v", c.Addons.Defaults, tt.wantDefaults)
			}
			if c.Addons.CatalogDir != tt.wantDir {
				t.Errorf("catalog dir %q", c.Addons.CatalogDir)
			}
		})
	}
}
