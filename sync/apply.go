package sync

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/sync/db"
)

// errPermanent marks an event that can never apply (its data contradicts the replica); it goes to
// the dead letters instead of blocking the stream.
var errPermanent = errors.New("cannot apply")

// applyLoop applies stored, unapplied inbox events in arrival order, each in its own transaction
// that also sets applied_at, so a crash between store and apply only delays the apply.
func (s *Syncer) applyLoop(ctx context.Context) error {
	for {
		n, err := s.ApplyPending(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("apply inbox", "err", err)
			// A full disk waits a second; another failure retries sooner, so an event that keeps
			// failing reaches maxApplyAttempts (and the dead letters) in about a second.
			pause := 200 * time.Millisecond
			if db.IsStorageFull(err) {
				pause = time.Second
			}
			if !sleep(ctx, pause) {
				return nil
			}
			continue
		}
		if n > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.applyWake:
		}
	}
}

type inboxRow struct {
	rowid   int64
	id      string
	topic   string
	typ     string
	payload []byte
}

// ApplyPending applies up to 100 unapplied inbox events and returns how many it applied.
func (s *Syncer) ApplyPending(ctx context.Context) (int, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT rowid, event_id, topic, type, payload FROM inbox
		WHERE applied_at = '' ORDER BY rowid LIMIT 100`)
	if err != nil {
		return 0, fmt.Errorf("inbox: read: %w", err)
	}
	var todo []inboxRow
	for rows.Next() {
		var r inboxRow
		if err := rows.Scan(&r.rowid, &r.id, &r.topic, &r.typ, &r.payload); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(todo) > 1 && s.applyBatch(ctx, todo) {
		return len(todo), nil
	}
	for i, r := range todo {
		if err := s.applyRow(ctx, r); err != nil {
			return i, err
		}
	}
	return len(todo), nil
}

// applyBatch applies several events in one transaction (one fsync instead of one per event; each
// event's changes and its applied_at still commit together). On any failure it rolls the whole
// batch back and reports false: the caller then applies them one by one, so one bad event does
// not block the others.
func (s *Syncer) applyBatch(ctx context.Context, todo []inboxRow) bool {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return false
	}
	defer tx.Rollback()
	now := s.now()
	for _, r := range todo {
		d, err := s.decodeStored(r)
		if err != nil {
			return false
		}
		if err := s.applyEvent(ctx, tx, d); err != nil {
			return false
		}
		if _, err := tx.ExecContext(ctx, `UPDATE inbox SET applied_at = ?2 WHERE event_id = ?1`, r.id, now); err != nil {
			return false
		}
	}
	if err := tx.Commit(); err != nil {
		return false
	}
	for _, r := range todo {
		s.metrics.applied.WithLabelValues(r.topic).Inc()
	}
	wake(s.notify)
	wake(s.ackWake)
	return true
}

func (s *Syncer) decodeStored(r inboxRow) (Decoded, error) {
	if r.topic == TopicCatalog && r.typ == TypeCatalogSnapshot {
		return decodeStagedChunk(r)
	}
	return DecodeEvent(r.topic, r.payload)
}

func (s *Syncer) applyRow(ctx context.Context, r inboxRow) error {
	d, err := s.decodeStored(r)
	tx, terr := s.db.W.BeginTx(ctx, nil)
	if terr != nil {
		return db.Explain(terr)
	}
	defer tx.Rollback()
	if err == nil {
		err = s.applyEvent(ctx, tx, d)
	}
	if err != nil {
		if !errors.Is(err, errPermanent) {
			var de *DecodeError
			if !errors.As(err, &de) && !s.failedTooOften(ctx, r.id, err) {
				return fmt.Errorf("apply %s %s: %w", r.topic, r.id, db.Explain(err))
			}
		}
		// Roll back the partial apply, then record the refusal alone.
		tx.Rollback()
		return s.refuseStored(ctx, r, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE inbox SET applied_at = ?2 WHERE event_id = ?1`, r.id, s.now()); err != nil {
		return db.Explain(err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("apply %s: commit: %w", r.id, db.Explain(err))
	}
	s.metrics.applied.WithLabelValues(r.topic).Inc()
	wake(s.notify)  // the apply may have queued outbox events (reservations)
	wake(s.ackWake) // and may have recorded a sync request
	return nil
}

// maxApplyAttempts is how many times one inbox event may fail to apply with an error that is not
// the disk's or a shutdown's before it goes to the dead letters: one event must never stop a topic.
const maxApplyAttempts = 5

// failedTooOften counts a failed apply of event id and reports whether it has now failed
// maxApplyAttempts times. A full disk, a cancelled context and a closed database are not the
// event's fault and are not counted. The count lives in memory: after a restart an event gets
// maxApplyAttempts more tries, which still ends in a dead letter within seconds.
func (s *Syncer) failedTooOften(ctx context.Context, id string, err error) bool {
	if ctx.Err() != nil || db.IsStorageFull(err) || errors.Is(err, context.Canceled) || errors.Is(err, sql.ErrConnDone) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.applyFails == nil {
		s.applyFails = map[string]int{}
	}
	s.applyFails[id]++
	if s.applyFails[id] < maxApplyAttempts {
		return false
	}
	delete(s.applyFails, id)
	s.log.Error("event failed to apply too often; dead-lettered", "event_id", id, "attempts", maxApplyAttempts, "err", err)
	return true
}

