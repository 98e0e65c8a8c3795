package fiscal_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/storeagent/storeagent/pos/fiscal"
)

// FuzzCanonicalBytes checks that canonical JSON is stable (canonical of canonical is itself) and
// means the same document as its input.
func FuzzCanonicalBytes(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":2}`, `[1, 2.50, "x<y&z"]`, `{"a":{"c":null,"b":[true,false]}}`, `"\u00e9"`, `1e400`, `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := fiscal.CanonicalBytes(in)
		if err != nil {
			return
		}
		c2, err := fiscal.CanonicalBytes(c)
		if err != nil || !bytes.Equal(c, c2) {
			t.Fatalf("canonical(%q) = %q, then %q (%v)", in, c, c2, err)
		}
		if !json.Valid(c) {
			t.Fatalf("canonical(%q) = %q is not JSON", in, c)
		}
	})
}

// FuzzVerifyArchive feeds arbitrary bytes to the archive reader: it must return an error or a
// manifest and never panic or run away with memory.
func FuzzVerifyArchive(f *testing.F) {
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		_, _ = fiscal.VerifyArchive(bytes.NewReader(in), int64(len(in)), nil)
	})
}
