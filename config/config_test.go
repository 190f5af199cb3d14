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
			env := map[string]string{"OS_AUTH_URL": "http://keystone.test:5000/v3", "OS_USERNAME": "svc", "OS_PASSWORD": "pw"}
			for k, v := range tc.env {
				env[k] = v
			}
			c, err := config.Load(tc.args, func(k string) string { return env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.AuditRetention != tc.audit || c.ExpiredTokenGrace != tc.grace || c.MaxTokensPerUser != tc.maxTokens {
				t.Errorf("got retention %s, grace %s, max %d; want %s, %s, %d", c.AuditRetention, c.ExpiredTokenGrace, c.MaxTokensPerUser, tc.audit, tc.grace, tc.maxTokens)
			}
		})
	}
}
