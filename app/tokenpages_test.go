package app_test

import (
	"fmt"
	"strings"
	"testing"

	"kaas/internal/apptest"
)

func TestTokenPagesAndTheLimitPerUserThroughGraphQL(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.MaxTokensPerUser = 5
	p := apptest.Start(t, cfg)
	c := p.Client(t)
	c.Login("ursula")
	for i := range 5 {
		c.CreateToken(fmt.Sprint("t", i))
	}
	r := c.Do(`mutation{createToken(input:{name:"one too many"}){secret}}`, nil, nil)
	if r.Code() != "CONFLICT" || !strings.Contains(r.Errors[0].Message, "5 tokens, the most this panel allows per user") {
		t.Fatalf("sixth token: %+v, want CONFLICT naming the limit", r.Errors)
	}

	type page struct {
		TokenPage struct {
			Tokens    []struct{ ID, Name string }
			NextAfter *string
		}
	}
	seen := map[string]bool{}
	var sizes []int
	var after any
	for len(sizes) < 5 {
		var pg page
		c.MustDo(`query($after:String){tokenPage(first:2, after:$after){tokens{id name} nextAfter}}`, map[string]any{"after": after}, &pg)
		sizes = append(sizes, len(pg.TokenPage.Tokens))
		for _, tok := range pg.TokenPage.Tokens {
			if seen[tok.ID] {
				t.Fatalf("token %s on two pages", tok.ID)
			}
			seen[tok.ID] = true
		}
		if pg.TokenPage.NextAfter == nil {
			break
		}
		after = *pg.TokenPage.NextAfter
	}
	if fmt.Sprint(sizes) != "[2 2 1]" || len(seen) != 5 {
		t.Fatalf("pages of %v (%d tokens), want [2 2 1] (5)", sizes, len(seen))
	}

	var list struct{ Tokens []struct{ Name string } }
	c.MustDo(`{tokens{name}}`, nil, &list)
	if len(list.Tokens) != 5 || list.Tokens[0].Name != "t4" {
		t.Fatalf("the plain list = %+v, want the 5 tokens newest first", list.Tokens)
	}
	c.MustDo(`{tokens(first:1){name}}`, nil, &list)
	if len(list.Tokens) != 1 {
		t.Fatalf("tokens(first:1) = %+v", list.Tokens)
	}

	for name, q := range map[string]string{
		"page too large": `{tokens(first:501){id}}`,
		"empty page":     `{tokenPage(first:0){nextAfter}}`,
		"not a cursor":   `{tokens(after:"' OR 1=1 --"){id}}`,
		"forged base64":  `{tokenPage(after:"bm90IGEgY3Vyc29y"){nextAfter}}`,
	} {
		if r := c.Do(q, nil, nil); r.Code() != "INVALID" {
			t.Errorf("%s: %+v, want INVALID", name, r.Errors)
		}
	}
}
