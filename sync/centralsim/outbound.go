package centralsim

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/pos"
)

// Event types central publishes (CONTRACT.md, MQTT section).
const (
	TypeCatalogDelta         = "retail.catalog.delta"
	TypeCatalogSnapshot      = "retail.catalog.snapshot"
	TypeStockAdjustment      = "retail.stock.adjustment"
	TypeStockCount           = "retail.stock.count"
	TypeReservationCreated   = "retail.reservation.created"
	TypeReservationCancelled = "retail.reservation.cancelled"
	TypeCustomerResult       = "retail.customer.result"
	TypeAck                  = "retail.ack"
)

// CatalogSeq returns the catalogue's current seq.
func (s *Sim) CatalogSeq() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.catSeq
}

// Catalog returns the catalogue as central holds it, sorted by SKU.
func (s *Sim) Catalog() []pos.CatalogItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]pos.CatalogItem, 0, len(s.catalog))
	for _, it := range s.catalog {
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SKU < out[j].SKU })
	return out
}

// SnapshotEvents builds the chunked snapshot of the current catalogue as event payloads, without
// publishing them (tests reorder and drop chunks).
func (s *Sim) SnapshotEvents() (seq int64, payloads [][]byte, err error) {
	items := s.Catalog()
	seq = s.CatalogSeq()
	chunks := max(1, (len(items)+s.opts.ChunkSize-1)/s.opts.ChunkSize)
	for c := 0; c < chunks; c++ {
		part := items[c*s.opts.ChunkSize : min(len(items), (c+1)*s.opts.ChunkSize)]
		p, err := s.envelope(uuid.Must(uuid.NewV7()).String(), TypeCatalogSnapshot, 0,
			map[string]any{"seq": seq, "chunk": c + 1, "chunks": chunks, "items": part})
		if err != nil {
			return 0, nil, err
		}
		payloads = append(payloads, p)
	}
	return seq, payloads, nil
}

// PublishSnapshot sends the whole catalogue to a store in chunks.
func (s *Sim) PublishSnapshot(ctx context.Context, store string) error {
	_, payloads, err := s.SnapshotEvents()
	if err != nil {
		return err
	}
	for _, p := range payloads {
		if err := s.publish(store, "catalog", p); err != nil {
			return err
		}
	}
	return nil
}

// DeltaEvent records a catalogue change (items newer than central's replace them) under the next
// catalogue seq and returns the event payload without publishing it.
func (s *Sim) DeltaEvent(items ...pos.CatalogItem) (seq int64, payload []byte, err error) {
	s.mu.Lock()
	s.catSeq++
	seq = s.catSeq
	for _, it := range items {
		if cur, ok := s.catalog[it.SKU]; !ok || it.Version > cur.Version {
			s.catalog[it.SKU] = it
		}
	}
	s.history = append(s.history, catalogChange{seq: seq, items: items})
	s.mu.Unlock()
	payload, err = s.envelope(uuid.Must(uuid.NewV7()).String(), TypeCatalogDelta, 0,
		map[string]any{"seq": seq, "items": items})
	return seq, payload, err
}

// PublishDelta records a catalogue change and sends it to the stores.
func (s *Sim) PublishDelta(ctx context.Context, stores []string, items ...pos.CatalogItem) (int64, error) {
	seq, p, err := s.DeltaEvent(items...)
	if err != nil {
		return 0, err
	}
	for _, st := range stores {
		if err := s.publish(st, "catalog", p); err != nil {
			return seq, err
		}
	}
	return seq, nil
}

// Publish sends a raw payload on a store's topic (tests: garbage, duplicates, reordering).
func (s *Sim) Publish(store, rel string, payload []byte) error { return s.publish(store, rel, payload) }

// PrepareEvent stores an event for a store on the stock or reservations topic with its next seq,
// to be republished until the store names it in inbox/acks, and returns its id and payload without
// publishing it.
func (s *Sim) PrepareEvent(ctx context.Context, store, topic, typ string, data any) (id string, payload []byte, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", nil, err
	}
	defer tx.Rollback()
	seq, err := s.nextSeq(ctx, tx, store, topic)
	if err != nil {
		return "", nil, err
	}
	id = uuid.Must(uuid.NewV7()).String()
	payload, err = s.envelope(id, typ, seq, data)
	if err != nil {
		return "", nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sent (event_id, store, topic, type, seq, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
		id, store, topic, typ, seq, payload); err != nil {
		return "", nil, err
	}
	return id, payload, tx.Commit()
}

// Send stores and publishes an event on the stock or reservations topic. When the broker is
// unreachable the event stays stored and the republish loop sends it later.
func (s *Sim) Send(ctx context.Context, store, topic, typ string, data any) (string, error) {
	id, p, err := s.PrepareEvent(ctx, store, topic, typ, data)
	if err != nil {
		return "", fmt.Errorf("centralsim: %s: %w", typ, err)
	}
	if !s.online() {
		return id, nil // the republish loop sends it once connected
	}
	if err := s.publish(store, topic, p); err != nil {
		s.log.Info("event stored, publish later", "id", id, "err", err)
	}
	return id, nil
}

// StockAdjustment is retail.stock.adjustment's data.
type StockAdjustment struct {
	MovementID string `json:"movement_id"`
	SKU        string `json:"sku"`
	Delta      int64  `json:"delta"`
	OccurredAt string `json:"occurred_at"`
}

// StockCount is retail.stock.count's data.
type StockCount struct {
	CountID string `json:"count_id"`
	SKU     string `json:"sku"`
	OnHand  int64  `json:"on_hand"`
	AsOf    string `json:"as_of"`
}

// Reservation is the data of retail.reservation.created and .cancelled.
type Reservation struct {
	ReservationID string                `json:"reservation_id"`
	OrderRef      string                `json:"order_ref"`
	CustomerName  string                `json:"customer_name"`
	Paid          bool                  `json:"paid"`
	Lines         []pos.ReservationLine `json:"lines"`
	ExpiresAt     string                `json:"expires_at"`
}

// republishLoop sends the unacked stock and reservation events again, in seq order.
func (s *Sim) republishLoop(ctx context.Context) error {
	t := time.NewTicker(s.opts.RepublishInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := s.resend(ctx, "", "", 0, true); err != nil && ctx.Err() == nil {
			s.log.Warn("republish", "err", err)
		}
	}
}

// resend publishes stored events again: of one store and topic (or all), from fromSeq, only the
// unacked ones when unackedOnly.
func (s *Sim) resend(ctx context.Context, store, topic string, fromSeq int64, unackedOnly bool) error {
	rows, err := s.db.QueryContext(ctx, `SELECT store, topic, payload FROM sent
		WHERE (?1 = '' OR store = ?1) AND (?2 = '' OR topic = ?2) AND seq >= ?3 AND (?4 = 0 OR acked = 0)
		ORDER BY store, topic, seq`, store, topic, fromSeq, unackedOnly)
	if err != nil {
		return err
	}
	type ev struct {
		store, topic string
		payload      []byte
	}
	var evs []ev
	for rows.Next() {
		var e ev
		if err := rows.Scan(&e.store, &e.topic, &e.payload); err != nil {
			rows.Close()
			return err
		}
		evs = append(evs, e)
	}
	rows.Close()
	if !s.online() {
		return nil
	}
	for _, e := range evs {
		if err := s.publish(e.store, e.topic, e.payload); err != nil {
			return err
		}
	}
	return rows.Err()
}
