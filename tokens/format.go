// Package tokens owns the panel's API tokens: their format, their lifecycle and the
// revocable in-memory cache that keeps the TokenReview hot path off the database.
package tokens

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"hash/crc32"
	"io"
	"math/big"
)

// Token format: "kaas_" + 43 base62 characters of a 256-bit random secret + 6 base62
// characters of the CRC32 of those 43. The prefix lets secret scanners find leaked tokens;
// the checksum rejects mistyped or truncated tokens before any lookup.
const (
	// Prefix starts every token.
	Prefix       = "kaas_"
	secretBytes  = 32
	secretChars  = 43 // ceil(256 / log2(62))
	checksumLen  = 6  // ceil(32 / log2(62))
	TokenLength  = len(Prefix) + secretChars + checksumLen
	displayChars = 8 // random characters shown in the token's public prefix
)

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

var alphabetIndex = func() (idx [256]int8) {
	for i := range idx {
		idx[i] = -1
	}
	for i := 0; i < len(alphabet); i++ {
		idx[alphabet[i]] = int8(i)
	}
	return idx
}()

// ErrMalformed says a string is not a token of this panel.
var ErrMalformed = errors.New("malformed token")

// Hash is the SHA-256 of a token; it is all the panel stores.
type Hash [sha256.Size]byte

// Generate returns a new token secret read from r (crypto/rand when nil).
func Generate(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, secretBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	body := base62(new(big.Int).SetBytes(b), secretChars)
	sum := base62(new(big.Int).SetUint64(uint64(crc32.ChecksumIEEE([]byte(body)))), checksumLen)
	return Prefix + body + sum, nil
}

// Parse checks a token's shape and checksum and returns its hash. It does no lookup.
func Parse(token string) (Hash, error) {
	if len(token) != TokenLength || token[:len(Prefix)] != Prefix {
		return Hash{}, ErrMalformed
	}
	for i := len(Prefix); i < len(token); i++ {
		if alphabetIndex[token[i]] < 0 {
			return Hash{}, ErrMalformed
		}
	}
	body := token[len(Prefix) : len(Prefix)+secretChars]
	var sum uint64
	for i := len(Prefix) + secretChars; i < len(token); i++ {
		sum = sum*62 + uint64(alphabetIndex[token[i]])
	}
	if sum != uint64(crc32.ChecksumIEEE([]byte(body))) {
		return Hash{}, ErrMalformed
	}
	return sha256.Sum256([]byte(token)), nil
}

// DisplayPrefix returns the part of a token that may be shown and stored in clear.
func DisplayPrefix(token string) string {
	return token[:len(Prefix)+displayChars]
}

// base62 encodes n in exactly width characters, most significant first.
func base62(n *big.Int, width int) string {
	out := make([]byte, width)
	base := big.NewInt(62)
	mod := new(big.Int)
	for i := width - 1; i >= 0; i-- {
		n.DivMod(n, base, mod)
		out[i] = alphabet[mod.Int64()]
	}
	return string(out)
}
