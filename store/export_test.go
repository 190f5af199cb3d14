package store

import "time"

// SetLockCheckInterval shortens how often RunExclusive checks its lock connection.
func SetLockCheckInterval(db *DB, d time.Duration) { db.lockCheck = d }

// MapError exposes the store's error mapping.
func MapError(err error) error { return mapError(err, "test") }
