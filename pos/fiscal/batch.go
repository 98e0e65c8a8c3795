package fiscal

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"

	"filippo.io/edwards25519"
)

// Batch verification of the journal's Ed25519 signatures (docs/fiscal-fr.md "How verify checks
// the signatures").
//
// A batch of n signatures (R_i, s_i) of messages M_i under the one store key A holds when
//
//	[8]( -[Σ z_i·s_i]B + [Σ z_i·k_i]A + Σ [z_i]R_i ) = 0,   k_i = SHA-512(R_i ‖ A ‖ M_i) mod ℓ
//
// for 128-bit random z_i drawn fresh from crypto/rand for each batch: one multi-scalar
// multiplication with half-length scalars instead of n full verifications. The equation is
// that of ZIP-215 (cofactored, as ed25519consensus checks it). A batch that fails is checked
// again signature by signature with crypto/ed25519 (RFC 8032, cofactorless), so the record a
// failure names is exactly the one the strict check names. What the batch accepts and the
// strict check would refuse are signatures whose R carries a small-order component; making one
// needs the private key (the z_i are unknown to whoever wrote the rows), and the agent's
// crypto/ed25519 never makes one. Encodings the strict check refuses (s ≥ ℓ, R or A not on the
// curve, a non-canonical R) are refused here before the batch and go to the strict check.

// batchKey is the store key decoded once for the batch equation.
type batchKey struct {
	pub ed25519.PublicKey
	a   *edwards25519.Point // nil when pub is not a valid point: every batch falls back
}

func newBatchKey(pub ed25519.PublicKey) batchKey {
	k := batchKey{pub: pub}
	if len(pub) == ed25519.PublicKeySize {
		if a, err := new(edwards25519.Point).SetBytes(pub); err == nil {
			k.a = a
		}
	}
	return k
}

// batchOK reports whether every signature of items verifies by the batch equation. False means
// at least one may not (or one was not in a form the batch takes): check them one by one.
func (k batchKey) batchOK(items []sigItem) bool {
	if k.a == nil || len(items) == 0 {
		return false
	}
	n := len(items)
	zs := make([]byte, 16*n)
	if _, err := rand.Read(zs); err != nil {
		return false
	}
	scalars := make([]*edwards25519.Scalar, n+2)
	points := make([]*edwards25519.Point, n+2)
	sSum := edwards25519.NewScalar() // Σ z_i·s_i
	kSum := edwards25519.NewScalar() // Σ z_i·k_i
	zStore := make([]edwards25519.Scalar, n)
	rStore := make([]edwards25519.Point, n)
	var sig [ed25519.SignatureSize + 2]byte
	var buf [32 + 32 + 64]byte // R ‖ A ‖ M, M being the record hash's 64 hex characters
	var wide [32]byte
	var s, kk edwards25519.Scalar
	copy(buf[32:64], k.pub)
	for i, it := range items {
		if len(it.hash) != 64 || base64.RawURLEncoding.DecodedLen(len(it.sig)) != ed25519.SignatureSize {
			return false
		}
		if m, err := base64.RawURLEncoding.Decode(sig[:], []byte(it.sig)); err != nil || m != ed25519.SignatureSize {
			return false
		}
		if !canonicalR(sig[:32]) {
			return false
		}
		if _, err := rStore[i].SetBytes(sig[:32]); err != nil {
			return false
		}
		if _, err := s.SetCanonicalBytes(sig[32:64]); err != nil {
			return false
		}
		copy(buf[:32], sig[:32])
		copy(buf[64:], it.hash)
		h := sha512.Sum512(buf[:])
		if _, err := kk.SetUniformBytes(h[:]); err != nil {
			return false
		}
		copy(wide[:16], zs[16*i:16*i+16])
		if _, err := zStore[i].SetCanonicalBytes(wide[:]); err != nil { // < 2^128 < ℓ: always canonical
			return false
		}
		sSum.MultiplyAdd(&zStore[i], &s, sSum)
		kSum.MultiplyAdd(&zStore[i], &kk, kSum)
		scalars[i+2], points[i+2] = &zStore[i], &rStore[i]
	}
	scalars[0], points[0] = new(edwards25519.Scalar).Negate(sSum), edwards25519.NewGeneratorPoint()
	scalars[1], points[1] = kSum, k.a
	sum := new(edwards25519.Point).VarTimeMultiScalarMult(scalars, points)
	return sum.MultByCofactor(sum).Equal(edwards25519.NewIdentityPoint()) == 1
}

// canonicalR reports whether b is a canonical encoding of a point other than the two with x = 0
// (y = 1, y = -1), the only ones whose sign bit can be set non-canonically. Anything else goes to
// the strict check, which decides.
func canonicalR(b []byte) bool {
	// y = b with the top (sign) bit cleared, little-endian; p = 2^255 - 19.
	top := b[31] & 0x7f
	if top == 0x7f {
		high := true
		for _, c := range b[1:31] {
			if c != 0xff {
				high = false
				break
			}
		}
		if high && b[0] >= 0xec { // y ≥ p - 1: p-1 (x = 0) or not reduced
			return false
		}
	}
	if top == 0 && b[0] == 1 {
		zero := true
		for _, c := range b[1:31] {
			if c != 0 {
				zero = false
				break
			}
		}
		if zero { // y = 1: the identity
			return false
		}
	}
	return true
}
