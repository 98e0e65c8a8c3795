package sync

import (
	"context"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/sync/db"
)

// MaxDeadLetters bounds the dead letters kept: beyond it the oldest go first.
const MaxDeadLetters = 10000

// deadLetterRetention is how long a dead letter is kept for people to read.
const deadLetterRetention = 30 * 24 * time.Hour

// Prune deletes what no longer needs keeping: outbox events central acked, and inbox events that
// were applied and named in inbox/acks, longer than Options.Retention ago; dead letters older than
// 30 days or beyond the newest MaxDeadLetters. Inbox rows that a staged snapshot chunk still points
// to are kept. It returns how many rows it deleted.
func (s *Syncer) Prune(ctx context.Context) (int64, error) {
	if s.opts.Retention < 0 {
		return 0, nil
	}
	cutoff := s.opts.Now().Add(-s.opts.Retention).UTC().Format(time.RFC3339Nano)
	var total int64
	for _, q := range []string{
		`DELETE FROM outbox WHERE acked_at != '' AND acked_at < ?1`,
		`DELETE FROM inbox WHERE applied_at != '' AND acked_at != '' AND received_at < ?1
			AND event_id NOT IN (SELECT event_id FROM catalog_snapshot_chunks)`,
	} {
		res, err := s.db.W.ExecContext(ctx, q, cutoff)
		if err != nil {
			return total, fmt.Errorf("sync: prune: %w", db.Explain(err))
		}
		n, _ := res.RowsAffected()
		total += n
	}
	dlCutoff := s.opts.Now().Add(-deadLetterRetention).UTC().Format(time.RFC3339Nano)
	for _, q := range []struct {
		sql string
		arg any
	}{
		{`DELETE FROM dead_letters WHERE received_at < ?1`, dlCutoff},
		{`DELETE FROM dead_letters WHERE id <= (SELECT id FROM dead_letters ORDER BY id DESC LIMIT 1 OFFSET ?1)`, MaxDeadLetters},
	} {
		res, err := s.db.W.ExecContext(ctx, q.sql, q.arg)
		if err != nil {
			return total, fmt.Errorf("sync: prune dead letters: %w", db.Explain(err))
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
