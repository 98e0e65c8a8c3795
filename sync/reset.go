package sync

import (
	"context"
	"fmt"
	"slices"

	"github.com/storeagent/storeagent/sync/db"
)

// ResetTopics are the inbound topics `storeagent sync reset` takes.
var ResetTopics = []string{TopicCatalog, TopicPromotions, TopicStock, TopicReservationsIn}

// ResetTopic forgets what the store knows of an inbound topic's sequence (issue 16 item 6: a seq
// or version out of bounds from a broken central, or a store away far too long) and asks central
// to send the topic from the start at the next connection. The store keeps selling meanwhile:
//   - catalog: the items stay, with version 0, so the snapshot central sends replaces each;
//     staged snapshot chunks and pending future items are dropped;
//   - promotions: the promotions are dropped (a version cannot go back to 0), so prices are
//     without promotions until central's snapshot arrives: reset while the link is up;
//   - stock, reservations: only the seq (their events are idempotent).
//
// The agent must be stopped (d is opened by the caller, which holds the data_dir lock).
func ResetTopic(ctx context.Context, d *db.DB, topic string) (string, error) {
	if !slices.Contains(ResetTopics, topic) {
		return "", fmt.Errorf("cannot reset %q: want one of %v", topic, ResetTopics)
	}
	steps := []string{
		`DELETE FROM inbox_seq WHERE topic = ?1`,
		`INSERT INTO meta (key, value) VALUES ('sync_gap:' || ?1, 1) ON CONFLICT (key) DO UPDATE SET value = 1`,
	}
	summary := "seq forgotten"
	switch topic {
	case TopicCatalog:
		steps = append(steps,
			`DELETE FROM catalog_snapshot_chunks`,
			`DELETE FROM catalog_pending`,
			`DELETE FROM meta WHERE key IN ('catalog_seq', 'catalog_snapshot_seq')`,
			`UPDATE products SET version = 0, catalog_seq = 0`)
		summary = "items kept at version 0 until central's snapshot replaces them"
	case TopicPromotions:
		steps = append(steps,
			`DELETE FROM promotion_snapshot_chunks`,
			`DELETE FROM meta WHERE key = 'promotion_snapshot_seq'`,
			`DELETE FROM promotions`)
		summary = "promotions dropped until central's snapshot arrives"
	}
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return "", db.Explain(err)
	}
	defer tx.Rollback()
	var n int64
	for i, q := range steps {
		res, err := tx.ExecContext(ctx, q, topic)
		if err != nil {
			return "", fmt.Errorf("reset %s: %w", topic, db.Explain(err))
		}
		if i == len(steps)-1 && len(steps) > 2 {
			n, _ = res.RowsAffected()
		}
	}
	if err := tx.Commit(); err != nil {
		return "", db.Explain(err)
	}
	if len(steps) > 2 {
		summary = fmt.Sprintf("%s (%d rows)", summary, n)
	}
	return summary + "; central is asked to resend it from seq 1 at the next connection", nil
}
