//go:build !faultinject

package config_test

import (
	"strings"
	"testing"
)

// TestNoFaultInjectionInTheProductionBinary: the test-only switch is unknown to a build
// without the faultinject tag.
func TestNoFaultInjectionInTheProductionBinary(t *testing.T) {
	_, err := load(t, "--fault-pause-after-step", "1s")
	if err == nil || !strings.Contains(err.Error(), "flag provided but not defined") {
		t.Fatalf("--fault-pause-after-step in a production build: %v", err)
	}
}
