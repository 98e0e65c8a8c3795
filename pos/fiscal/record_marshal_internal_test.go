package fiscal

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestRecord_MarshalSameAsJSON: the record spliced around its canonical data is byte for byte
// json.Marshal of it, with and without characters that json.Marshal escapes.
func TestRecord_MarshalSameAsJSON(t *testing.T) {
	for _, v := range []any{
		map[string]any{"kind": "sale", "body": map[string]any{"lines": []any{map[string]any{"name": "Café crème", "qty": 2, "price_minor": 350}}}},
		map[string]any{"kind": "sale", "body": map[string]any{"name": "Salt & pepper <fine>"}},
		map[string]any{"note": "line\u2028sep", "n": json.Number("1.50")},
		[]any{},
		"x",
	} {
		raw, err := Canonical(v)
		if err != nil {
			t.Fatal(err)
		}
		r := Record{Chain: ChainTicket, Seq: 7, RecordedAt: "2026-12-02T10:00:00Z", PrevHash: "ab", Hash: "cd", Signature: "ef==", Data: raw}
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("got %s\nwant %s", got, want)
		}
	}
}

// FuzzRecordMarshal: for any canonical document the splice equals json.Marshal.
func FuzzRecordMarshal(f *testing.F) {
	f.Add(`{"b":"<&>","a":[1,2.5,null,"\u00e9"]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		raw, err := CanonicalBytes([]byte(doc))
		if err != nil {
			return
		}
		r := Record{Chain: ChainEvent, Seq: 1, RecordedAt: "t", PrevHash: "p", Hash: "h", Signature: "s", Data: raw}
		want, err := json.Marshal(r)
		if err != nil {
			return
		}
		got, err := r.marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	})
}
