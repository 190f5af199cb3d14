package tokens

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"kaas/models"
)

// Store is the persistence the token service needs.
type Store interface {
	// CreateTokenCapped stores t unless its owner has maxPerUser tokens (0: no limit).
	CreateTokenCapped(ctx context.Context, t *models.Token, maxPerUser int) error
	// Tokens returns at most limit of the user's tokens, newest first, after the cursor.
	Tokens(ctx context.Context, userID string, after *models.TokenCursor, limit int) ([]models.Token, error)
	DeleteToken(ctx context.Context, userID, id string) (*models.Token, error)
}

// Service creates, lists, deletes and authenticates API tokens. Every lookup is answered
// by its Index, in memory: a review never reads the database.
type Service struct {
	store      Store
	index      *Index
	usage      *UsageRecorder
	now        func() time.Time
	rand       io.Reader
	maxPerUser int
}

// Options configures a Service.
type Options struct {
	// MaxPerUser caps how many tokens one user may hold; 0 means no limit.
	MaxPerUser int
	Usage      *UsageRecorder
	Now        func() time.Time
	Rand       io.Reader
}

// NewService returns the token service over store, looking tokens up in index (loaded
// by the caller, see Index.Load).
func NewService(store Store, index *Index, opts Options) *Service {
	s := &Service{store: store, index: index, usage: opts.Usage, now: opts.Now, rand: opts.Rand, maxPerUser: max(opts.MaxPerUser, 0)}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s
}

// Index returns the service's token index.
func (s *Service) Index() *Index { return s.index }

// Create makes a token for the owner and returns its secret, which is not kept. lifetime
// zero means the maximum, one year.
func (s *Service) Create(ctx context.Context, owner models.Principal, name string, lifetime time.Duration) (string, *models.Token, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", nil, models.Errorf(models.CodeInvalid, "a token needs a name")
	case utf8.RuneCountInString(name) > models.MaxTokenNameLength:
		return "", nil, models.Errorf(models.CodeInvalid, "a token name has at most %d characters", models.MaxTokenNameLength)
	case !utf8.ValidString(name) || strings.ContainsFunc(name, isControl):
		return "", nil, models.Errorf(models.CodeInvalid, "a token name cannot contain control characters")
	case lifetime < 0 || lifetime > models.MaxTokenLifetime:
		return "", nil, models.Errorf(models.CodeInvalid, "a token lives between one day and one year")
	case lifetime == 0:
		lifetime = models.MaxTokenLifetime
	}
	secret, err := Generate(s.rand)
	if err != nil {
		return "", nil, fmt.Errorf("generate token: %w", err)
	}
	h, _ := Parse(secret)
	now := s.now().UTC()
	t := &models.Token{
		ID: uuid.NewString(), UserID: owner.UserID, Username: owner.Username, Name: name,
		Prefix: DisplayPrefix(secret), Hash: h[:], CreatedAt: now, ExpiresAt: now.Add(lifetime),
	}
	if err := s.store.CreateTokenCapped(ctx, t, s.maxPerUser); err != nil {
		return "", nil, fmt.Errorf("store token: %w", err)
	}
	// Other replicas learn of the creation from the change log.
	s.index.Put(t)
	return secret, t, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// TokenPage is one page of a user's tokens, newest first.
type TokenPage struct {
	Tokens []models.Token
	// Next continues after the page's last token; nil when no token follows.
	Next *models.TokenCursor
}

// List returns one page of the user's tokens, newest first: at most first
// (models.DefaultTokenPage when 0, models.MaxTokenPage at most) after the cursor.
func (s *Service) List(ctx context.Context, userID string, after *models.TokenCursor, first int) (TokenPage, error) {
	switch {
	case first < 0 || first > models.MaxTokenPage:
		return TokenPage{}, models.Errorf(models.CodeInvalid, "first must be between 1 and %d", models.MaxTokenPage)
	case first == 0:
		first = models.DefaultTokenPage
	}
	// One more than asked tells whether another page follows, in the same statement.
	ts, err := s.store.Tokens(ctx, userID, after, first+1)
	if err != nil {
		return TokenPage{}, err
	}
	page := TokenPage{Tokens: ts}
	if len(ts) > first {
		page.Tokens = ts[:first]
		next := ts[first-1].Cursor()
		page.Next = &next
	}
	return page, nil
}

// Delete revokes one of the user's tokens; it stops working at once on this replica, and
// on the others when they receive the database's revocation notice.
func (s *Service) Delete(ctx context.Context, userID, id string) (*models.Token, error) {
	t, err := s.store.DeleteToken(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	s.index.Remove(t)
	return t, nil
}

// The refusals of Authenticate, made once: a spray of bad tokens costs no allocation for
// its errors.
var (
	errMalformed = models.Errorf(models.CodeUnauthenticated, "the token is malformed")
	errUnknown   = models.Errorf(models.CodeUnauthenticated, "the token is unknown or was deleted")
	errExpired   = models.Errorf(models.CodeUnauthenticated, "the token has expired")
)

// Authenticate returns the token whose secret is given and records its use on cluster
// (empty for the panel's API). Malformed, unknown and expired tokens are UNAUTHENTICATED.
// The token carries what the index holds: ID, owner and expiry.
func (s *Service) Authenticate(ctx context.Context, secret, cluster string) (*models.Token, error) {
	l, err := s.AuthenticateLive(ctx, secret, cluster)
	if err != nil {
		return nil, err
	}
	return l.Token(), nil
}

// AuthenticateLive is Authenticate for the hot path: the token it returns is the index's
// own (no copy), with room for a rendered answer.
func (s *Service) AuthenticateLive(ctx context.Context, secret, cluster string) (*Live, error) {
	h, err := Parse(secret)
	if err != nil {
		return nil, errMalformed
	}
	l, err := s.index.Get(ctx, h)
	switch {
	case err != nil:
		return nil, err
	case l == nil:
		return nil, errUnknown
	}
	now := s.now()
	if now.UnixNano() >= l.expires {
		return nil, errExpired
	}
	if s.usage != nil {
		s.usage.Record(models.TokenUse{TokenID: l.ID, At: now.UTC(), Cluster: cluster})
	}
	return l, nil
}
