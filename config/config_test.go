package config_test

import (
	"strings"
	"testing"

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
