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
			if c.AllowInsecureWebhook != tc.wantInsecure || c.Keystone.IdleTimeout != tc.wantIdle {
				t.Fatalf("allow insecure webhook %v, Keystone idle timeout %s; want %v, %s", c.AllowInsecureWebhook, c.Keystone.IdleTimeout, tc.wantInsecure, tc.wantIdle)
			}
		})
	}
}
