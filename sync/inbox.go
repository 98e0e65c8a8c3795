package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/storeagent/storeagent/sync/db"
)

// handle is paho's message handler. It never does slow work: central's acks and customer replies
// are routed in memory; everything else goes to the store loop, which writes it to the inbox and
// only then acks the delivery.
func (s *Syncer) handle(_ mqtt.Client, m mqtt.Message) {
	rel, _ := strings.CutPrefix(m.Topic(), s.opts.base())
	if s.fleetTopic(rel) {
		s.opts.Fleet.HandleFleet(rel, m.Payload(), m.Retained())
		m.Ack()
		return
	}
	if m.Retained() {
		// Central never retains its events; a retained message on an inbound topic is left over or
		// hostile, and would be delivered (and dead-lettered) again on every connect.
		s.log.Warn("retained message on an inbound topic ignored", "topic", rel, "bytes", len(m.Payload()))
		s.metrics.deadLetters.WithLabelValues(truncate(rel, 64), ReasonRetained).Inc()
		m.Ack()
		return
	}
	if rel == TopicAcks || rel == TopicCustomerReply {
		if d, err := DecodeEvent(rel, m.Payload()); err == nil {
			switch data := d.Data.(type) {
			case *AckData:
				s.mu.Lock()
				s.centralAcks = append(s.centralAcks, data.IDs...)
				s.mu.Unlock()
				wake(s.notify)
			case *CustomerResultData:
				s.deliverCustomer(data)
			}
			m.Ack()
			return
		}
	}
	select {
	case s.inboxCh <- m:
	case <-s.done:
	}
}

// storeLoop writes incoming events to the inbox (or dead letters) in batches, then acks their
// MQTT deliveries in arrival order.
func (s *Syncer) storeLoop(ctx context.Context) error {
	batch := make([]mqtt.Message, 0, 256)
	for {
		batch = batch[:0]
		select {
		case <-ctx.Done():
			return nil
		case m := <-s.inboxCh:
			batch = append(batch, m)
		}
	drain:
		for len(batch) < cap(batch) {
			select {
			case m := <-s.inboxCh:
				batch = append(batch, m)
			default:
				break drain
			}
		}
		for {
			err := s.storeBatch(ctx, batch)
			if err == nil {
				break
			}
			s.log.Error("store incoming events; the deliveries stay unacked", "n", len(batch), "err", err)
			if !sleep(ctx, time.Second) {
				return nil
			}
		}
		for _, m := range batch {
			m.Ack()
		}
		wake(s.applyWake)
		wake(s.ackWake)
	}
}

type deadLetter struct{ topic, reason string }

func (s *Syncer) storeBatch(ctx context.Context, batch []mqtt.Message) error {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return db.Explain(err)
	}
	defer tx.Rollback()
	now := s.now()
	var dead []deadLetter
	var deadIDs []string
	for _, m := range batch {
		rel, ok := strings.CutPrefix(m.Topic(), s.opts.base())
		if !ok {
			rel = m.Topic()
		}
		d, err := DecodeEvent(rel, m.Payload())
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				de = &DecodeError{Reason: ReasonMalformedJSON, Err: err}
			}
			// Bad data under a valid envelope with a seq goes through the inbox in order, so the
			// apply step dead-letters it and still counts its seq: a refusal must not hide a gap.
			if seq, typ := refusedInboxSeq(rel, de, m.Payload()); seq > 0 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO inbox (event_id, topic, type, seq, payload, received_at)
					VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (event_id) DO UPDATE SET acked_at = ''`,
					de.ID, rel, typ, seq, m.Payload(), now); err != nil {
					return fmt.Errorf("inbox: store refused %s: %w", de.ID, db.Explain(err))
				}
				continue
			}
			stored, err := s.storeDeadLetter(ctx, tx, rel, de, m.Payload(), now)
			if err != nil {
				return err
			}
			if stored {
				dead = append(dead, deadLetter{rel, de.Reason})
			}
			if de.ID != "" {
				deadIDs = append(deadIDs, de.ID)
			}
			continue
		}
		var seq any
		if n := d.Seq(); n > 0 {
			seq = n
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO inbox (event_id, topic, type, seq, payload, received_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (event_id) DO UPDATE SET acked_at = ''`,
			d.Envelope.ID, rel, d.Envelope.Type, seq, m.Payload(), now); err != nil {
			return fmt.Errorf("inbox: store %s: %w", d.Envelope.ID, db.Explain(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("inbox: commit: %w", db.Explain(err))
	}
	for _, d := range dead {
		s.metrics.deadLetters.WithLabelValues(d.topic, d.reason).Inc()
	}
	s.metrics.inboxEvents.Add(float64(len(batch) - len(dead)))
	if len(deadIDs) > 0 {
		s.mu.Lock()
		s.extraAcks = append(s.extraAcks, deadIDs...)
		s.mu.Unlock()
	}
	return nil
}

// deadLetterExcerpt is how much of a refused payload a dead letter keeps: enough to see what it
// was, bounded so a hostile broker cannot fill the disk through them.
const deadLetterExcerpt = 4 << 10

// storeDeadLetter keeps a refused event (CONTRACT.md rule 6): its reason and the first
// deadLetterExcerpt bytes of its payload. It reports false when the event id already has its dead
// letter on that topic (a copy), so the metric counts refused events, not copies.
func (s *Syncer) storeDeadLetter(ctx context.Context, tx *sql.Tx, topic string, de *DecodeError, payload []byte, now string) (bool, error) {
	if len(payload) > deadLetterExcerpt {
		payload = payload[:deadLetterExcerpt]
	}
	if de.ID != "" {
		// The same event again (a redelivery, or central republishing before our ack reached it)
		// is one dead letter, not one per copy.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM dead_letters WHERE event_id = ?1 AND topic = ?2`,
			truncate(de.ID, 200), truncate(topic, 200)).Scan(&n); err != nil {
			return false, fmt.Errorf("dead letter: %w", db.Explain(err))
		}
		if n > 0 {
			return false, nil
		}
	}
	s.log.Warn("dead letter", "topic", topic, "event_id", de.ID, "reason", de.Reason, "err", de.Err)
	_, err := tx.ExecContext(ctx, `INSERT INTO dead_letters (topic, event_id, reason, payload, received_at)
		VALUES (?1, ?2, ?3, ?4, ?5)`, truncate(topic, 200), truncate(de.ID, 200), truncate(de.Error(), 1024), payload, now)
	if err != nil {
		return false, fmt.Errorf("dead letter: %w", db.Explain(err))
	}
	return true, nil
}

