// Package fleet is what lets IT run a fleet of stores from central (CONTRACT.md, "Fleet
// operations"): signed commands with replay protection, a remote config overlay with a health gate
// and rollback, and a signed self-update that swaps the binary atomically and rolls back. Every
// message from central is Ed25519-signed by central's key, pinned in fleet.central_public_key_file;
// docs/fleet.md says exactly which bytes are signed. The agent wires it (agent/fleet.go); it uses
// sync only through the small Link interface, and pos not at all.
//
//	central ──config/desired──▶ Overlays (validate, persist trial, restart) ──health gate──▶ config/reported
//	central ──commands────────▶ Commands (verify, replay check, run) ─────────────────────▶ commands/results
//	central ──update──────────▶ Updater (ring, download, sha256, verify, swap, restart) ─▶ update/reported
package fleet

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/storeagent/storeagent/pos/fiscal"
)

// SignaturePrefix starts every signed message; the version lets the scheme change later.
const SignaturePrefix = "storeagent-fleet-v1"

// ErrBadSignature is returned for a message that is unsigned or whose signature does not verify.
var ErrBadSignature = errors.New("signature missing or not valid for central's key")

// SignedBytes returns the bytes central signs for an event of type typ to store storeID whose data
// is the JSON object data: SignaturePrefix, LF, typ, LF, storeID, LF, then the canonical JSON of
// data without its "signature" member (keys sorted by their UTF-8 bytes, no insignificant
// whitespace, numbers as written, no HTML escaping: fiscal.CanonicalBytes). Binding the type and
// the store stops a signed message from being replayed on another topic or to another store.
func SignedBytes(typ, storeID string, data []byte) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, fmt.Errorf("signed data is not a JSON object: %w", err)
	}
	delete(obj, "signature")
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	canon, err := fiscal.CanonicalBytes(raw)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(SignaturePrefix)+len(typ)+len(storeID)+3+len(canon))
	out = append(out, SignaturePrefix...)
	out = append(out, '\n')
	out = append(out, typ...)
	out = append(out, '\n')
	out = append(out, storeID...)
	out = append(out, '\n')
	return append(out, canon...), nil
}

// Sign returns data (a JSON object) with its "signature" member set to the standard base64
// Ed25519 signature of SignedBytes. Central (and centralsim) use it.
func Sign(priv ed25519.PrivateKey, typ, storeID string, data []byte) ([]byte, error) {
	msg, err := SignedBytes(typ, storeID, data)
	if err != nil {
		return nil, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, err
	}
	sig, _ := json.Marshal(base64.StdEncoding.EncodeToString(ed25519.Sign(priv, msg)))
	obj["signature"] = sig
	return json.Marshal(obj)
}

// Verify checks data's "signature" member against pub. Anything unsigned, malformed or signed by
// another key is ErrBadSignature.
func Verify(pub ed25519.PublicKey, typ, storeID string, data []byte) error {
	var sig struct {
		Signature string `json:"signature"`
	}
	if err := json.Unmarshal(data, &sig); err != nil || sig.Signature == "" {
		return ErrBadSignature
	}
	raw, err := base64.StdEncoding.DecodeString(sig.Signature)
	if err != nil || len(raw) != ed25519.SignatureSize {
		return ErrBadSignature
	}
	msg, err := SignedBytes(typ, storeID, data)
	if err != nil {
		return ErrBadSignature
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, msg, raw) {
		return ErrBadSignature
	}
	return nil
}

// LoadPublicKey reads a PEM "PUBLIC KEY" (PKIX, as `openssl pkey -pubout` writes it) holding an
// Ed25519 key.
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParsePublicKey(b)
}

// ParsePublicKey decodes a PEM "PUBLIC KEY" holding an Ed25519 key.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, errors.New("not a PEM PUBLIC KEY")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("the key is a %T, not Ed25519", k)
	}
	return pub, nil
}

// LoadPrivateKey reads a PEM "PRIVATE KEY" (PKCS #8, as `openssl genpkey -algorithm ed25519`
// writes it) holding an Ed25519 key.
func LoadPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s: not a PEM PRIVATE KEY", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: the key is a %T, not Ed25519", path, k)
	}
	return priv, nil
}

// WriteKeyPair writes a new Ed25519 key pair as PEM: the private key (mode 0600) and the public
// key (0644).
func WriteKeyPair(privPath, pubPath string) error {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return err
	}
	p8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	px, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return err
	}
	if err := os.WriteFile(privPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: px}), 0o644)
}
