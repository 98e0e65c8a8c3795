package fiscal

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
	gosync "sync"
)

// The journal's chains (CONTRACT.md "Fiscal law → France").
const (
	ChainTicket    = "ticket"
	ChainDuplicate = "duplicate"
	ChainClosure   = "closure"
	ChainEvent     = "event"
	ChainTraining  = "training"
)

// Chains lists every chain in the order the verifier walks them.
var Chains = []string{ChainTicket, ChainDuplicate, ChainClosure, ChainEvent, ChainTraining}

// Outbox topic and event type that carry every record to central.
const (
	Topic     = outbox.TopicFiscal
	EventType = "retail.fiscal.record"
)

// Record is one journal entry, as stored, published and archived.
type Record struct {
	Chain      string          `json:"chain"`
	Seq        int64           `json:"seq"`
	RecordedAt string          `json:"recorded_at"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
	Signature  string          `json:"signature"`
	Data       json.RawMessage `json:"data"`
}

// Tx is what the journal needs of a transaction (a *sql.Tx or pos's statement-caching wrapper).
type Tx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Journal appends signed, chained records. It holds no state besides its key: each chain's head
// is read inside the caller's transaction, so the writer's serialisation keeps seq gapless.
type Journal struct {
	key ed25519.PrivateKey
	out outbox.Writer
	now func() time.Time
	cal Calendar

	stmts *db.Stmts // the writer's prepared statements (nil: every statement is parsed each time)

	mu    gosync.Mutex
	due   time.Time // the end of the open business day, once read (zero: read it again)
	floor time.Time // the end of the last closed day: no record is dated before it
}

// NewJournal returns a journal signing with key and publishing through out; now nil is time.Now.
func NewJournal(key ed25519.PrivateKey, out outbox.Writer, now func() time.Time) *Journal {
	if now == nil {
		now = time.Now
	}
	return &Journal{key: key, out: out, now: now}
}

// UseStatements makes the journal run its statements through the writer's statement cache
// (db.DB.WStmts), as pos does: SQLite then parses each of them once, not on every sale.
func (j *Journal) UseStatements(s *db.Stmts) { j.stmts = s }

// conn wraps a plain transaction in the statement cache when the journal has one.
func (j *Journal) conn(tx Tx) Tx {
	if t, ok := tx.(*sql.Tx); ok && j.stmts != nil {
		return db.Conn{Tx: t, Stmts: j.stmts}
	}
	return tx
}

// PublicKey is the key that verifies the journal's signatures.
func (j *Journal) PublicKey() ed25519.PublicKey { return j.key.Public().(ed25519.PublicKey) }

// HashOf returns the record hash: lowercase hex SHA-256 of prevHash followed by the canonical JSON
// of {chain, seq, recorded_at, data}.
func HashOf(prevHash, chain string, seq int64, recordedAt string, data json.RawMessage) (string, error) {
	body, err := Canonical(map[string]any{"chain": chain, "seq": seq, "recorded_at": recordedAt, "data": data})
	if err != nil {
		return "", err
	}
	return sumHex(prevHash, body), nil
}

// hashCanonicalData is HashOf for data already in canonical form (as the journal stores it):
// the envelope is written directly, keys in sorted order, without decoding data again. For
// canonical data it equals HashOf.
func hashCanonicalData(prevHash, chain string, seq int64, recordedAt string, data []byte) string {
	c, _ := json.Marshal(chain)
	r, _ := json.Marshal(recordedAt)
	body := make([]byte, 0, len(data)+len(c)+len(r)+48)
	body = append(body, `{"chain":`...)
	body = append(body, c...)
	body = append(body, `,"data":`...)
	body = append(body, data...)
	body = append(body, `,"recorded_at":`...)
	body = append(body, r...)
	body = append(body, `,"seq":`...)
	body = strconv.AppendInt(body, seq, 10)
	body = append(body, '}')
	return sumHex(prevHash, body)
}

func sumHex(prevHash string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(prevHash))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Sign returns the base64url (unpadded) Ed25519 signature of the hash's bytes (its hex text).
func Sign(key ed25519.PrivateKey, hash string) string {
	return base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, []byte(hash)))
}

// Append writes data as the next record of chain in tx, moves the chain's head and queues the
// record on the outbox, all in the caller's transaction.
func (j *Journal) Append(ctx context.Context, tx Tx, chain string, data any) (Record, error) {
	tx = j.conn(tx)
	at := j.now().UTC()
	if chain != ChainTraining && chain != ChainClosure {
		floor, err := j.closeDue(ctx, tx, at)
		if err != nil {
			return Record{}, err
		}
		if at.Before(floor) {
			// The clock is behind the last closed period (moved back): the record is dated at
			// the period's end instead, and the clock watch records the jump.
			at = floor
		}
	}
	return j.appendAt(ctx, tx, chain, at, data)
}

// appendAt writes data as the next record of chain dated at.
func (j *Journal) appendAt(ctx context.Context, tx Tx, chain string, at time.Time, data any) (Record, error) {
	raw, err := Canonical(data)
	if err != nil {
		return Record{}, err
	}
	var seq int64
	var prev string
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM fiscal_heads WHERE chain = ?1`, chain).Scan(&seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Record{}, fmt.Errorf("fiscal %s head: %w", chain, err)
	}
	at = at.UTC()
	r := Record{Chain: chain, Seq: seq + 1, RecordedAt: at.Format(time.RFC3339Nano), PrevHash: prev, Data: raw}
	// raw is canonical already: the envelope is written around it rather than decoded and
	// encoded again (the same bytes as HashOf; TestHashOf_FastFormEqualsCanonical).
	r.Hash = hashCanonicalData(r.PrevHash, r.Chain, r.Seq, r.RecordedAt, r.Data)
	r.Signature = Sign(j.key, r.Hash)
	if _, err := tx.ExecContext(ctx, `INSERT INTO fiscal_records (chain, seq, recorded_at, prev_hash, hash, signature, data)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)`, r.Chain, r.Seq, r.RecordedAt, r.PrevHash, r.Hash, r.Signature, string(r.Data)); err != nil {
		return Record{}, fmt.Errorf("fiscal %s %d: %w", chain, r.Seq, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO fiscal_heads (chain, seq, hash) VALUES (?1, ?2, ?3)
		ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, r.Chain, r.Seq, r.Hash); err != nil {
		return Record{}, fmt.Errorf("fiscal %s head: %w", chain, err)
	}
	rec, err := r.marshal()
	if err != nil {
		return Record{}, fmt.Errorf("fiscal %s %d: encode: %w", chain, r.Seq, err)
	}
	if _, err := j.out.AppendMarshalled(ctx, tx, Topic, EventType, fmt.Sprintf("fiscal:%s:%s:%d", j.out.Epoch, r.Chain, r.Seq), at, rec); err != nil {
		return Record{}, err
	}
	return r, nil
}

// marshal is json.Marshal(r). The canonical data is valid compact JSON already, so unless it holds
// a character json.Marshal escapes (<, > or &; canonical JSON leaves them as they are) it is
// spliced in rather than scanned and compacted again (TestRecord_MarshalSameAsJSON).
func (r Record) marshal() ([]byte, error) {
	if bytes.ContainsAny(r.Data, "<>&") || len(r.Data) == 0 {
		return json.Marshal(r)
	}
	data := r.Data
	r.Data = json.RawMessage("0")
	head, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	head = head[:len(head)-len(`0}`)]
	out := make([]byte, 0, len(head)+len(data)+1)
	out = append(out, head...)
	out = append(out, data...)
	return append(out, '}'), nil
}
