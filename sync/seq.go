package sync

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/pos"

	"github.com/storeagent/storeagent/sync/outbox"
)

// refusedSeq is the seq that orders a refused event on its topic, read as leniently as possible so
// that a refusal does not hide a gap (CONTRACT.md rule 2): data.seq for a catalogue or promotions delta, else the
// envelope's seq. It is 0 for snapshot chunks (their seq names a whole snapshot, not one step),
// for events of other topics, and when no valid seq can be read.
func refusedSeq(topic string, env outbox.Event) int64 {
	switch topic {
	case TopicCatalog, TopicPromotions, TopicStock, TopicReservationsIn:
	default:
		return 0
	}
	switch env.Type {
	case TypeCatalogSnapshot, TypePromotionSnapshot:
		return 0
	case TypeCatalogDelta, TypePromotionDelta:
		var d struct {
			Seq int64 `json:"seq"`
		}
		if json.Unmarshal(env.Data, &d) != nil || d.Seq < 1 {
			return 0
		}
		return d.Seq
	}
	if env.Seq == nil || *env.Seq < 1 {
		return 0
	}
	return *env.Seq
}

// refusedPayloadSeq is refusedSeq for a stored payload: 0 when its envelope does not parse.
func refusedPayloadSeq(topic string, payload []byte) int64 {
	var env outbox.Event
	if json.Unmarshal(payload, &env) != nil || !centralType(topic, env.Type) {
		return 0
	}
	return refusedSeq(topic, env)
}

// refusedInboxSeq returns the ordering seq and type of an event refused for its data alone (a
// valid envelope, a type expected on topic, not a snapshot chunk), or 0 when the event is to be
// dead-lettered at once.
func refusedInboxSeq(topic string, de *DecodeError, payload []byte) (int64, string) {
	if de.Reason != ReasonBadData || de.ID == "" {
		return 0, ""
	}
	var env outbox.Event
	if json.Unmarshal(payload, &env) != nil || env.ID != de.ID || !centralType(topic, env.Type) {
		return 0, ""
	}
	return refusedSeq(topic, env), env.Type
}

// Seq bounds (issue 16 item 6): a hostile or broken central sending seq 2^63−1 made every later
// snapshot stale and every later delta look old, for good. A topic's seq may start anywhere up to
// pos.MaxVersion, then move at most maxSeqJump past the last one the store knows; beyond that the
// event is dead-lettered (and does not move the topic's seq). A legitimate jump that large means
// the store was away far too long: IT resets the topic (`storeagent sync reset`) and central sends
// a snapshot.
const maxSeqJump = 10_000_000

// snapshotExpiry is how long an unfinished snapshot's chunks may block an older one: after it, a
// snapshot that never completes (a lost chunk, 100,000 announced chunks) gives way.
const snapshotExpiry = time.Hour

// errSeqJump marks an event whose seq is out of bounds.
var errSeqJump = fmt.Errorf("%w: seq out of bounds", errPermanent)

// checkSeqJump refuses seq when it is beyond the bounds above, given the last seq the store knows
// on the topic (0: none yet).
func checkSeqJump(topic string, last, seq int64) error {
	switch {
	case seq > pos.MaxVersion:
		return fmt.Errorf("%w: %s seq %d is above %d", errSeqJump, topic, seq, int64(pos.MaxVersion))
	case last > 0 && seq > last && seq-last > maxSeqJump:
		return fmt.Errorf("%w: %s seq %d jumps %d past the last known %d (at most %d; reset the topic if central really moved that far)",
			errSeqJump, topic, seq, seq-last, last, maxSeqJump)
	}
	return nil
}

// snapshotTables names where a topic's snapshot state lives.
type snapshotTables struct {
	topic      string // its deltas' topic in inbox_seq
	chunks     string // staged chunks
	appliedKey string // meta key of the last applied snapshot's seq
}

var (
	catalogSnapshots   = snapshotTables{TopicCatalog, "catalog_snapshot_chunks", "catalog_snapshot_seq"}
	promotionSnapshots = snapshotTables{TopicPromotions, "promotion_snapshot_chunks", "promotion_snapshot_seq"}
)

// admitChunk decides whether a snapshot chunk of seq may be staged: not older than the applied
// snapshot, not older than a staged one still arriving (one whose first chunk came more than
// snapshotExpiry ago is dropped instead), and within the seq bounds. A refusal for bounds is an
// errSeqJump; a stale chunk is (false, nil).
func (s *Syncer) admitChunk(ctx context.Context, tx *sql.Tx, t snapshotTables, seq int64) (bool, error) {
	var applied, newest, lastDelta int64
	var started string
	if err := tx.QueryRowContext(ctx, `SELECT
		coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?1), 0),
		coalesce((SELECT max(seq) FROM `+t.chunks+`), 0),
		coalesce((SELECT min(received_at) FROM `+t.chunks+` WHERE seq = (SELECT max(seq) FROM `+t.chunks+`)), ''),
		coalesce((SELECT last_seq FROM inbox_seq WHERE topic = ?2), 0)`, t.appliedKey, t.topic).Scan(&applied, &newest, &started, &lastDelta); err != nil {
		return false, err
	}
	if err := checkSeqJump(t.topic+" snapshot", max(applied, lastDelta), seq); err != nil {
		return false, err
	}
	if seq <= applied {
		s.log.Info("stale snapshot chunk ignored", "topic", t.topic, "seq", seq, "applied_seq", applied)
		return false, nil
	}
	if seq < newest {
		at, err := time.Parse(time.RFC3339Nano, started)
		if err == nil && s.opts.Now().Sub(at) < snapshotExpiry {
			s.log.Info("stale snapshot chunk ignored", "topic", t.topic, "seq", seq, "staged_seq", newest)
			return false, nil
		}
		s.log.Warn("unfinished snapshot expired", "topic", t.topic, "staged_seq", newest, "first_chunk_at", started, "now_seq", seq)
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.chunks); err != nil {
			return false, err
		}
	}
	return true, nil
}
