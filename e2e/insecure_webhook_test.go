package e2e_test

import (
	"strings"
	"testing"

	"kaas/config"
	"kaas/internal/apptest"
	"kaas/internal/testenv"
)

// TestPlainHTTPWebhookNeedsExplicitPermission asks, over GraphQL, for a real cluster's
// webhook kubeconfig on panels whose webhook URL is plain http or https: plain http is
// refused with CONFLICT naming --allow-insecure-webhook (no credential issued; a LOCAL
// cluster is refused too, before any job) unless that flag is set; https is always
// handed out. (TestProvisionLocalCluster runs a LOCAL cluster with the flag.)
func TestPlainHTTPWebhookNeedsExplicitPermission(t *testing.T) {
	kc := startCluster(t, t.TempDir(), "insecure-hook", nil, "")
	binDir := testenv.Getenv(t, "KAAS_KUBE_BIN_DIR")
	cases := []struct {
		name      string
		configure func(cfg *config.Config)
		refused   bool
		wantURL   func(cfg config.Config, panelURL string) string
	}{
		{
			name:    "plain http refused by default",
			refused: true,
		},
		{
			name:      "plain http with --allow-insecure-webhook",
			configure: func(cfg *config.Config) { cfg.AllowInsecureWebhook = true },
			wantURL:   func(_ config.Config, panelURL string) string { return panelURL + "/authenticate/" },
		},
		{
			name: "https webhook listener",
			configure: func(cfg *config.Config) {
				cfg.WebhookAddr = testenv.FreeAddr(t)
				cfg.WebhookTLSCert, cfg.WebhookTLSKey = testenv.SelfSignedCert(t)
			},
			wantURL: func(cfg config.Config, _ string) string { return "https://" + cfg.WebhookAddr + "/authenticate/" },
		},
		{
			name:      "https public webhook URL",
			configure: func(cfg *config.Config) { cfg.WebhookPublicURL = "https://hook.kaas.test:8443" },
			wantURL:   func(config.Config, string) string { return "https://hook.kaas.test:8443/authenticate/" },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := apptest.Config(t)
			cfg.KubeBinDir = binDir
			if tc.configure != nil {
				tc.configure(&cfg)
			}
			panel := apptest.Start(t, cfg)
			op := panel.Client(t)
			op.Login("oscar")
			var adopted struct{ AdoptCluster struct{ ID string } }
			op.MustDo(`mutation($i:AdoptClusterInput!){adoptCluster(input:$i){id}}`, map[string]any{"i": map[string]any{
				"name": "insecure-hook", "baseDomain": "kaas.test", "kubeconfig": string(kc.AdminKubeconfig()),
			}}, &adopted)

			var issued struct{ IssueWebhookKubeconfig string }
			r := op.Do(`mutation($id:ID!){issueWebhookKubeconfig(clusterId:$id)}`, map[string]any{"id": adopted.AdoptCluster.ID}, &issued)
			if tc.refused {
				local := op.Do(`mutation{provisionCluster(input:{name:"insecure-local",baseDomain:"kaas.test",driver:LOCAL,adminUser:"ursula"}){id}}`, nil, nil)
				var jobs struct{ Jobs []struct{ ID string } }
				op.MustDo(`{jobs{id}}`, nil, &jobs)
				for what, r := range map[string]apptest.Response{"issueWebhookKubeconfig": r, "provisionCluster LOCAL": local} {
					if r.Code() != "CONFLICT" || !strings.Contains(r.Errors[0].Message, "--allow-insecure-webhook") || !strings.Contains(r.Errors[0].Message, "http://") {
						t.Errorf("%s: %+v, want CONFLICT naming --allow-insecure-webhook", what, r.Errors)
					}
				}
				if issued.IssueWebhookKubeconfig != "" {
					t.Errorf("a refused request handed out:\n%s", issued.IssueWebhookKubeconfig)
				}
				if len(jobs.Jobs) != 0 {
					t.Errorf("a refused LOCAL cluster made jobs: %+v", jobs)
				}
				var audit struct {
					AuditEntries struct {
						Entries []struct{ Action, Result string }
					}
				}
				op.MustDo(`{auditEntries(filter:{all:true, action:"cluster.webhook-credential"}, first:10){entries{action result}}}`, nil, &audit)
				if e := audit.AuditEntries.Entries; len(e) != 1 || e[0].Result != "CONFLICT" {
					t.Errorf("audit of the refusal: %+v", e)
				}
				return
			}
			if len(r.Errors) > 0 {
				t.Fatalf("issueWebhookKubeconfig: %+v", r.Errors)
			}
			want := tc.wantURL(cfg, panel.URL) + "insecure-hook"
			if !strings.Contains(issued.IssueWebhookKubeconfig, "server: "+want) || !strings.Contains(issued.IssueWebhookKubeconfig, "kaaswh_") {
				t.Errorf("webhook kubeconfig lacks %s and a credential:\n%s", want, issued.IssueWebhookKubeconfig)
			}
		})
	}
}
