package tokens

import (
	"bytes"
	"context"
	"crypto/sha256"
	"hash/crc32"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"kaas/models"
)

// FuzzParse: Parse never panics, accepts exactly the strings of the token format (checked
// here independently of Parse's own arithmetic) with their SHA-256, and accepts every token
// Generate makes.
func FuzzParse(f *testing.F) {
	good, _ := Generate(bytes.NewReader(bytes.Repeat([]byte{0xab}, secretBytes)))
	for _, s := range []string{"", good, good[:len(good)-1], good + "a", "ghp_" + good[4:], strings.Repeat("z", TokenLength),
		Prefix + strings.Repeat("0", secretChars+checksumLen), strings.Repeat("\xff", TokenLength), "kaas_\x00"} {
		f.Add(s, []byte{})
	}
	f.Add("", bytes.Repeat([]byte{0xff}, secretBytes))
	f.Add("", make([]byte, secretBytes))
	f.Fuzz(func(t *testing.T, token string, random []byte) {
		h, err := Parse(token)
		if want := wellFormed(token); (err == nil) != want {
			t.Fatalf("Parse(%q) = %v, want accepted=%v", token, err, want)
		}
		if err != nil && err != ErrMalformed {
			t.Fatalf("Parse(%q) = %v, want ErrMalformed", token, err)
		}
		if err == nil && h != sha256.Sum256([]byte(token)) {
			t.Fatalf("Parse(%q) hash is not the token's SHA-256", token)
		}
		if len(random) < secretBytes {
			return
		}
		gen, err := Generate(bytes.NewReader(random))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(gen); err != nil || !wellFormed(gen) {
			t.Fatalf("Parse(Generate(%x)) = %v", random[:secretBytes], err)
		}
		if p := DisplayPrefix(gen); !strings.HasPrefix(gen, p) || len(p) != len(Prefix)+displayChars {
			t.Fatalf("DisplayPrefix(%q) = %q", gen, p)
		}
	})
}

// wellFormed is the token format written out a second way: prefix, 43 base62 characters,
// and their CRC32 in 6 base62 digits (most significant first).
func wellFormed(s string) bool {
	if !strings.HasPrefix(s, Prefix) || len(s) != len(Prefix)+secretChars+checksumLen {
		return false
	}
	digits := make([]uint64, 0, secretChars+checksumLen)
	for _, c := range s[len(Prefix):] {
		i := strings.IndexRune(alphabet, c)
		if i < 0 {
			return false
		}
		digits = append(digits, uint64(i))
	}
	sum := crc32.ChecksumIEEE([]byte(s[len(Prefix) : len(Prefix)+secretChars]))
	want := uint64(sum)
	for i := len(digits) - 1; i >= secretChars; i-- {
		if digits[i] != want%62 {
			return false
		}
		want /= 62
	}
	return want == 0
}

// memStore keeps created tokens in memory, for fuzzing the service's validation fast.
type memStore struct{ created []*models.Token }

func (m *memStore) CreateTokenCapped(_ context.Context, t *models.Token, _ int) error {
	m.created = append(m.created[:0], t)
	return nil
}
func (*memStore) LiveTokens(context.Context, time.Time, func(models.TokenKey)) (int64, error) {
	return 0, nil
}
func (*memStore) TokenChanges(context.Context, int64, int) ([]models.TokenChange, error) {
	return nil, nil
}
func (*memStore) Tokens(context.Context, string, *models.TokenCursor, int) ([]models.Token, error) {
	return nil, nil
}
func (*memStore) DeleteToken(context.Context, string, string) (*models.Token, error) {
	return nil, models.Errorf(models.CodeNotFound, "no token")
}

// FuzzCreateToken runs createToken's inputs (name, lifetime) through the service's
// validation: bad input is INVALID and stores nothing; what is stored is a trimmed
// name of at most MaxTokenNameLength characters without control characters, and a
// lifetime of at most a year.
func FuzzCreateToken(f *testing.F) {
	for _, s := range []struct {
		name string
		days int64
	}{{"laptop", 30}, {"  ci  ", 0}, {"", 1}, {"a\nb", 1}, {strings.Repeat("é", models.MaxTokenNameLength), 365},
		{strings.Repeat("x", models.MaxTokenNameLength+1), 1}, {"\xff\xfe", 1}, {"x", -1}, {"x", 366}, {"\u202etxt.exe", 1}} {
		f.Add(s.name, s.days*24*int64(time.Hour))
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st := &memStore{}
	clock := func() time.Time { return now }
	svc := NewService(st, NewIndex(st, IndexOptions{InProcess: true, Now: clock}), Options{Now: clock})
	owner := models.Principal{UserID: "u-alice", Username: "alice", Domain: "Default"}
	f.Fuzz(func(t *testing.T, name string, lifetime int64) {
		st.created = st.created[:0]
		secret, tok, err := svc.Create(context.Background(), owner, name, time.Duration(lifetime))
		if err != nil {
			if models.ErrorCode(err) != models.CodeInvalid || len(st.created) != 0 {
				t.Fatalf("Create(%q, %d) = %v with %d stored, want INVALID storing nothing", name, lifetime, err, len(st.created))
			}
			return
		}
		trimmed := strings.TrimSpace(tok.Name)
		switch {
		case len(st.created) != 1 || st.created[0] != tok:
			t.Fatalf("Create(%q) stored %d tokens", name, len(st.created))
		case tok.Name == "" || tok.Name != trimmed || !utf8.ValidString(tok.Name) || utf8.RuneCountInString(tok.Name) > models.MaxTokenNameLength:
			t.Fatalf("Create(%q) stored the name %q", name, tok.Name)
		case strings.ContainsFunc(tok.Name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			t.Fatalf("Create(%q) stored a control character", name)
		case tok.ExpiresAt.Sub(tok.CreatedAt) <= 0 || tok.ExpiresAt.Sub(tok.CreatedAt) > models.MaxTokenLifetime:
			t.Fatalf("Create(%q, %d) lives %v", name, lifetime, tok.ExpiresAt.Sub(tok.CreatedAt))
		case !wellFormed(secret) || !strings.HasPrefix(secret, tok.Prefix):
			t.Fatalf("Create returned a malformed secret")
		}
	})
}
