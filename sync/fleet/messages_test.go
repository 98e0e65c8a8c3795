package fleet

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func envelope(typ string, data string) []byte {
	return []byte(`{"specversion":"1.0","id":"e-1","source":"/central","type":"` + typ + `","data":` + data + `}`)
}

func TestDecodeMessage(t *testing.T) {
	if m, err := DecodeMessage(TopicCommands, envelope(TypeCommand, `{"a":1}`)); err != nil || m.ID != "e-1" || string(m.Data) != `{"a":1}` {
		t.Fatalf("DecodeMessage = %+v, %v", m, err)
	}
	for name, c := range map[string]struct{ topic, payload string }{
		"wrong type for topic": {TopicConfigDesired, string(envelope(TypeCommand, `{}`))},
		"data not object":      {TopicCommands, string(envelope(TypeCommand, `[1]`))},
		"not json":             {TopicCommands, `{`},
		"trailing":             {TopicCommands, string(envelope(TypeCommand, `{}`)) + `{}`},
		"unknown topic":        {"stock", string(envelope(TypeCommand, `{}`))},
		"too large":            {TopicCommands, strings.Repeat(" ", MaxMessage+1)},
		"spec version":         {TopicCommands, `{"specversion":"0.3","id":"x","type":"retail.command","data":{}}`},
	} {
		if _, err := DecodeMessage(c.topic, []byte(c.payload)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v; want ErrMalformed", name, err)
		}
	}
}

func TestParse(t *testing.T) {
	if _, err := ParseCommand([]byte(`{"command_id":"c","name":"restart","issued_at":"2026-01-01T00:00:00Z","signature":"x"}`)); err != nil {
		t.Errorf("ParseCommand(valid) = %v", err)
	}
	bad := []string{
		`{"command_id":"","name":"restart","issued_at":"2026-01-01T00:00:00Z"}`,
		`{"command_id":"c d","name":"restart","issued_at":"2026-01-01T00:00:00Z"}`,
		`{"command_id":"c","name":"restart","issued_at":"yesterday"}`,
		`{"command_id":"c","name":"restart","issued_at":"2026-01-01T00:00:00Z","args":[1]}`,
		`{"command_id":"c","name":"restart","issued_at":"2026-01-01T00:00:00Z","extra":1}`,
		`{"command_id":"c","name":"restart","issued_at":"2026-01-01T00:00:00Z","args":{"x":"` + strings.Repeat("a", MaxArgs) + `"}}`,
	}
	for _, b := range bad {
		if _, err := ParseCommand([]byte(b)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseCommand(%.80s) = %v; want ErrMalformed", b, err)
		}
	}
	for _, b := range []string{`{"version":0,"overlay":{}}`, `{"version":1,"overlay":[]}`, `{"version":1}`} {
		if _, err := ParseConfigDesired([]byte(b)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseConfigDesired(%s) = %v; want ErrMalformed", b, err)
		}
	}
	sha := strings.Repeat("a", 64)
	for _, b := range []string{
		`{"version":"v2","url":"http://x/y","sha256":"` + sha + `","ring":"stable"}`,
		`{"version":"v2","url":"https://x/y","sha256":"ABC","ring":"stable"}`,
		`{"version":"v 2","url":"https://x/y","sha256":"` + sha + `","ring":"stable"}`,
		`{"version":"v2","url":"https://x/y","sha256":"` + sha + `","ring":"Stable"}`,
	} {
		if _, err := ParseUpdate([]byte(b)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseUpdate(%s) = %v; want ErrMalformed", b, err)
		}
	}
	if _, err := ParseUpdate([]byte(`{"version":"v2","url":"https://x/y","sha256":"` + sha + `","ring":"stable","signature":"s"}`)); err != nil {
		t.Errorf("ParseUpdate(valid) = %v", err)
	}
}

// FuzzParse: the fleet parsers never panic, and what they accept stays inside the bounds.
func FuzzParse(f *testing.F) {
	f.Add([]byte(envelope(TypeCommand, `{"command_id":"c","name":"restart","issued_at":"2026-01-01T00:00:00Z"}`)))
	f.Add([]byte(envelope(TypeConfigDesired, `{"version":1,"overlay":{"log":{"level":"debug"}}}`)))
	f.Add([]byte(envelope(TypeUpdateAvailable, `{"version":"v2","url":"https://x/y","sha256":"`+strings.Repeat("a", 64)+`","ring":"stable"}`)))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, topic := range []string{TopicCommands, TopicConfigDesired, TopicUpdate} {
			m, err := DecodeMessage(topic, b)
			if err != nil {
				continue
			}
			if c, err := ParseCommand(m.Data); err == nil && (len(c.Args) > MaxArgs || c.CommandID == "") {
				t.Fatalf("ParseCommand accepted %+v", c)
			}
			if d, err := ParseConfigDesired(m.Data); err == nil && (len(d.Overlay) > MaxOverlay || d.Version < 1 || !json.Valid(d.Overlay)) {
				t.Fatalf("ParseConfigDesired accepted %+v", d)
			}
			if u, err := ParseUpdate(m.Data); err == nil && !strings.HasPrefix(u.URL, "https://") {
				t.Fatalf("ParseUpdate accepted %+v", u)
			}
		}
	})
}
