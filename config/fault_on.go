//go:build faultinject

package config

import "flag"

// faultFlags adds the fault-injection switches of a test build (-tags faultinject).
func faultFlags(fs *flag.FlagSet, c *Config) {
	fs.DurationVar(&c.FaultPauseAfterStep, "fault-pause-after-step", 0, "fault-injection tests only: hold each provisioning step open before recording it")
}
