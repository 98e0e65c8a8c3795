package centralsim

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/google/uuid"

	"github.com/storeagent/storeagent/sync/outbox"
)

func (s *Sim) handle(_ mqtt.Client, m mqtt.Message) {
	s.inbound <- m
}

// splitTopic returns the store and the topic relative to <prefix>/stores/<store>/.
func (s *Sim) splitTopic(topic string) (store, rel string, ok bool) {
	rest, ok := strings.CutPrefix(topic, s.opts.TopicPrefix+"/stores/")
	if !ok {
		return "", "", false
	}
	store, rel, ok = strings.Cut(rest, "/")
	return store, rel, ok
}

// inboundLoop handles what the agents publish. Outbox events are stored in batches, one
// transaction each, and acked per store after the commit.
func (s *Sim) inboundLoop(ctx context.Context) error {
	for {
		var batch []mqtt.Message
		select {
		case <-ctx.Done():
			return nil
		case m := <-s.inbound:
			batch = append(batch, m)
		}
	drain:
		for len(batch) < 500 {
			select {
			case m := <-s.inbound:
				batch = append(batch, m)
			default:
				break drain
			}
		}
		if err := s.handleBatch(ctx, batch); err != nil && ctx.Err() == nil {
			s.log.Error("handle agent events", "err", err)
		}
	}
}

type agentEvent struct {
	store, rel string
	ev         outbox.Event
	payload    []byte
}

func (s *Sim) handleBatch(ctx context.Context, batch []mqtt.Message) error {
	var events []agentEvent
	for _, m := range batch {
		store, rel, ok := s.splitTopic(m.Topic())
		if !ok {
			continue
		}
		var ev outbox.Event
		if err := json.Unmarshal(m.Payload(), &ev); err != nil || ev.ID == "" {
			s.log.Warn("bad agent event", "topic", m.Topic(), "err", err)
			continue
		}
		switch rel {
		case outbox.TopicSales, outbox.TopicMovements, outbox.TopicReservations, outbox.TopicTill, outbox.TopicFiscal, outbox.TopicPayments:
			events = append(events, agentEvent{store, rel, ev, m.Payload()})
		case "inbox/acks":
			s.markAcked(ctx, store, ev.Data)
		case "customers/lookup":
			s.answerLookup(store, ev.Data)
		case "sync/request":
			s.answerSyncRequest(ctx, store, ev.Data)
		}
	}
	if len(events) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO received (event_id, store, topic, type, seq, epoch, payload, received_at)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (event_id) DO UPDATE SET deliveries = deliveries + 1`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	now := s.opts.Now().UTC().Format(time.RFC3339Nano)
	acks := map[string][]string{}
	for _, e := range events {
		var seq int64
		if e.ev.Seq != nil {
			seq = *e.ev.Seq
		}
		if _, err := stmt.ExecContext(ctx, e.ev.ID, e.store, e.rel, e.ev.Type, seq, e.ev.Epoch, e.payload, now); err != nil {
			return err
		}
		acks[e.store] = append(acks[e.store], e.ev.ID)
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for store, ids := range acks {
		for len(ids) > 0 {
			n := min(len(ids), 5000)
			p, err := s.envelope(uuid.Must(uuid.NewV7()).String(), TypeAck, 0, map[string]any{"ids": ids[:n]})
			if err != nil {
				return err
			}
			// Not waiting for the PUBACK: a lost ack only makes the agent publish again.
			if c := s.mq(); c != nil {
				c.Publish(s.storeTopic(store, "acks"), 1, false, p)
			}
			ids = ids[n:]
		}
	}
	return nil
}

func (s *Sim) markAcked(ctx context.Context, store string, data json.RawMessage) {
	var d struct {
		IDs []string `json:"ids"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return
	}
	for _, id := range d.IDs {
		if _, err := s.db.ExecContext(ctx, `UPDATE sent SET acked = 1 WHERE event_id = ?1 AND store = ?2`, id, store); err != nil {
			s.log.Warn("mark acked", "err", err)
		}
	}
}

func (s *Sim) answerLookup(store string, data json.RawMessage) {
	var d struct {
		RequestID  string `json:"request_id"`
		CustomerID string `json:"customer_id"`
	}
	if err := json.Unmarshal(data, &d); err != nil || d.RequestID == "" {
		return
	}
	c, found := s.opts.Customers[d.CustomerID]
	reply := map[string]any{"request_id": d.RequestID, "found": found}
	if found {
		reply["customer"] = c
	}
	p, err := s.envelope(uuid.Must(uuid.NewV7()).String(), TypeCustomerResult, 0, reply)
	if err == nil {
		if c := s.mq(); c != nil {
			c.Publish(s.storeTopic(store, "customers/reply"), 1, false, p)
		}
	}
}

// answerSyncRequest resends a topic from a seq: the catalogue and promotions as a fresh snapshot, stock and
// reservations as their stored events.
func (s *Sim) answerSyncRequest(ctx context.Context, store string, data json.RawMessage) {
	var d struct {
		Topic   string `json:"topic"`
		FromSeq int64  `json:"from_seq"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return
	}
	s.log.Info("sync request", "store", store, "topic", d.Topic, "from_seq", d.FromSeq)
	go func() {
		var err error
		switch d.Topic {
		case "catalog":
			err = s.PublishSnapshot(ctx, store)
		case "promotions":
			err = s.PublishPromotionSnapshot(ctx, store)
		case "stock", "reservations":
			err = s.resend(ctx, store, d.Topic, d.FromSeq, false)
		}
		if err != nil && ctx.Err() == nil {
			s.log.Warn("answer sync request", "store", store, "topic", d.Topic, "err", err)
		}
	}()
}
