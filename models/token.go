package models

import "time"

// MaxTokenLifetime is the longest a token may live.
const MaxTokenLifetime = 365 * 24 * time.Hour

// MaxTokenNameLength is the longest token name, in characters.
const MaxTokenNameLength = 100

// Token is an API token. Only the SHA-256 hash of its secret is stored.
type Token struct {
	ID              string `gorm:"primaryKey"`
	UserID          string
	Username        string
	Name            string
	Prefix          string
	Hash            []byte
	CreatedAt       time.Time
	ExpiresAt       time.Time
	LastUsedAt      *time.Time
	LastUsedCluster *string
}

// Expired reports whether the token has expired at now.
func (t *Token) Expired(now time.Time) bool { return !now.Before(t.ExpiresAt) }

// TokenKey is what authenticating a token needs of it: the in-memory token index holds
// one for every live token.
type TokenKey struct {
	ID        string
	UserID    string
	Hash      []byte
	ExpiresAt time.Time
}

// TokenChange is an entry of the token change log: a token created or deleted, numbered
// in commit order.
type TokenChange struct {
	Seq     int64
	Deleted bool
	// Token is the changed token; for a creation, UserID and ExpiresAt are set only when
	// the token still exists (Exists).
	Token  TokenKey
	Exists bool
}

// TokenUse records that a token was accepted, for the batched last-used update.
type TokenUse struct {
	TokenID string
	At      time.Time
	Cluster string
}

// DefaultTokenPage and MaxTokenPage bound one page of a user's token list.
const (
	DefaultTokenPage = 100
	MaxTokenPage     = 500
)

// TokenCursor is where a page of a user's tokens (newest first) continues: after the
// token created at CreatedAt with ID.
type TokenCursor struct {
	CreatedAt time.Time
	ID        string
}

// Cursor returns the cursor that continues after t.
func (t *Token) Cursor() TokenCursor { return TokenCursor{CreatedAt: t.CreatedAt, ID: t.ID} }
