package secretbox

import (
	"bytes"
	"testing"
)

func TestSealOpenRotate(t *testing.T) {
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	b1, err := New(k1)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := b1.Seal([]byte("kubeconfig"), []byte("c1"))
	if err != nil || bytes.Contains(sealed, []byte("kubeconfig")) {
		t.Fatalf("Seal = %x, %v", sealed, err)
	}
	if p, err := b1.Open(sealed, []byte("c1")); err != nil || string(p) != "kubeconfig" {
		t.Fatalf("Open = %q, %v", p, err)
	}
	if _, err := b1.Open(sealed, []byte("c2")); err == nil {
		t.Error("opened with another owner's AAD")
	}
	tampered := append([]byte{}, sealed...)
	tampered[len(tampered)-1] ^= 1
	if _, err := b1.Open(tampered, []byte("c1")); err == nil {
		t.Error("opened a tampered value")
	}
	rotated, _ := New(k2, k1)
	if p, err := rotated.Open(sealed, []byte("c1")); err != nil || string(p) != "kubeconfig" {
		t.Fatalf("after rotation: %q, %v", p, err)
	}
	// After rotation new values carry the new key's ID, not the old one's.
	resealed, err := rotated.Seal([]byte("kubeconfig"), []byte("c1"))
	if err != nil || bytes.Equal(resealed[:keyIDLen], sealed[:keyIDLen]) {
		t.Fatalf("sealed after rotation with the old key's ID: %x, %v", resealed, err)
	}
	only2, _ := New(k2)
	if p, err := only2.Open(resealed, []byte("c1")); err != nil || string(p) != "kubeconfig" {
		t.Fatalf("a value sealed after rotation needs the old key: %q, %v", p, err)
	}
	if _, err := only2.Open(sealed, []byte("c1")); err == nil {
		t.Error("opened without the old key")
	}
	if _, err := New([]byte("short")); err == nil {
		t.Error("short key accepted")
	}
}
