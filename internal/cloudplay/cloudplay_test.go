package cloudplay

import (
	"context"
	"strings"
	"testing"
)

// TestBootFirstMasterRefusesIncompleteUserData checks that a master is played only from
// user data with everything its API server needs: no etcd or kube-apiserver is started
// (the binary directory does not exist) and the error names what is missing.
func TestBootFirstMasterRefusesIncompleteUserData(t *testing.T) {
	file := func(path string) string { return "  - path: " + path + "\n    content: x\n" }
	all := file("/etc/kubernetes/pki/ca.crt") + file("/etc/kubernetes/pki/ca.key") + file("/etc/kubernetes/pki/sa.pub") + file("/etc/kubernetes/pki/sa.key")
	tests := []struct {
		name, userData, want string
	}{
		{name: "not YAML", userData: "write_files: [", want: "user data"},
		{name: "no files", userData: "#cloud-config\n", want: "lacks /etc/kubernetes/pki/"},
		{name: "no CA key", userData: "write_files:\n" + strings.Replace(all, file("/etc/kubernetes/pki/ca.key"), "", 1), want: "lacks /etc/kubernetes/pki/ca.key"},
		{name: "no webhook kubeconfig", userData: "write_files:\n" + all, want: "lacks " + webhookFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := BootFirstMaster(context.Background(), []byte(tc.userData), "/nonexistent-kube-bin", t.TempDir(), "c1")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("BootFirstMaster: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestIsFirstMaster(t *testing.T) {
	tests := []struct {
		server string
		want   bool
	}{
		{"prod-1a2b3c4d-master-0", true},
		{"prod-1a2b3c4d-master-1", false},
		{"prod-1a2b3c4d-worker-0", false},
		{"master-0-worker-3", false},
	}
	for _, tc := range tests {
		t.Run(tc.server, func(t *testing.T) {
			if got := IsFirstMaster(tc.server); got != tc.want {
				t.Errorf("IsFirstMaster(%q) = %v, want %v", tc.server, got, tc.want)
			}
		})
	}
}
