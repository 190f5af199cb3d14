package store

import (
	"context"
	"crypto/sha256"
	"time"
)

// session is a live panel session. Only the SHA-256 of the session ID is kept, so a copy
// of the table does not hold anything a cookie could be made from (the cookie also needs
// the signing key).
type session struct {
	IDHash    []byte    `gorm:"primaryKey;size:32"`
	UserID    string    `gorm:"size:64;not null;index:idx_sessions_user"`
	CreatedAt time.Time `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null;index:idx_sessions_expires"`
}

func (session) TableName() string { return "sessions" }

func sessionHash(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// CreateSession records a new live session of the user.
func (db *DB) CreateSession(ctx context.Context, id, userID string, expires time.Time) error {
	s := session{IDHash: sessionHash(id), UserID: userID, CreatedAt: time.Now().UTC(), ExpiresAt: expires.UTC()}
	return mapError(db.gorm.WithContext(ctx).Create(&s).Error, "session")
}

// SessionLive reports whether the session exists, belongs to the user and has not
// expired.
func (db *DB) SessionLive(ctx context.Context, id, userID string) (bool, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Model(&session{}).
		Where("id_hash = ? AND user_id = ? AND expires_at > ?", sessionHash(id), userID, time.Now().UTC()).
		Count(&n).Error
	return n > 0, mapError(err, "session")
}

// DeleteSession ends one session; ending one that is gone is not an error.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return mapError(db.gorm.WithContext(ctx).Where("id_hash = ?", sessionHash(id)).Delete(&session{}).Error, "session")
}

// DeleteUserSessions ends every session of the user and returns how many it removed.
func (db *DB) DeleteUserSessions(ctx context.Context, userID string) (int64, error) {
	res := db.gorm.WithContext(ctx).Where("user_id = ?", userID).Delete(&session{})
	return res.RowsAffected, mapError(res.Error, "sessions")
}

// DeleteExpiredSessions removes sessions that expired before cutoff.
func (db *DB) DeleteExpiredSessions(ctx context.Context, cutoff time.Time) (int64, error) {
	res := db.gorm.WithContext(ctx).Where("expires_at < ?", cutoff.UTC()).Delete(&session{})
	return res.RowsAffected, mapError(res.Error, "sessions")
}