func (s *Syncer) refuseStored(ctx context.Context, r inboxRow, cause error) error {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return db.Explain(err)
	}
	defer tx.Rollback()
	de := &DecodeError{Reason: ReasonBadData, ID: r.id, Err: cause}
	stored, err := s.storeDeadLetter(ctx, tx, r.topic, de, r.payload, s.now())
	if err != nil {
		return err
	}
	// A seq out of bounds is not counted: it would hide every later event behind it.
	if err := s.trackSeq(ctx, tx, r.topic, refusedPayloadSeq(r.topic, r.payload)); err != nil && !errors.Is(err, errSeqJump) {
		return db.Explain(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE inbox SET applied_at = ?2 WHERE event_id = ?1`, r.id, s.now()); err != nil {
		return db.Explain(err)
	}
	if err := tx.Commit(); err != nil {
		return db.Explain(err)
	}
	if stored {
		s.metrics.deadLetters.WithLabelValues(r.topic, ReasonBadData).Inc()
	}
	return nil
}

// applyEvent applies one decoded central event in tx.
func (s *Syncer) applyEvent(ctx context.Context, tx *sql.Tx, d Decoded) error {
	switch data := d.Data.(type) {
	case *CatalogData:
		if d.Envelope.Type == TypeCatalogSnapshot {
			return s.applySnapshotChunk(ctx, tx, d.Envelope.ID, data)
		}
		if err := s.trackSeq(ctx, tx, TopicCatalog, data.Seq); err != nil {
			return err
		}
		return s.applyDelta(ctx, tx, data)
	case *PromotionData:
		return s.applyPromotions(ctx, tx, d.Envelope.Type, data)
	case *StockAdjustmentData:
		if err := s.trackSeq(ctx, tx, TopicStock, d.Seq()); err != nil {
			return err
		}
		return applyAdjustment(ctx, tx, data)
	case *StockCountData:
		if err := s.trackSeq(ctx, tx, TopicStock, d.Seq()); err != nil {
			return err
		}
		return s.applyCount(ctx, tx, data)
	case *ReservationData:
		if err := s.trackSeq(ctx, tx, TopicReservationsIn, d.Seq()); err != nil {
			return err
		}
		if d.Envelope.Type == TypeReservationCancelled {
			return s.cancelReservation(ctx, tx, data)
		}
		return s.createReservation(ctx, tx, data)
	}
	return fmt.Errorf("%w: %s has no apply step", errPermanent, d.Envelope.Type)
}

// trackSeq advances the topic's last seq and, when seq skips ahead, records a sync request for the
// missing range (CONTRACT.md rule 2). Events at or below the last seq (duplicates, reordering)
// apply anyway: every apply is idempotent.
func (s *Syncer) trackSeq(ctx context.Context, tx *sql.Tx, topic string, seq int64) error {
	if seq <= 0 {
		return nil
	}
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT last_seq FROM inbox_seq WHERE topic = ?1`, topic).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err := checkSeqJump(topic, last, seq); err != nil {
		return err
	}
	if seq <= last {
		return nil
	}
	if seq > last+1 {
		s.log.Info("seq gap", "topic", topic, "last", last, "got", seq)
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?1, ?2)
			ON CONFLICT (key) DO UPDATE SET value = min(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))`,
			"sync_gap:"+topic, last+1); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO inbox_seq (topic, last_seq) VALUES (?1, ?2)
		ON CONFLICT (topic) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)`, topic, seq)
	return err
}

// decodeStagedChunk reads only the chunk numbers of a snapshot chunk from the inbox: its items were
// validated when it was stored and are read once, by the snapshot apply.
func decodeStagedChunk(r inboxRow) (Decoded, error) {
	var ev struct {
		Data struct {
			Seq    int64 `json:"seq"`
			Chunk  int   `json:"chunk"`
			Chunks int   `json:"chunks"`
		} `json:"data"`
	}
	if err := json.Unmarshal(r.payload, &ev); err != nil {
		return Decoded{}, &DecodeError{Reason: ReasonMalformedJSON, ID: r.id, Err: err}
	}
	d := &CatalogData{Seq: ev.Data.Seq, Chunk: ev.Data.Chunk, Chunks: ev.Data.Chunks}
	if err := d.validate(TypeCatalogSnapshot); err != nil {
		return Decoded{}, &DecodeError{Reason: ReasonBadData, ID: r.id, Err: err}
	}
	d.Items = nil
	var dec Decoded
	dec.Envelope.ID, dec.Envelope.Type, dec.Topic, dec.Data = r.id, r.typ, r.topic, d
	return dec, nil
}
