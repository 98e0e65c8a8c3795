package sync

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/storeagent/storeagent/sync/db"
)

// The outbox publisher (CONTRACT.md rule 1): unacked events in seq order per (epoch, topic), at most
// Options.Window of them published and not yet acked by central; an event is cleared only when
// central's retail.ack names it, never on the broker's PUBACK; after a reconnect or an ack timeout
// everything unacked is published again from the start (central dedupes by id).

type streamKey struct{ epoch, topic string }

type publisher struct {
	gen      uint64
	cursor   map[streamKey]int64
	inflight map[string]sent // event id → when and where it was published in this round
}

type sent struct {
	at  time.Time
	k   streamKey
	seq int64
}

// reset forgets the round, so everything unacked is published again. The events that were in
// flight get attempts + 1 (publications central did not ack).
func (s *Syncer) reset(ctx context.Context, p *publisher, gen uint64) {
	if len(p.inflight) > 0 {
		seqs := map[streamKey][]int64{}
		for _, f := range p.inflight {
			seqs[f.k] = append(seqs[f.k], f.seq)
		}
		s.queuePersist(ctx, persistJob{unacked: seqs})
	}
	p.gen = gen
	p.cursor = map[streamKey]int64{}
	p.inflight = map[string]sent{}
}

func (s *Syncer) publishLoop(ctx context.Context) error {
	p := &publisher{}
	s.reset(ctx, p, 0)
	var poll <-chan time.Time
	if s.opts.PollInterval > 0 {
		t := time.NewTicker(s.opts.PollInterval)
		defer t.Stop()
		poll = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.notify:
		case <-s.connWake:
		case <-poll:
		}
		if err := s.publishRound(ctx, p); err != nil && ctx.Err() == nil {
			s.log.Warn("outbox publish", "err", err)
			if !sleep(ctx, time.Second) {
				return nil
			}
		}
	}
}

// publishRound takes central's acks, restarts after a reconnect or an ack timeout, and fills the
// window. It loops while the window has room and events are left.
func (s *Syncer) publishRound(ctx context.Context, p *publisher) error {
	for {
		s.takeAcks(ctx, p)
		if !s.Online() {
			return nil
		}
		if g := s.gen.Load(); g != p.gen {
			s.reset(ctx, p, g)
		}
		now := time.Now()
		for _, f := range p.inflight {
			if now.Sub(f.at) > s.opts.AckTimeout {
				s.log.Info("central did not ack in time; publishing the outbox again", "in_flight", len(p.inflight))
				s.metrics.ackTimeouts.Inc()
				s.reset(ctx, p, p.gen)
				break
			}
		}
		room := s.opts.Window - len(p.inflight)
		if room <= 0 {
			return nil
		}
		n, err := s.fill(ctx, p, room)
		if err != nil || n == 0 {
			return err
		}
	}
}

// takeAcks frees the window slots of the events central acked and hands them to the persist loop,
// which marks acked_at in batches (by seq range when it knows the seqs). Until that commit they are
// remembered as acked, so a restart of the round does not publish them again.
func (s *Syncer) takeAcks(ctx context.Context, p *publisher) {
	s.mu.Lock()
	ids := s.centralAcks
	s.centralAcks = nil
	for _, id := range ids {
		s.ackedUnsaved[id] = true
	}
	s.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	job := persistJob{acked: map[streamKey][]int64{}}
	for _, id := range ids {
		f, ok := p.inflight[id]
		if !ok {
			job.ackedIDs = append(job.ackedIDs, id)
			continue
		}
		delete(p.inflight, id)
		job.acked[f.k] = append(job.acked[f.k], f.seq)
	}
	job.ids = ids
	s.queuePersist(ctx, job)
}

func (s *Syncer) queuePersist(ctx context.Context, j persistJob) {
	select {
	case s.persistCh <- j:
	case <-ctx.Done():
	}
}

// persistJob is outbox bookkeeping written off the publishing path.
type persistJob struct {
	// acked are the seqs central acked per stream; ackedIDs those acked events whose seq the
	// publisher did not know (published by an earlier round or process).
	acked    map[streamKey][]int64
	ackedIDs []string
	// ids are all the acked event ids, to forget once committed.
	ids []string
	// unacked are seqs published and not acked in a round that is starting over.
	unacked map[streamKey][]int64
}

// seqRanges sorts seqs and returns them as inclusive [from, to] runs of consecutive numbers.
func seqRanges(seqs []int64) [][2]int64 {
	slices.Sort(seqs)
	var out [][2]int64
	for _, q := range seqs {
		if n := len(out); n > 0 && out[n-1][1]+1 == q {
			out[n-1][1] = q
			continue
		} else if n > 0 && out[n-1][1] == q {
			continue
		}
		out = append(out, [2]int64{q, q})
	}
	return out
}

