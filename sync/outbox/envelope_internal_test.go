package outbox

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestEnvelope_SameAsMarshal: the spliced envelope is byte for byte json.Marshal of the event,
// so AppendMarshalled stores what Append always stored.
func TestEnvelope_SameAsMarshal(t *testing.T) {
	seq := int64(42)
	values := []any{
		map[string]any{"sale_id": "s-1", "total_minor": 1234, "lines": []any{map[string]any{"name": "Caffè <bio> & co", "qty": 1}}},
		"line\u2028sep\u2029 <script>",
		nil,
		[]int{},
		struct {
			Data json.RawMessage `json:"data"`
		}{json.RawMessage(`{"a": [1, 2 ,3], "b":"<&>"}`)},
		1.5e300,
	}
	for _, withSeq := range []bool{true, false} {
		for i, v := range values {
			raw, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			ev := Event{SpecVersion: "1.0", ID: "id-<1>", Source: "/stores/it-mi-001", Type: "retail.sale.created",
				Time: "2026-12-02T10:00:00.123Z", DataContentType: "application/json", Epoch: "e1", Data: raw}
			if withSeq {
				ev.Seq = &seq
			}
			want, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			got, err := envelope(ev, raw)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("value %d (seq %v):\n got %s\nwant %s", i, withSeq, got, want)
			}
		}
	}
}

// FuzzEnvelope: for any JSON value, the splice equals json.Marshal of the envelope.
func FuzzEnvelope(f *testing.F) {
	f.Add(`{"a":"<b>","c":[1,2.50,{"d":null}]}`, "id", "e")
	f.Add(`"\u2028"`, "", "")
	f.Fuzz(func(t *testing.T, doc, id, epoch string) {
		var v any
		if json.Unmarshal([]byte(doc), &v) != nil {
			return
		}
		raw, err := json.Marshal(json.RawMessage(doc))
		if err != nil {
			return
		}
		seq := int64(len(doc))
		ev := Event{SpecVersion: "1.0", ID: id, Source: "/stores/x", Type: "t", Time: "now", DataContentType: "application/json", Seq: &seq, Epoch: epoch, Data: raw}
		want, err := json.Marshal(ev)
		if err != nil {
			return // an id that is not valid UTF-8 is still encoded; other errors are Marshal's
		}
		got, err := envelope(ev, raw)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	})
}
