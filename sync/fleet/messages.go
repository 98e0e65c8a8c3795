package fleet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/storeagent/storeagent/sync/outbox"
)

// Topics relative to <prefix>/stores/<store_id>/ (CONTRACT.md, "Fleet operations").
const (
	TopicCommands       = "commands"
	TopicCommandResults = "commands/results"
	TopicConfigDesired  = "config/desired"
	TopicConfigReported = "config/reported"
	TopicUpdate         = "update"
	TopicUpdateReported = "update/reported"
	TopicDiagnostics    = "diagnostics"
)

// Event types.
const (
	TypeCommand         = "retail.command"
	TypeCommandResult   = "retail.command.result"
	TypeConfigDesired   = "retail.config.desired"
	TypeConfigReported  = "retail.config.reported"
	TypeUpdateAvailable = "retail.update.available"
	TypeUpdateReported  = "retail.update.reported"
	TypeDiagnostics     = "retail.diagnostics.chunk"
)

// Bounds on what central sends, checked before anything is stored or acted on.
const (
	// MaxMessage is the largest fleet message accepted (the sync package's MaxPayload too).
	MaxMessage = 1 << 20
	// MaxOverlay is the largest config overlay, as JSON.
	MaxOverlay = 64 << 10
	// MaxArgs is the largest command argument object.
	MaxArgs = 4 << 10
	// CommandMaxAge is how old a command may be (issued_at) and still run; a command from more
	// than CommandMaxSkew in the future is refused too.
	CommandMaxAge  = 10 * time.Minute
	CommandMaxSkew = time.Minute
)

// Statuses of retail.config.reported, retail.update.reported and retail.command.result.
const (
	StatusApplied    = "applied"
	StatusRejected   = "rejected"
	StatusRolledBack = "rolled_back"
	StatusOK         = "ok"
	StatusRefused    = "refused"
	StatusFailed     = "failed"
)

// CommandData is the data of retail.command.
type CommandData struct {
	CommandID string          `json:"command_id"`
	Name      string          `json:"name"`
	Args      json.RawMessage `json:"args,omitempty"`
	IssuedAt  string          `json:"issued_at"`
	Signature string          `json:"signature"`
}

