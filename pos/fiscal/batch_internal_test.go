package fiscal

import (
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"testing"

	"filippo.io/edwards25519"
)

func signedItems(t *testing.T, key ed25519.PrivateKey, n int) []sigItem {
	t.Helper()
	items := make([]sigItem, n)
	for i := range items {
		h := sumHex("", fmt.Appendf(nil, `{"seq":%d}`, i))
		items[i] = sigItem{idx: int64(i), chain: ChainTicket, seq: int64(i + 1), hash: h, sig: Sign(key, h)}
	}
	return items
}

// TestBatchOK checks the batch equation itself: a batch of good signatures passes it (so verify
// does not silently fall back to one-by-one checking), and any one bad signature among 256 makes
// it fail, whatever is wrong with it.
func TestBatchOK(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	_, other, _ := ed25519.GenerateKey(nil)
	bk := newBatchKey(pub)
	good := signedItems(t, key, sigBatch)
	for range 3 {
		if !bk.batchOK(good) {
			t.Fatal("a batch of good signatures fails the batch equation")
		}
	}
	if !bk.batchOK(good[:1]) {
		t.Fatal("a batch of one good signature fails")
	}
	sigBytes := func(s string) []byte { b, _ := base64.RawURLEncoding.DecodeString(s); return b }
	enc := base64.RawURLEncoding.EncodeToString
	mutations := map[string]func(it *sigItem){
		"another key":      func(it *sigItem) { it.sig = Sign(other, it.hash) },
		"another message":  func(it *sigItem) { it.hash = sumHex("x", []byte(it.hash)) },
		"flipped bit in s": func(it *sigItem) { b := sigBytes(it.sig); b[40] ^= 4; it.sig = enc(b) },
		"flipped bit in R": func(it *sigItem) { b := sigBytes(it.sig); b[3] ^= 1; it.sig = enc(b) },
		"s + ℓ (not reduced)": func(it *sigItem) {
			b := sigBytes(it.sig)
			// ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
			l := []byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
				0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}
			var c uint16
			for i := range 32 {
				c += uint16(b[32+i]) + uint16(l[i])
				b[32+i] = byte(c)
				c >>= 8
			}
			it.sig = enc(b)
		},
		"truncated": func(it *sigItem) { it.sig = it.sig[:40] },
		"swapped":   func(it *sigItem) { it.sig = good[7].sig },
	}
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			items := append([]sigItem(nil), good...)
			mutate(&items[137])
			if sigOK(pub, items[137].hash, items[137].sig) {
				t.Fatal("the mutation leaves a signature the strict check accepts")
			}
			if bk.batchOK(items) {
				t.Fatal("a batch with one bad signature passes the batch equation")
			}
		})
	}
	if newBatchKey(ed25519.PublicKey(make([]byte, 31))).batchOK(good) {
		t.Fatal("a malformed public key passes")
	}
}

// TestBatchOK_Looseness documents the one difference from the strict check (docs/fiscal-fr.md):
// a signature made with the private key whose R carries a small-order point passes the
// cofactored batch equation though crypto/ed25519 refuses it. It cannot be made without the key.
func TestBatchOK_Looseness(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	bk := newBatchKey(pub)
	items := signedItems(t, key, 8)
	// A point of order 2: (0, -1), encoded y = p - 1.
	t2 := make([]byte, 32)
	t2[0] = 0xec
	for i := 1; i < 31; i++ {
		t2[i] = 0xff
	}
	t2[31] = 0x7f
	T, err := new(edwards25519.Point).SetBytes(t2)
	if err != nil {
		t.Fatal(err)
	}
	h := sha512.Sum512(key.Seed())
	a, _ := new(edwards25519.Scalar).SetBytesWithClamping(h[:32])
	r, _ := new(edwards25519.Scalar).SetUniformBytes(append(make([]byte, 32), h[:32]...))
	R := new(edwards25519.Point).Add(new(edwards25519.Point).ScalarBaseMult(r), T)
	msg := items[3].hash
	kh := sha512.Sum512(append(append(R.Bytes(), pub...), msg...))
	k, _ := new(edwards25519.Scalar).SetUniformBytes(kh[:])
	s := new(edwards25519.Scalar).MultiplyAdd(k, a, r)
	items[3].sig = base64.RawURLEncoding.EncodeToString(append(R.Bytes(), s.Bytes()...))
	if sigOK(pub, msg, items[3].sig) {
		t.Fatal("crypto/ed25519 accepts a signature with a small-order R component")
	}
	if !bk.batchOK(items) {
		t.Fatal("the cofactored batch refuses it; the looseness documented in docs/fiscal-fr.md is gone: update the doc")
	}
}

func BenchmarkBatchOK(b *testing.B) {
	pub, key, _ := ed25519.GenerateKey(nil)
	bk := newBatchKey(pub)
	items := make([]sigItem, sigBatch)
	for i := range items {
		h := sumHex("", fmt.Appendf(nil, `{"seq":%d}`, i))
		items[i] = sigItem{hash: h, sig: Sign(key, h)}
	}
	for b.Loop() {
		if !bk.batchOK(items) {
			b.Fatal("batch fails")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*sigBatch)/1000, "µs/sig")
}

func BenchmarkStrictVerify(b *testing.B) {
	pub, key, _ := ed25519.GenerateKey(nil)
	h := sumHex("", []byte("x"))
	sig := Sign(key, h)
	for b.Loop() {
		if !sigOK(pub, h, sig) {
			b.Fatal("bad")
		}
	}
}
