// Package replicas holds the tests of the panel run as several real processes on one
// PostgreSQL server that the tests own (internal/replicaset): revocation, job takeover
// after kill -9, subscriptions across replicas, a database restart and work that must run
// on one replica at a time.
package replicas
