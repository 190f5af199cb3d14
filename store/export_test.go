package store

import "time"

// SetLockCheckInterval shortens how often RunExclusive checks its lock connection.
func SetLockCheckInterval(db *DB, d time.Duration) { db.lockCheck = d }
