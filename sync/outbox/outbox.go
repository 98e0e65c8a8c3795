// Package outbox appends the agent's events to central to the database in the caller's
// transaction, so a sale, its stock movements and their events commit together. Each event gets the
// next gapless seq of its (epoch, topic) when it is stored. The sync package publishes and clears
// them; pos imports only this package.
package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Topics the agent publishes through the outbox (relative to <prefix>/stores/<store_id>/).
const (
	TopicSales        = "sales"
	TopicMovements    = "stock/movements"
	TopicReservations = "reservations/events"
	TopicTill         = "till"
	TopicFiscal       = "fiscal/records"
	TopicPayments     = "payments"
)

// Event is a CloudEvents 1.0 structured-mode envelope with the contract's seq and epoch extensions.
type Event struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Time            string          `json:"time"`
	DataContentType string          `json:"datacontenttype"`
	Seq             *int64          `json:"seq,omitempty"`
	Epoch           string          `json:"epoch,omitempty"`
	Data            json.RawMessage `json:"data"`
}

// Execer is what Append needs of a transaction.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DefaultMaxPayload is the largest event Append stores when Writer.MaxPayload is zero: the
// contract's 1 MiB (MQTT rule 6), which central and the broker accept.
const DefaultMaxPayload = 1 << 20

// ErrTooLarge is returned (wrapped) by Append for an event over the writer's maximum payload. It is
// refused before commit: an event the broker or central would refuse could never be acked, and
// republishing it would drop the link every time.
var ErrTooLarge = errors.New("event too large")

// Writer appends events for one store and database epoch.
type Writer struct {
	// StoreID names the source, /stores/<StoreID>.
	StoreID string
	// Epoch is the database's epoch.
	Epoch string
	// MaxPayload bounds an event's encoded size in bytes; zero means DefaultMaxPayload.
	MaxPayload int
}

// Append stores an event with the next seq of (epoch, topic) in tx and returns the seq. id is the
// event id (the sale id for a sale); data is marshalled to JSON. An event whose id is already in the
// outbox is an error: callers dedupe before, inside the same transaction.
func (w Writer) Append(ctx context.Context, tx Execer, topic, typ, id string, at time.Time, data any) (int64, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return 0, fmt.Errorf("outbox %s: encode %s: %w", topic, typ, err)
	}
	return w.AppendMarshalled(ctx, tx, topic, typ, id, at, raw)
}

// AppendMarshalled is Append for data already encoded as json.Marshal encodes it (compact, with
// <, > and & escaped): the envelope is written around raw instead of encoding raw a second time,
// and the payload is byte for byte what Append stores for the same value.
func (w Writer) AppendMarshalled(ctx context.Context, tx Execer, topic, typ, id string, at time.Time, raw []byte) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `INSERT INTO outbox_seq (epoch, topic, last_seq) VALUES (?1, ?2, 1)
		ON CONFLICT (epoch, topic) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq`,
		w.Epoch, topic).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("outbox %s: next seq: %w", topic, err)
	}
	ev := Event{
		SpecVersion:     "1.0",
		ID:              id,
		Source:          "/stores/" + w.StoreID,
		Type:            typ,
		Time:            at.UTC().Format(time.RFC3339Nano),
		DataContentType: "application/json",
		Seq:             &seq,
		Epoch:           w.Epoch,
	}
	payload, err := envelope(ev, raw)
	if err != nil {
		return 0, fmt.Errorf("outbox %s: encode envelope: %w", topic, err)
	}
	limit := w.MaxPayload
	if limit <= 0 {
		limit = DefaultMaxPayload
	}
	if len(payload) > limit {
		return 0, fmt.Errorf("outbox %s: %s event %s is %d bytes, over the %d-byte maximum payload: %w",
			topic, typ, id, len(payload), limit, ErrTooLarge)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (epoch, topic, seq, event_id, type, payload, created_at)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)`, w.Epoch, topic, seq, id, typ, payload, ev.Time)
	if err != nil {
		return 0, fmt.Errorf("outbox %s: store event %s: %w", topic, id, err)
	}
	return seq, nil
}

// envelope is json.Marshal of ev with Data = raw, for raw as json.Marshal writes it: ev is
// encoded with a one-byte placeholder for its data (the last field) and raw is spliced in its
// place, so a large event's data is not scanned and compacted a second time
// (TestEnvelope_SameAsMarshal).
func envelope(ev Event, raw []byte) ([]byte, error) {
	ev.Data = json.RawMessage("0")
	head, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		raw = []byte("null")
	}
	head = head[:len(head)-len(`0}`)]
	out := make([]byte, 0, len(head)+len(raw)+1)
	out = append(out, head...)
	out = append(out, raw...)
	return append(out, '}'), nil
}

// Pending returns the number of unacked events and the age of the oldest.
func Pending(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, now time.Time) (n int64, oldest time.Duration, err error) {
	var first sql.NullString
	err = q.QueryRowContext(ctx, `SELECT count(*), min(created_at) FROM outbox WHERE acked_at = ''`).Scan(&n, &first)
	if err != nil {
		return 0, 0, fmt.Errorf("outbox pending: %w", err)
	}
	if first.Valid {
		if t, perr := time.Parse(time.RFC3339Nano, first.String); perr == nil {
			oldest = max(now.Sub(t), 0)
		}
	}
	return n, oldest, nil
}
