package sync_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	agentsync "github.com/storeagent/storeagent/sync"
)

// TestDecodeEvent runs the golden cases in testdata/decode/<case>/: topic, event.json and want
// (a dead-letter reason, or "ok").
func TestDecodeEvent(t *testing.T) {
	dirs, err := filepath.Glob("testdata/decode/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			read := func(name string) []byte {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			want := strings.TrimSpace(string(read("want")))
			d, err := agentsync.DecodeEvent(string(read("topic")), read("event.json"))
			got := "ok"
			if err != nil {
				var de *agentsync.DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("error %v is not a *DecodeError", err)
				}
				got = de.Reason
			}
			if got != want {
				t.Fatalf("reason = %s (%v), want %s", got, err, want)
			}
			if err == nil && (d.Envelope.ID == "" || d.Data == nil) {
				t.Errorf("decoded %+v without id or data", d)
			}
		})
	}
	t.Run("too large", func(t *testing.T) {
		big := append([]byte(`{"specversion":"1.0","id":"x","source":"/c","type":"retail.ack","data":{"ids":["`),
			bytes.Repeat([]byte("a"), agentsync.MaxPayload)...)
		_, err := agentsync.DecodeEvent("acks", big)
		var de *agentsync.DecodeError
		if !errors.As(err, &de) || de.Reason != agentsync.ReasonTooLarge {
			t.Errorf("err = %v, want too_large", err)
		}
	})
}

func TestDecoded_Seq(t *testing.T) {
	for _, tc := range []struct{ dir string }{{"delta-ok"}, {"adjustment-ok"}} {
		topic, _ := os.ReadFile("testdata/decode/" + tc.dir + "/topic")
		ev, _ := os.ReadFile("testdata/decode/" + tc.dir + "/event.json")
		d, err := agentsync.DecodeEvent(string(topic), ev)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"delta-ok": 3, "adjustment-ok": 4}[tc.dir] // data.seq for catalog, else envelope seq
		if got := d.Seq(); got != want {
			t.Errorf("%s: Seq() = %d, want %d", tc.dir, got, want)
		}
	}
}

// FuzzDecodeEvent checks that the decoder never panics, refuses only with a known reason, and
// accepts only events whose envelope and type are valid for the topic.
func FuzzDecodeEvent(f *testing.F) {
	dirs, _ := filepath.Glob("testdata/decode/*")
	for _, dir := range dirs {
		topic, _ := os.ReadFile(filepath.Join(dir, "topic"))
		ev, _ := os.ReadFile(filepath.Join(dir, "event.json"))
		f.Add(string(topic), ev)
	}
	reasons := map[string]bool{agentsync.ReasonTooLarge: true, agentsync.ReasonMalformedJSON: true,
		agentsync.ReasonNotCloudEvent: true, agentsync.ReasonUnknownType: true, agentsync.ReasonBadData: true}
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		d, err := agentsync.DecodeEvent(topic, payload)
		if err != nil {
			var de *agentsync.DecodeError
			if !errors.As(err, &de) || !reasons[de.Reason] {
				t.Fatalf("error %v has no known reason", err)
			}
			return
		}
		if d.Envelope.SpecVersion != "1.0" || d.Envelope.ID == "" || d.Data == nil {
			t.Fatalf("accepted an invalid envelope: %+v", d.Envelope)
		}
		found := false
		for _, e := range agentsync.EventTypes() {
			if e.From == agentsync.FromCentral && e.Topic == topic && e.Type == d.Envelope.Type {
				found = true
			}
		}
		if !found {
			t.Fatalf("accepted type %q on topic %q", d.Envelope.Type, topic)
		}
	})
}