// inboxAckLoop names stored central events in inbox/acks (batched) and sends pending
// retail.sync.request messages, whenever online.
func (s *Syncer) inboxAckLoop(ctx context.Context) error {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.ackWake:
		case <-tick.C:
		}
		if !s.Online() {
			continue
		}
		if err := s.sendInboxAcks(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("send inbox acks", "err", err)
		}
		if err := s.sendSyncRequests(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("send sync requests", "err", err)
		}
	}
}

func (s *Syncer) sendInboxAcks(ctx context.Context) error {
	for {
		rows, err := s.db.R.QueryContext(ctx, `SELECT event_id FROM inbox WHERE acked_at = '' ORDER BY received_at LIMIT 500`)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		s.mu.Lock()
		extra := s.extraAcks
		s.extraAcks = nil
		s.mu.Unlock()
		all := append(ids, extra...)
		if len(all) == 0 {
			return nil
		}
		if err := s.publishWait(ctx, TopicInboxAcks, TypeAck, AckData{IDs: all}); err != nil {
			s.mu.Lock()
			s.extraAcks = append(s.extraAcks, extra...)
			s.mu.Unlock()
			return err
		}
		if err := s.markInboxAcked(ctx, ids); err != nil {
			return err
		}
		if len(ids) < 500 {
			return nil
		}
	}
}

func (s *Syncer) markInboxAcked(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return db.Explain(err)
	}
	defer tx.Rollback()
	now := s.now()
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE inbox SET acked_at = ?2 WHERE event_id = ?1`, id, now); err != nil {
			return fmt.Errorf("inbox: mark acked: %w", db.Explain(err))
		}
	}
	return tx.Commit()
}

// sendSyncRequests publishes the retail.sync.request messages recorded in meta (key
// sync_gap:<topic>, value from_seq) and clears each once the broker has it.
func (s *Syncer) sendSyncRequests(ctx context.Context) error {
	rows, err := s.db.R.QueryContext(ctx, `SELECT substr(key, 10), CAST(value AS INTEGER) FROM meta WHERE key LIKE 'sync_gap:%'`)
	if err != nil {
		return err
	}
	type req struct {
		topic string
		from  int64
	}
	var reqs []req
	for rows.Next() {
		var r req
		if err := rows.Scan(&r.topic, &r.from); err != nil {
			rows.Close()
			return err
		}
		reqs = append(reqs, r)
	}
	rows.Close()
	for _, r := range reqs {
		reason := "gap"
		if r.from <= 1 {
			reason = "initial"
		}
		if err := s.publishWait(ctx, TopicSyncRequest, TypeSyncRequest, SyncRequestData{Topic: r.topic, FromSeq: r.from, Reason: reason}); err != nil {
			return err
		}
		s.log.Info("asked central to resend", "topic", r.topic, "from_seq", r.from, "reason", reason)
		if _, err := s.db.W.ExecContext(ctx, `DELETE FROM meta WHERE key = ?1 AND CAST(value AS INTEGER) = ?2`,
			"sync_gap:"+r.topic, r.from); err != nil {
			return db.Explain(err)
		}
	}
	return nil
}
