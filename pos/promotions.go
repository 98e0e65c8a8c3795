package pos

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	gosync "sync"
	"time"

	"github.com/storeagent/storeagent/pos/promo"
)

// LineDiscount is what one promotion took off a sale or quote line.
type LineDiscount struct {
	PromotionID string `json:"promotion_id"`
	Name        string `json:"name"`
	AmountMinor int64  `json:"amount_minor"`
}

// UsedPromotion names a promotion (id and version) a sale used and what it saved: a sale stores
// these so its receipt and refunds keep what was paid even after central changes the promotion.
type UsedPromotion struct {
	PromotionID string `json:"promotion_id"`
	Version     int64  `json:"version"`
	AmountMinor int64  `json:"amount_minor"`
}

// promoCache holds the replica's promotions as an index, rebuilt when the table changes.
type promoCache struct {
	mu  gosync.Mutex
	key string
	ix  *promo.Index
}

// promotionIndex returns the index of the stored promotions, reading the table again only when
// its revision (meta promotions_rev, bumped by every StorePromotions) moved.
func (s *Service) promotionIndex(ctx context.Context, q querier) (*promo.Index, error) {
	var key string
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'promotions_rev'`).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return promo.NewIndex(nil), nil
	}
	if err != nil {
		return nil, fmt.Errorf("promotions: %w", err)
	}
	c := s.promos
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ix != nil && c.key == key {
		return c.ix, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT body FROM promotions WHERE active = 1`)
	if err != nil {
		return nil, fmt.Errorf("promotions: %w", err)
	}
	defer rows.Close()
	var ps []promo.Promotion
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var p promo.Promotion
		if err := json.Unmarshal(body, &p); err != nil {
			s.log.Warn("stored promotion is not valid JSON", "err", err)
			continue
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c.ix, c.key = promo.NewIndex(ps), key
	return c.ix, nil
}

// StorePromotions writes promotions to the replica (a newer version replaces an older one; an older
// or equal one is skipped) and bumps the promotions revision, so a caller that then deletes some in
// the same transaction is also seen. Each is validated first; seq is the promotions stream position.
func StorePromotions(ctx context.Context, tx dbtx, ps []promo.Promotion, seq int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('promotions_rev', '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)`); err != nil {
		return fmt.Errorf("promotions revision: %w", err)
	}
	for i, p := range ps {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("promotions[%d]: %w", i, err)
		}
		body, err := json.Marshal(p)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO promotions (promotion_id, version, active, starts_at, ends_at,
			body, promotion_seq, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
			ON CONFLICT (promotion_id) DO UPDATE SET version = excluded.version, active = excluded.active,
				starts_at = excluded.starts_at, ends_at = excluded.ends_at, body = excluded.body,
				promotion_seq = excluded.promotion_seq, updated_at = excluded.updated_at
			WHERE excluded.version > promotions.version`,
			p.ID, p.Version, boolInt(p.Active), stamp(p.StartsAt), stamp(p.EndsAt), string(body), seq,
			now.UTC().Format(time.RFC3339Nano))
		if err != nil {
			return fmt.Errorf("store promotion %s: %w", p.ID, err)
		}
	}
	return nil
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// applyPromotions prices the lines against the replica's live promotions at the store's clock for a
// customer of tier: each line's amount becomes what is paid, its discounts are listed, and out's
// total, saving and promotions follow. A basket too large for the engine is sold at shelf prices
// with a warning.
func (s *Service) applyPromotions(ctx context.Context, q querier, out *priced, tier string) error {
	ix, err := s.promotionIndex(ctx, q)
	if err != nil {
		return err
	}
	if ix.Len() == 0 {
		return nil
	}
	b := promo.Basket{At: s.now(), CustomerTier: tier, Lang: s.opts.Lang, Lines: make([]promo.Line, len(out.lines))}
	for i, l := range out.lines {
		pl := promo.Line{SKU: l.SKU, Category: l.category, Qty: l.Qty, UnitPriceMinor: l.UnitPriceMinor,
			AmountMinor: l.AmountMinor, TaxRateBP: l.TaxRateBP}
		if l.WeightG != nil {
			pl.WeightG = *l.WeightG
		}
		b.Lines[i] = pl
	}
	r, err := promo.PriceIndexed(b, ix)
	if err != nil {
		out.warnings = append(out.warnings, Warning{Code: "promotions_skipped", Message: "the basket is too large for promotions: sold at shelf prices"})
		return nil
	}
	out.total = 0
	for i := range out.lines {
		l, rl := &out.lines[i], r.Lines[i]
		l.AmountMinor = rl.AmountMinor
		for _, d := range rl.Discounts {
			l.Discounts = append(l.Discounts, LineDiscount{PromotionID: d.PromotionID, Name: d.Name, AmountMinor: d.AmountMinor})
		}
		out.total += l.AmountMinor
	}
	out.saving = r.SavingMinor
	for _, a := range r.Applied {
		out.promotions = append(out.promotions, UsedPromotion(a))
	}
	return nil
}

// usedOrEmpty keeps the promotions list a JSON array.
func usedOrEmpty(u []UsedPromotion) []UsedPromotion {
	if u == nil {
		return []UsedPromotion{}
	}
	return u
}

// SeedPromotions stores promotions in one transaction (demo and benchmarks; central's arrive
// through sync).
func (s *Service) SeedPromotions(ctx context.Context, ps []promo.Promotion) error {
	return s.db.Group.Do(ctx, func(tx *sql.Tx) error { return StorePromotions(ctx, tx, ps, 0, s.now()) })
}