// persistLoop writes acked_at and attempts in batched transactions, so the publisher does not wait
// for an fsync per ack.
func (s *Syncer) persistLoop(ctx context.Context) error {
	for {
		var jobs []persistJob
		select {
		case <-ctx.Done():
			// Save what is queued; a loss would only republish (central dedupes).
			for {
				select {
				case j := <-s.persistCh:
					jobs = append(jobs, j)
					continue
				default:
				}
				break
			}
			if len(jobs) > 0 {
				if err := s.persist(context.WithoutCancel(ctx), jobs); err != nil {
					s.log.Warn("outbox bookkeeping at shutdown", "err", err)
				}
			}
			return nil
		case j := <-s.persistCh:
			jobs = append(jobs, j)
		}
	drain:
		for len(jobs) < 1000 {
			select {
			case j := <-s.persistCh:
				jobs = append(jobs, j)
			default:
				break drain
			}
		}
		for {
			err := s.persist(ctx, jobs)
			if err == nil || ctx.Err() != nil {
				break
			}
			s.log.Warn("outbox bookkeeping", "err", err)
			if !sleep(ctx, time.Second) {
				break
			}
		}
	}
}

func (s *Syncer) persist(ctx context.Context, jobs []persistJob) error {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return db.Explain(err)
	}
	defer tx.Rollback()
	now := s.now()
	var n int64
	exec := func(what, query string, args ...any) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("outbox: %s: %w", what, db.Explain(err))
		}
		k, _ := res.RowsAffected()
		if what == "mark acked" {
			n += k
		}
		return nil
	}
	var ids []string
	for _, j := range jobs {
		for k, seqs := range j.unacked {
			for _, r := range seqRanges(seqs) {
				if err := exec("note attempts", `UPDATE outbox SET attempts = attempts + 1, last_sent_at = ?5
					WHERE epoch = ?1 AND topic = ?2 AND seq BETWEEN ?3 AND ?4 AND acked_at = ''`,
					k.epoch, k.topic, r[0], r[1], now); err != nil {
					return err
				}
			}
		}
		for k, seqs := range j.acked {
			for _, r := range seqRanges(seqs) {
				if err := exec("mark acked", `UPDATE outbox SET acked_at = ?5
					WHERE epoch = ?1 AND topic = ?2 AND seq BETWEEN ?3 AND ?4 AND acked_at = ''`,
					k.epoch, k.topic, r[0], r[1], now); err != nil {
					return err
				}
			}
		}
		for _, id := range j.ackedIDs {
			if err := exec("mark acked", `UPDATE outbox SET acked_at = ?2 WHERE event_id = ?1 AND acked_at = ''`, id, now); err != nil {
				return err
			}
		}
		ids = append(ids, j.ids...)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("outbox: bookkeeping: %w", db.Explain(err))
	}
	s.mu.Lock()
	for _, id := range ids {
		delete(s.ackedUnsaved, id)
	}
	s.mu.Unlock()
	s.metrics.acked.Add(float64(n))
	return nil
}

type outRow struct {
	seq     int64
	id      string
	payload []byte
}

// fill publishes up to room unacked events after each stream's cursor, in seq order, and returns
// how many it published.
func (s *Syncer) fill(ctx context.Context, p *publisher, room int) (int, error) {
	// outbox_seq has one row per stream: cheaper than grouping the pending events.
	rows, err := s.db.R.QueryContext(ctx, `SELECT epoch, topic FROM outbox_seq ORDER BY epoch, topic`)
	if err != nil {
		return 0, fmt.Errorf("outbox: streams: %w", err)
	}
	var streams []streamKey
	for rows.Next() {
		var k streamKey
		if err := rows.Scan(&k.epoch, &k.topic); err != nil {
			rows.Close()
			return 0, err
		}
		streams = append(streams, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	total := 0
	for _, k := range streams {
		if total >= room {
			break
		}
		batch, err := s.readStream(ctx, k, p.cursor[k], room-total)
		if err != nil {
			return total, err
		}
		now := time.Now()
		s.mu.Lock()
		skip := make(map[string]bool)
		for _, r := range batch {
			if s.ackedUnsaved[r.id] {
				skip[r.id] = true
			}
		}
		s.mu.Unlock()
		for _, r := range batch {
			p.cursor[k] = r.seq
			if skip[r.id] {
				continue
			}
			if _, err := s.publish(k.topic, r.payload, false); err != nil {
				return total, nil // offline: the next connection starts over
			}
			if _, ok := p.inflight[r.id]; !ok {
				p.inflight[r.id] = sent{at: now, k: k, seq: r.seq}
			}
			total++
		}
		s.metrics.published.Add(float64(len(batch) - len(skip)))
		if len(batch) > 0 && len(skip) == len(batch) {
			total++ // nothing published, but the cursor moved: keep filling
		}
	}
	return total, nil
}

func (s *Syncer) readStream(ctx context.Context, k streamKey, after int64, limit int) ([]outRow, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT seq, event_id, payload FROM outbox
		WHERE epoch = ?1 AND topic = ?2 AND seq > ?3 AND acked_at = '' ORDER BY seq LIMIT ?4`,
		k.epoch, k.topic, after, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: read %s: %w", k.topic, err)
	}
	defer rows.Close()
	var out []outRow
	for rows.Next() {
		var r outRow
		if err := rows.Scan(&r.seq, &r.id, &r.payload); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
