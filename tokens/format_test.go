package tokens

import (
	"bytes"
	"strings"
	"testing"
)

func TestGenerateAndParse(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		tok, err := Generate(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) != TokenLength || !strings.HasPrefix(tok, Prefix) {
			t.Fatalf("token %q has the wrong shape", tok)
		}
		if seen[tok] {
			t.Fatal("duplicate token")
		}
		seen[tok] = true
		if _, err := Parse(tok); err != nil {
			t.Fatalf("Parse(%q) = %v", tok, err)
		}
	}
}

func TestParseRejects(t *testing.T) {
	good, _ := Generate(bytes.NewReader(bytes.Repeat([]byte{0xab}, 32)))
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'a' {
			b[i] = 'b'
		} else {
			b[i] = 'a'
		}
		return string(b)
	}
	tests := []struct{ name, token string }{
		{"empty", ""},
		{"truncated", good[:len(good)-1]},
		{"extended", good + "a"},
		{"wrong prefix", "ghp_" + good[4:]},
		{"typo in the secret", flip(good, 10)},
		{"typo in the checksum", flip(good, len(good)-1)},
		{"bad character", good[:20] + "-" + good[21:]},
		{"keystone token", strings.Repeat("gAAAAAB", 8)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse(tt.token); err != ErrMalformed {
				t.Fatalf("Parse = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestMaximumSecretEncodesInWidth(t *testing.T) {
	tok, err := Generate(bytes.NewReader(bytes.Repeat([]byte{0xff}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(tok); err != nil {
		t.Fatalf("all-ones secret: %v", err)
	}
	if DisplayPrefix(tok) != tok[:13] {
		t.Errorf("DisplayPrefix = %q", DisplayPrefix(tok))
	}
}
