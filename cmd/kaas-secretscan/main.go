// Command kaas-secretscan is the last step of `make test`: it looks for every secret the
// run's harnesses recorded in the ledger (KAAS_SECRET_LEDGER) in every file under the
// run's log directory (KAAS_TEST_LOG_DIR): the logs of the panels, of the local clusters'
// etcd and kube-apiserver, of the test Keystone during the run and of the browser tests'
// servers. It prints where each leak is and of what kind, never the secret, and exits 1
// on a leak, on an empty ledger (a harness stopped recording) or on no logs.
//
//	go run ./cmd/kaas-secretscan -ledger .state/test-secrets.jsonl -logs .state/test-logs
package main

import (
	"flag"
	"fmt"
	"os"

	"kaas/internal/secretscan"
)

func main() {
	ledger := flag.String("ledger", os.Getenv("KAAS_SECRET_LEDGER"), "the run's secret ledger (JSON lines)")
	logs := flag.String("logs", os.Getenv("KAAS_TEST_LOG_DIR"), "the run's log directory")
	minEntries := flag.Int("min-entries", 1, "fail when the ledger holds fewer secrets")
	flag.Parse()
	if err := run(*ledger, *logs, *minEntries); err != nil {
		fmt.Fprintln(os.Stderr, "kaas-secretscan:", err)
		os.Exit(1)
	}
}

func run(ledger, logs string, minEntries int) error {
	if ledger == "" || logs == "" {
		return fmt.Errorf("-ledger and -logs (KAAS_SECRET_LEDGER, KAAS_TEST_LOG_DIR) are required")
	}
	entries, err := secretscan.ReadLedger(ledger)
	if err != nil {
		return err
	}
	r, err := secretscan.Scan(logs, entries, secretscan.DemoCredentials)
	if err != nil {
		return err
	}
	fmt.Println("kaas-secretscan:", r.Summary())
	for _, k := range r.KindCounts() {
		fmt.Printf("  %s\n", k)
	}
	for _, f := range r.Findings {
		fmt.Println("  " + f.String())
	}
	switch {
	case r.Entries < minEntries:
		return fmt.Errorf("the ledger holds %d secrets, fewer than %d: a harness stopped recording", r.Entries, minEntries)
	case r.Bytes == 0:
		return fmt.Errorf("no log under %s", logs)
	case len(r.Leaks()) > 0:
		return fmt.Errorf("%d secrets leaked into the logs (%s): see above", len(r.Leaks()), r.KindsLeaked())
	}
	return nil
}
