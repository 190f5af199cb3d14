package models_test

import (
	"strings"
	"testing"

	"kaas/models"
)

// FuzzClusterInputs runs the inputs of provisionCluster and adoptCluster (name, base
// domain, size) through their validation and checks each answer against the rule written
// out by hand: a name is a DNS label of at most 40 characters starting with a letter; a
// base domain is lowercase DNS labels of at most 63 characters, at most 253 in all; a
// size is within its bounds, else INVALID.
func FuzzClusterInputs(f *testing.F) {
	d := models.DefaultClusterSize
	for _, s := range []struct {
		name, domain string
		size         models.ClusterSize
	}{
		{"demo", "kaas.test", d},
		{"a", "x", models.ClusterSize{Workers: 1, WorkerVCPU: 1, WorkerRAMGB: 1, WorkerDiskGB: 10, RegistryDBGB: 1}},
		{strings.Repeat("a", 40), strings.Repeat(strings.Repeat("b", 63)+".", 3) + strings.Repeat("c", 61), models.ClusterSize{Workers: 100, WorkerVCPU: 256, WorkerRAMGB: 4096, WorkerDiskGB: 16384, RegistryDBGB: 1024}},
		{strings.Repeat("a", 41), "a..b", models.ClusterSize{Workers: 101}},
		{"1abc", "-a.b", models.ClusterSize{Workers: -1 << 63}},
		{"abc-", "a.b-", models.ClusterSize{Workers: 3, WorkerVCPU: 4, WorkerRAMGB: 8, WorkerDiskGB: 9, RegistryDBGB: 10}},
		{"Demo", "KAAS.test", d},
		{"de\nmo", "kaas.test\n", d},
		{"démo", "xn--dmo-bpa.test", d},
	} {
		f.Add(s.name, s.domain, s.size.Workers, s.size.WorkerVCPU, s.size.WorkerRAMGB, s.size.WorkerDiskGB, s.size.RegistryDBGB)
	}
	f.Fuzz(func(t *testing.T, name, domain string, workers, vcpu, ram, disk, registry int) {
		if got, want := models.ValidClusterName(name), clusterName(name); got != want {
			t.Fatalf("ValidClusterName(%q) = %v, want %v", name, got, want)
		}
		if got, want := models.ValidBaseDomain(domain), baseDomain(domain); got != want {
			t.Fatalf("ValidBaseDomain(%q) = %v, want %v", domain, got, want)
		}
		size := models.ClusterSize{Workers: workers, WorkerVCPU: vcpu, WorkerRAMGB: ram, WorkerDiskGB: disk, RegistryDBGB: registry}
		err := size.Validate()
		within := 1 <= workers && workers <= 100 && 1 <= vcpu && vcpu <= 256 && 1 <= ram && ram <= 4096 &&
			10 <= disk && disk <= 16384 && 1 <= registry && registry <= 1024
		if (err == nil) != within || (err != nil && models.ErrorCode(err) != models.CodeInvalid) {
			t.Fatalf("%+v.Validate() = %v, want valid=%v", size, err, within)
		}
	})
}

func lowerDigit(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

func clusterName(s string) bool {
	if len(s) == 0 || len(s) > 40 || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !lowerDigit(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

func baseDomain(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if len(label) == 0 || len(label) > 63 || !lowerDigit(label[0]) || !lowerDigit(label[len(label)-1]) {
			return false
		}
		for i := 0; i < len(label); i++ {
			if !lowerDigit(label[i]) && label[i] != '-' {
				return false
			}
		}
	}
	return true
}
