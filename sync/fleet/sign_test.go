package fleet

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func testKey(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	dir := t.TempDir()
	if err := WriteKeyPair(filepath.Join(dir, "k"), filepath.Join(dir, "k.pub")); err != nil {
		t.Fatal(err)
	}
	priv, err := LoadPrivateKey(filepath.Join(dir, "k"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := LoadPublicKey(filepath.Join(dir, "k.pub"))
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

// TestSignedBytes pins the exact bytes central signs (docs/fleet.md gives the same example).
func TestSignedBytes(t *testing.T) {
	got, err := SignedBytes(TypeCommand, "it-mi-001",
		[]byte(`{ "name":"resync", "signature":"xx", "args":{"topic":"catalog"}, "command_id":"c-1", "issued_at":"2026-12-02T01:00:00Z", "n": 1.50 }`))
	if err != nil {
		t.Fatal(err)
	}
	want := "storeagent-fleet-v1\nretail.command\nit-mi-001\n" +
		`{"args":{"topic":"catalog"},"command_id":"c-1","issued_at":"2026-12-02T01:00:00Z","n":1.50,"name":"resync"}`
	if string(got) != want {
		t.Errorf("SignedBytes =\n%s\nwant\n%s", got, want)
	}
}

// TestVerify: a signed message verifies; changing any field, the store, the type or the key, or
// dropping the signature, does not.
func TestVerify(t *testing.T) {
	pub, priv := testKey(t)
	other, _ := testKey(t)
	data := []byte(`{"command_id":"c-1","name":"restart","issued_at":"2026-12-02T01:00:00Z"}`)
	signed, err := Sign(priv, TypeCommand, "it-mi-001", data)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(pub, TypeCommand, "it-mi-001", signed); err != nil {
		t.Fatalf("Verify(signed) = %v", err)
	}
	// Re-encoded with other whitespace and key order it still verifies (canonical form).
	var m map[string]any
	_ = json.Unmarshal(signed, &m)
	re, _ := json.MarshalIndent(m, "", "   ")
	if err := Verify(pub, TypeCommand, "it-mi-001", re); err != nil {
		t.Errorf("Verify(re-encoded) = %v", err)
	}
	tampered := strings.Replace(string(signed), "restart", "resync", 1)
	cases := map[string]func() error{
		"tampered":    func() error { return Verify(pub, TypeCommand, "it-mi-001", []byte(tampered)) },
		"other store": func() error { return Verify(pub, TypeCommand, "it-mi-002", signed) },
		"other type":  func() error { return Verify(pub, TypeConfigDesired, "it-mi-001", signed) },
		"other key":   func() error { return Verify(other, TypeCommand, "it-mi-001", signed) },
		"unsigned":    func() error { return Verify(pub, TypeCommand, "it-mi-001", data) },
		"bad base64":  func() error { return Verify(pub, TypeCommand, "it-mi-001", []byte(`{"signature":"!!"}`)) },
		"not object":  func() error { return Verify(pub, TypeCommand, "it-mi-001", []byte(`[1]`)) },
	}
	for name, f := range cases {
		if err := f(); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: Verify = %v; want ErrBadSignature", name, err)
		}
	}
}

// FuzzVerify: Verify never panics and never accepts what the key did not sign.
func FuzzVerify(f *testing.F) {
	pub, priv := testKey(f)
	good, _ := Sign(priv, TypeCommand, "s", []byte(`{"command_id":"a","name":"restart","issued_at":"2026-01-01T00:00:00Z"}`))
	f.Add(good)
	f.Add([]byte(`{"signature":""}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := Verify(pub, TypeCommand, "s", b)
		if err == nil {
			// Only a message whose canonical form is the signed one may verify.
			want, _ := SignedBytes(TypeCommand, "s", good)
			got, _ := SignedBytes(TypeCommand, "s", b)
			if string(want) != string(got) {
				t.Fatalf("Verify accepted %q", b)
			}
		}
	})
}
