package fiscal

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzCanonicalMarshalled checks that the fast canonical form of json.Marshal's output is
// byte for byte CanonicalBytes' (the form every stored record, the verifier and central's
// check rely on), whatever the document.
func FuzzCanonicalMarshalled(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":2}`, `[1, 2.50, "x<y&z"]`, `{"a":{"c":null,"b":[true,false]}}`, `"\u00e9"`, `1e400`,
		`{"a":1,"a":2}`, `{"k\u00e9":1,"k":2}`, `{"z":"tab\there","y":"\u2028","x":"a\"b\\c"}`, `{"":{},"a":[],"b":[{}]}`,
		`{"kind":"sale","body":{"sale_id":"x","lines":[{"sku":"A&B","qty":2,"amount_minor":-12}],"total_minor":1234}}`,
		"\"\xff\xfe\"", `{"b":{"d":1,"c":2},"a":[3,{"f":4,"e":5}]}`, `-0`, `[1e-7,0.10]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if !json.Valid(in) {
			return
		}
		raw, err := json.Marshal(json.RawMessage(in)) // what Canonical gets: json.Marshal's form
		if err != nil {
			return
		}
		want, err := CanonicalBytes(raw)
		if err != nil {
			return
		}
		got, ok := canonicalMarshalled(raw)
		if ok && !bytes.Equal(got, want) {
			t.Fatalf("fast canonical of %q = %q, CanonicalBytes %q", raw, got, want)
		}
	})
}

// TestCanonical_FastPathTaken checks that a sale-shaped document takes the fast path (else the
// speed-up is gone silently) and that one with a duplicate key does not.
func TestCanonical_FastPathTaken(t *testing.T) {
	sale := map[string]any{"kind": "sale", "body": map[string]any{"sale_id": "s1", "note": "Ben & Jerry <3", "lines": []map[string]any{{"sku": "PAIN", "qty": 2}}}}
	raw, _ := json.Marshal(sale)
	got, ok := canonicalMarshalled(raw)
	want, _ := CanonicalBytes(raw)
	if !ok || !bytes.Equal(got, want) {
		t.Fatalf("fast path: ok %v, %q, want %q", ok, got, want)
	}
	if _, ok := canonicalMarshalled([]byte(`{"a":1,"a":2}`)); ok {
		t.Fatal("a duplicate key took the fast path")
	}
}
