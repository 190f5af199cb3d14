package tokens

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/google/uuid"

	"kaas/models"
)

// EncodeCursor returns the opaque text of a cursor for API clients.
func EncodeCursor(c models.TokenCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.CreatedAt.UTC().Format(time.RFC3339Nano) + " " + c.ID))
}

// ParseCursor reads a cursor made by EncodeCursor; anything else is INVALID. A cursor
// stays valid when its token is deleted: it names a place in the order, not a row.
func ParseCursor(s string) (models.TokenCursor, error) {
	bad := models.Errorf(models.CodeInvalid, "after is not a cursor of the token list")
	if len(s) > 128 {
		return models.TokenCursor{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return models.TokenCursor{}, bad
	}
	at, id, ok := strings.Cut(string(b), " ")
	if !ok {
		return models.TokenCursor{}, bad
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return models.TokenCursor{}, bad
	}
	if _, err := uuid.Parse(id); err != nil {
		return models.TokenCursor{}, bad
	}
	return models.TokenCursor{CreatedAt: t.UTC(), ID: id}, nil
}
