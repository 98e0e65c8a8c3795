// Package fiscal is the French fiscal journal (CGI art. 286-I-3° bis, BOI-TVA-DECLA-30-10-30):
// append-only chains of records, each hashed with SHA-256 over the previous hash and its canonical
// JSON and signed with the store's Ed25519 key, written inside the transaction of the sale,
// refund, reprint or close it records; the verifier that recomputes them; and the archive.
// The agent wires it into pos through pos.Journal; pos does not import it.
package fiscal

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Canonical returns v's canonical JSON: object keys sorted, no insignificant whitespace, numbers
// as written, and no HTML escaping of <, > and &. Two values that decode to the same JSON give
// the same bytes.
func Canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	if c, ok := canonicalMarshalled(raw); ok {
		return c, nil
	}
	return CanonicalBytes(raw)
}

// CanonicalBytes re-encodes a JSON document canonically. Trailing data after the document is an error.
func CanonicalBytes(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("canonical json: data after the document")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// encoding/json writes map keys sorted and without whitespace.
	if err := enc.Encode(tree); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
