package tokens_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"kaas/internal/testenv"
	"kaas/models"
	"kaas/tokens"
)

// fixedRand returns the same 32 bytes on every read, so a test knows a secret before
// the token exists.
type fixedRand byte

func (f fixedRand) Read(p []byte) (int, error) {
	copy(p, bytes.Repeat([]byte{byte(f)}, len(p)))
	return len(p), nil
}

func TestATokenLookedUpBeforeItsCreationWorksOnceCreated(t *testing.T) {
	svc := testenv.TokenService(t, openStore(t), tokens.Options{Rand: fixedRand(9)})
	ctx := context.Background()
	secret, _ := tokens.Generate(fixedRand(9))
	if _, err := svc.Authenticate(ctx, secret, ""); models.ErrorCode(err) != models.CodeUnauthenticated {
		t.Fatalf("before creation: %v", err)
	}
	created, _, err := svc.Create(ctx, alice, "laptop", 0)
	if err != nil || created != secret {
		t.Fatalf("Create = %q, %v", created, err)
	}
	if _, err := svc.Authenticate(ctx, secret, ""); err != nil {
		t.Fatalf("the new token was refused from a remembered lookup: %v", err)
	}
}

func TestListPagesAndTheLimitPerUser(t *testing.T) {
	db := openStore(t)
	clk := newClock()
	svc := testenv.TokenService(t, db, tokens.Options{Now: clk.now, MaxPerUser: 230})
	ctx := context.Background()
	for i := range 230 {
		if _, _, err := svc.Create(ctx, alice, fmt.Sprint("t", i), 0); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			clk.add(time.Second)
		}
	}
	_, _, err := svc.Create(ctx, alice, "one too many", 0)
	if models.ErrorCode(err) != models.CodeConflict || !strings.Contains(models.ErrorMessage(err), "230 tokens") {
		t.Fatalf("token 231: %v, want CONFLICT naming the limit", err)
	}
	if _, _, err := svc.Create(ctx, models.Principal{UserID: "u-bob", Username: "bob"}, "bob's", 0); err != nil {
		t.Fatalf("another user: %v", err)
	}

	tests := []struct {
		name  string
		first int
		pages []int
		code  models.Code
	}{
		{"default page", 0, []int{100, 100, 30}, ""},
		{"largest page", models.MaxTokenPage, []int{230}, ""},
		{"exact fit", 115, []int{115, 115}, ""},
		{"too large", models.MaxTokenPage + 1, nil, models.CodeInvalid},
		{"negative", -1, nil, models.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[string]bool{}
			var after *models.TokenCursor
			var sizes []int
			for {
				page, err := svc.List(ctx, alice.UserID, after, tt.first)
				if models.ErrorCode(err) != tt.code {
					t.Fatalf("err = %v, want %q", err, tt.code)
				}
				if err != nil {
					return
				}
				sizes = append(sizes, len(page.Tokens))
				for _, tok := range page.Tokens {
					if seen[tok.ID] || tok.UserID != alice.UserID {
						t.Fatalf("token %s listed twice or of another user", tok.ID)
					}
					seen[tok.ID] = true
				}
				if page.Next == nil {
					break
				}
				if len(sizes) > 10 {
					t.Fatal("the pages do not end")
				}
				after = page.Next
			}
			if fmt.Sprint(sizes) != fmt.Sprint(tt.pages) || len(seen) != 230 {
				t.Errorf("pages %v (%d tokens), want %v (230)", sizes, len(seen), tt.pages)
			}
		})
	}

	page, _ := svc.List(ctx, alice.UserID, nil, 1)
	if _, err := svc.Delete(ctx, alice.UserID, page.Tokens[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Create(ctx, alice, "after a delete", 0); err != nil {
		t.Errorf("under the limit again: %v", err)
	}
}

func TestCursorRoundTripAndRejects(t *testing.T) {
	c := models.TokenCursor{CreatedAt: time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.UTC), ID: "0b7e6f52-2c55-4b53-9a57-0b1b4d6f2a10"}
	got, err := tokens.ParseCursor(tokens.EncodeCursor(c))
	if err != nil || !got.CreatedAt.Equal(c.CreatedAt) || got.ID != c.ID {
		t.Fatalf("round trip = %+v, %v", got, err)
	}
	for name, s := range map[string]string{
		"empty": "", "not base64": "!!", "no separator": "YWJj", "bad time": tokens.EncodeCursor(c)[:10] + "xx",
		"sql in the id": "MjAyNi0wNS0wNlQwNzowODowOVogJyBPUiAxPTEgLS0", "long": strings.Repeat("A", 200),
	} {
		if _, err := tokens.ParseCursor(s); models.ErrorCode(err) != models.CodeInvalid {
			t.Errorf("%s: %v, want INVALID", name, err)
		}
	}
}