// CommandResultData is the data of retail.command.result.
type CommandResultData struct {
	CommandID string          `json:"command_id"`
	Name      string          `json:"name"`
	Status    string          `json:"status"`
	Error     string          `json:"error,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
}

// ConfigDesiredData is the data of retail.config.desired.
type ConfigDesiredData struct {
	Version   int64           `json:"version"`
	Overlay   json.RawMessage `json:"overlay"`
	Signature string          `json:"signature"`
}

// ConfigReportedData is the data of retail.config.reported. Ignored lists the overlay's keys
// that IT pinned in the local file (fleet.pinned), which the file's values kept.
type ConfigReportedData struct {
	Version int64    `json:"version"`
	Status  string   `json:"status"`
	Error   string   `json:"error,omitempty"`
	Ignored []string `json:"ignored,omitempty"`
	// Plan says what applying (or rolling back) the overlay restarted: "restarted": ["devices"],
	// ["sync"], ["agent"] for a whole restart; "reloaded": ["pos"] for values swapped in place.
	Plan
}

// UpdateAvailableData is the data of retail.update.available.
type UpdateAvailableData struct {
	Version   string `json:"version"`
	URL       string `json:"url"`
	SHA256    string `json:"sha256"`
	Signature string `json:"signature"`
	Ring      string `json:"ring"`
}

// UpdateReportedData is the data of retail.update.reported.
type UpdateReportedData struct {
	Version string `json:"version"`
	Status  string `json:"status"`
	Error   string `json:"error,omitempty"`
	// Running is the version the store runs after this report.
	Running string `json:"running"`
}

// DiagnosticsChunkData is the data of retail.diagnostics.chunk: part Index (0-based) of Count of
// the gzip'd JSON bundle of command CommandID, whose whole SHA-256 is SHA256.
type DiagnosticsChunkData struct {
	CommandID string `json:"command_id"`
	Index     int    `json:"index"`
	Count     int    `json:"count"`
	SHA256    string `json:"sha256"`
	Data      []byte `json:"data"`
}

var (
	reID      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`) })
	reVersion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9.+_-]{1,64}$`) })
	reRing    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9-]{1,32}$`) })
	reSHA256  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{64}$`) })
)

// Message is a decoded fleet event: its envelope id, type and raw data (a JSON object).
type Message struct {
	ID   string
	Type string
	Data json.RawMessage
}

// ErrMalformed wraps every refusal of a message's shape.
var ErrMalformed = errors.New("malformed fleet message")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// wantType is the type each inbound topic carries.
var wantType = map[string]string{
	TopicCommands:      TypeCommand,
	TopicConfigDesired: TypeConfigDesired,
	TopicUpdate:        TypeUpdateAvailable,
}

// DecodeMessage checks a payload on an inbound fleet topic: size, the CloudEvents 1.0 envelope,
// the type for the topic and that data is a JSON object.
func DecodeMessage(topic string, payload []byte) (Message, error) {
	if len(payload) > MaxMessage {
		return Message{}, malformed("payload of %d bytes is over %d", len(payload), MaxMessage)
	}
	want, ok := wantType[topic]
	if !ok {
		return Message{}, malformed("%q is not a fleet topic", topic)
	}
	var env outbox.Event
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&env); err != nil {
		return Message{}, malformed("%v", err)
	}
	if dec.More() {
		return Message{}, malformed("trailing data after the event")
	}
	switch {
	case env.SpecVersion != "1.0":
		return Message{}, malformed("specversion is not 1.0")
	case env.ID == "" || len(env.ID) > 128:
		return Message{}, malformed("id must be 1..128 characters")
	case env.Type != want:
		return Message{}, malformed("type %q is not %s", clip(env.Type, 60), want)
	}
	d := bytes.TrimSpace(env.Data)
	if len(d) == 0 || d[0] != '{' {
		return Message{}, malformed("data is not a JSON object")
	}
	return Message{ID: env.ID, Type: env.Type, Data: d}, nil
}

// strict decodes raw into v refusing unknown fields and trailing data.
func strict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return malformed("data: %v", err)
	}
	if dec.More() {
		return malformed("data: trailing data")
	}
	return nil
}

// ParseCommand decodes and bounds a retail.command's data (not its signature or age).
func ParseCommand(raw []byte) (CommandData, error) {
	var c CommandData
	if err := strict(raw, &c); err != nil {
		return c, err
	}
	switch {
	case !reID().MatchString(c.CommandID):
		return c, malformed("command_id must match %s", reID())
	case c.Name == "" || len(c.Name) > 32:
		return c, malformed("name must be 1..32 characters")
	case len(c.Args) > MaxArgs:
		return c, malformed("args over %d bytes", MaxArgs)
	}
	if len(c.Args) > 0 && !bytes.Equal(c.Args, []byte("null")) && c.Args[0] != '{' {
		return c, malformed("args must be an object")
	}
	if _, err := time.Parse(time.RFC3339Nano, c.IssuedAt); err != nil {
		return c, malformed("issued_at %q is not RFC 3339", clip(c.IssuedAt, 40))
	}
	return c, nil
}

// ParseConfigDesired decodes and bounds a retail.config.desired's data.
func ParseConfigDesired(raw []byte) (ConfigDesiredData, error) {
	var c ConfigDesiredData
	if err := strict(raw, &c); err != nil {
		return c, err
	}
	o := bytes.TrimSpace(c.Overlay)
	switch {
	case c.Version < 1:
		return c, malformed("version must be positive")
	case len(o) > MaxOverlay:
		return c, malformed("overlay over %d bytes", MaxOverlay)
	case len(o) == 0 || o[0] != '{':
		return c, malformed("overlay must be an object")
	}
	c.Overlay = o
	return c, nil
}

// ParseUpdate decodes and bounds a retail.update.available's data.
func ParseUpdate(raw []byte) (UpdateAvailableData, error) {
	var u UpdateAvailableData
	if err := strict(raw, &u); err != nil {
		return u, err
	}
	switch {
	case !reVersion().MatchString(u.Version):
		return u, malformed("version must match %s", reVersion())
	case !reRing().MatchString(u.Ring):
		return u, malformed("ring must match %s", reRing())
	case !reSHA256().MatchString(u.SHA256):
		return u, malformed("sha256 must be 64 lowercase hex digits")
	case len(u.URL) > 2048 || len(u.URL) < len("https://x"):
		return u, malformed("url must be an https URL of at most 2048 characters")
	case u.URL[:8] != "https://":
		return u, malformed("url must be https")
	}
	return u, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
