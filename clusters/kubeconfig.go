package clusters

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"

	"sigs.k8s.io/yaml"

	"kaas/models"
)

// WebhookKubeconfig returns the kubeconfig a cluster's kube-apiserver is given with
// --authentication-token-webhook-config-file: the panel's per-cluster webhook URL, the CA
// of the panel's TLS listener (empty for plain http), and the cluster's credential. With
// no cluster name it names the plain /authenticate path, and with no credential it
// carries none.
func WebhookKubeconfig(panelURL, clusterName, caPEM, credential string) ([]byte, error) {
	server := strings.TrimSuffix(panelURL, "/") + "/authenticate"
	if clusterName != "" {
		server += "/" + clusterName
	}
	user := map[string]any{}
	if credential != "" {
		user["token"] = credential
	}
	cluster := map[string]any{"server": server}
	if caPEM != "" {
		cluster["certificate-authority-data"] = base64.StdEncoding.EncodeToString([]byte(caPEM))
	}
	cfg := map[string]any{
		"apiVersion":      "v1",
		"kind":            "Config",
		"clusters":        []any{map[string]any{"name": "kaas-panel", "cluster": cluster}},
		"users":           []any{map[string]any{"name": "kube-apiserver-" + clusterName, "user": user}},
		"contexts":        []any{map[string]any{"name": "webhook", "context": map[string]any{"cluster": "kaas-panel", "user": "kube-apiserver-" + clusterName}}},
		"current-context": "webhook",
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("marshal webhook kubeconfig: %w", err)
	}
	return out, nil
}

// CheckWebhookURL refuses to wire a cluster to a webhook reached over plain http unless
// allowInsecure (--allow-insecure-webhook, for loopback demos): its kube-apiserver would
// send every user's token, and the cluster's credential, across the network in clear.
func CheckWebhookURL(webhookURL string, allowInsecure bool) error {
	u, err := url.Parse(webhookURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return models.Errorf(models.CodeConflict, "the panel has no webhook URL clusters can reach (--webhook-public-url, --webhook-addr or --public-url)")
	}
	if u.Scheme == "http" && !allowInsecure {
		return models.Errorf(models.CodeConflict, "the webhook URL %s is plain http: kube-apiservers would send users' tokens across the network in clear. "+
			"Serve the webhook over https (--webhook-addr with a certificate, or an https --webhook-public-url), "+
			"or start the panel with --allow-insecure-webhook (loopback demos only)", webhookURL)
	}
	return nil
}
