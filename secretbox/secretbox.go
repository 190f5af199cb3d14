// Package secretbox encrypts secrets at rest (cluster credentials) with AES-256-GCM. Each
// sealed value names the key that sealed it, so keys can be rotated: the current key
// seals, the current and old keys open.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

const keyIDLen = 4

// Box seals with its current key and opens with any of its keys.
type Box struct {
	current keyed
	all     map[[keyIDLen]byte]cipher.AEAD
}

type keyed struct {
	id   [keyIDLen]byte
	aead cipher.AEAD
}

// New returns a Box sealing with current (32 bytes) and also opening with old keys.
func New(current []byte, old ...[]byte) (*Box, error) {
	b := &Box{all: map[[keyIDLen]byte]cipher.AEAD{}}
	for i, k := range append([][]byte{current}, old...) {
		kd, err := newKeyed(k)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		if i == 0 {
			b.current = kd
		}
		b.all[kd.id] = kd.aead
	}
	return b, nil
}

func newKeyed(key []byte) (keyed, error) {
	if len(key) != 32 {
		return keyed{}, errors.New("an AES-256 key has 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return keyed{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return keyed{}, err
	}
	sum := sha256.Sum256(append([]byte("kaas-secretbox-key-id:"), key...))
	var id [keyIDLen]byte
	copy(id[:], sum[:])
	return keyed{id: id, aead: aead}, nil
}

// Seal encrypts plaintext; aad binds it to its owner (a cluster ID) so a sealed value
// cannot be moved to another row.
func (b *Box) Seal(plaintext, aad []byte) ([]byte, error) {
	nonce := make([]byte, b.current.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	out := append(append(b.current.id[:], nonce...), nil...)
	return b.current.aead.Seal(out, nonce, plaintext, aad), nil
}

// Open decrypts a sealed value.
func (b *Box) Open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < keyIDLen {
		return nil, errors.New("sealed value too short")
	}
	var id [keyIDLen]byte
	copy(id[:], sealed)
	aead, ok := b.all[id]
	if !ok {
		return nil, errors.New("sealed with an unknown key: configure it in --old-credential-keys")
	}
	rest := sealed[keyIDLen:]
	if len(rest) < aead.NonceSize() {
		return nil, errors.New("sealed value too short")
	}
	plain, err := aead.Open(nil, rest[:aead.NonceSize()], rest[aead.NonceSize():], aad)
	if err != nil {
		return nil, fmt.Errorf("open sealed value: %w", err)
	}
	return plain, nil
}
