package local_test

import (
	"os"
	"path/filepath"
	"testing"

	"kaas/provisioning"
	"kaas/provisioning/local"
)

// TestLocalDriverEnabledOnceBinariesAppear checks that the local driver turns on without
// a restart when a background build puts its binaries into BinDir.
func TestLocalDriverEnabledOnceBinariesAppear(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		step func()
		want bool
	}{
		{"not configured", nil, false},
		{"empty directory", nil, false},
		{"etcd only", func() { write("etcd", 0o755) }, false},
		{"kube-apiserver not executable", func() { write("kube-apiserver", 0o644) }, false},
		{"no controller manager", func() { os.Chmod(filepath.Join(dir, "kube-apiserver"), 0o755) }, false},
		{"all three binaries", func() { write("kube-controller-manager", 0o755) }, true},
	}
	for i, tc := range cases {
		d := &local.Driver{BinDir: dir}
		if i == 0 {
			d.BinDir = ""
		}
		if tc.step != nil {
			tc.step()
		}
		if got := d.Enabled(); got != tc.want {
			t.Errorf("%s: Enabled() = %v, want %v", tc.name, got, tc.want)
		}
		cj := &provisioning.ClusterJobs{Drivers: provisioning.NewDriverRegistry(d)}
		hasLocal := false
		for _, drv := range cj.Drivers.Enabled() {
			hasLocal = hasLocal || drv == local.Name
		}
		if hasLocal != tc.want {
			t.Errorf("%s: Drivers.Enabled() = %v", tc.name, cj.Drivers.Enabled())
		}
	}
}
