//go:build !faultinject

package config

import "flag"

// faultFlags adds nothing: the production binary has no fault-injection switches. Build
// with -tags faultinject for the crash tests.
func faultFlags(*flag.FlagSet, *Config) {}
