package sync

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/promo"
)

// Promotions on the promotions topic follow the catalogue's rules (CONTRACT.md, "Promotions and the
// 30-day lowest price"): a delta's data.seq orders it and a gap asks for a resync; a snapshot comes
// in chunks applied together once all are there, and drops the promotions it does not name unless
// a later delta changed them.

// maxPromotionsPerEvent bounds one event's promotions (MaxPayload bounds its bytes).
const maxPromotionsPerEvent = 10000

// PromotionData is the data of retail.promotion.delta and retail.promotion.snapshot.
type PromotionData struct {
	Seq        int64             `json:"seq"`
	Chunk      int               `json:"chunk,omitempty"`
	Chunks     int               `json:"chunks,omitempty"`
	Promotions []promo.Promotion `json:"promotions"`
}

func (d *PromotionData) validate(typ string) error {
	if d.Seq < 1 {
		return fmt.Errorf("seq %d must be positive", d.Seq)
	}
	if typ == TypePromotionSnapshot && (d.Chunks < 1 || d.Chunks > maxChunks || d.Chunk < 1 || d.Chunk > d.Chunks) {
		return fmt.Errorf("chunk %d of %d is out of range", d.Chunk, d.Chunks)
	}
	if len(d.Promotions) > maxPromotionsPerEvent {
		return fmt.Errorf("%d promotions in one event, at most %d", len(d.Promotions), maxPromotionsPerEvent)
	}
	for i, p := range d.Promotions {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("promotions[%d]: %w", i, err)
		}
	}
	return nil
}

// applyPromotions applies a decoded promotions event in tx.
func (s *Syncer) applyPromotions(ctx context.Context, tx *sql.Tx, typ string, d *PromotionData) error {
	if typ == TypePromotionSnapshot {
		return s.applyPromotionChunk(ctx, tx, d)
	}
	if err := s.trackSeq(ctx, tx, TopicPromotions, d.Seq); err != nil {
		return err
	}
	if err := pos.StorePromotions(ctx, tx, d.Promotions, d.Seq, s.opts.Now()); err != nil {
		return fmt.Errorf("%w: promotion delta %d: %v", errPermanent, d.Seq, err)
	}
	return nil
}

// applyPromotionChunk stages a snapshot chunk and applies the snapshot when it is complete. Chunks
// of a snapshot older than the applied or the staged one are ignored.
func (s *Syncer) applyPromotionChunk(ctx context.Context, tx *sql.Tx, d *PromotionData) error {
	if ok, err := s.admitChunk(ctx, tx, promotionSnapshots, d.Seq); !ok || err != nil {
		return err
	}
	body, err := json.Marshal(d.Promotions)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM promotion_snapshot_chunks WHERE seq < ?1`, d.Seq); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO promotion_snapshot_chunks (seq, chunk, chunks, promotions, received_at)
		VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (seq, chunk) DO NOTHING`, d.Seq, d.Chunk, d.Chunks, string(body), s.now()); err != nil {
		return fmt.Errorf("promotions: stage snapshot %d chunk %d: %w", d.Seq, d.Chunk, err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM promotion_snapshot_chunks WHERE seq = ?1 AND chunks = ?2`,
		d.Seq, d.Chunks).Scan(&have); err != nil {
		return err
	}
	if have < d.Chunks {
		return nil
	}
	return s.applyPromotionSnapshot(ctx, tx, d.Seq)
}

// applyPromotionSnapshot stores every promotion of the complete snapshot seq, deletes the ones it
// does not name (unless a delta after it changed them), and moves the topic's seq to it.
func (s *Syncer) applyPromotionSnapshot(ctx context.Context, tx *sql.Tx, seq int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT promotions FROM promotion_snapshot_chunks WHERE seq = ?1 ORDER BY chunk`, seq)
	if err != nil {
		return err
	}
	var all []promo.Promotion
	for rows.Next() {
		var body []byte
		var ps []promo.Promotion
		if err := rows.Scan(&body); err != nil {
			rows.Close()
			return err
		}
		if err := json.Unmarshal(body, &ps); err != nil {
			rows.Close()
			return err
		}
		all = append(all, ps...)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := pos.StorePromotions(ctx, tx, all, seq, s.opts.Now()); err != nil {
		return fmt.Errorf("%w: promotion snapshot %d: %v", errPermanent, seq, err)
	}
	names, err := json.Marshal(promotionIDs(all))
	if err != nil {
		return err
	}
	steps := []struct{ what, sql string }{
		{"drop absent", `DELETE FROM promotions WHERE promotion_seq < ?1
			AND promotion_id NOT IN (SELECT value FROM json_each(?2))`},
		{"drop chunks", `DELETE FROM promotion_snapshot_chunks WHERE seq <= ?1`},
		{"snapshot seq", `INSERT INTO meta (key, value) VALUES ('promotion_snapshot_seq', ?1)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`},
		{"topic seq", `INSERT INTO inbox_seq (topic, last_seq) VALUES ('promotions', ?1)
			ON CONFLICT (topic) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)`},
		{"clear gap", `DELETE FROM meta WHERE key = 'sync_gap:promotions' AND CAST(value AS INTEGER) <= ?1`},
	}
	for _, st := range steps {
		args := []any{seq}
		if st.what == "drop absent" {
			args = append(args, string(names))
		}
		if _, err := tx.ExecContext(ctx, st.sql, args...); err != nil {
			return fmt.Errorf("promotion snapshot %d: %s: %w", seq, st.what, err)
		}
	}
	s.log.Info("promotion snapshot applied", "seq", seq, "promotions", len(all))
	return nil
}

func promotionIDs(ps []promo.Promotion) []string {
	ids := make([]string, 0, len(ps))
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}
