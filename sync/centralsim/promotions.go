package centralsim

import (
	"context"
	"sort"

	"github.com/google/uuid"
	"github.com/storeagent/storeagent/pos/promo"
)

// Promotion event types (sync.TypePromotionDelta and sync.TypePromotionSnapshot).
const (
	TypePromotionDelta    = "retail.promotion.delta"
	TypePromotionSnapshot = "retail.promotion.snapshot"
)

// PromotionDeltaEvent takes the next promotions seq and returns a delta carrying ps, unpublished.
func (s *Sim) PromotionDeltaEvent(ps ...promo.Promotion) (seq int64, payload []byte, err error) {
	s.mu.Lock()
	s.promoSeq++
	seq = s.promoSeq
	if s.promos == nil {
		s.promos = map[string]promo.Promotion{}
	}
	for _, p := range ps {
		if p.Validate() != nil {
			continue // sent as given (tests send bad ones), but not part of central's state
		}
		if cur, ok := s.promos[p.ID]; !ok || p.Version > cur.Version {
			s.promos[p.ID] = p
		}
	}
	s.mu.Unlock()
	if ps == nil {
		ps = []promo.Promotion{}
	}
	payload, err = s.envelope(uuid.Must(uuid.NewV7()).String(), TypePromotionDelta, 0,
		map[string]any{"seq": seq, "promotions": ps})
	return seq, payload, err
}

// PromotionSnapshotEvents takes the next promotions seq and returns a snapshot of ps in chunks of
// chunkSize promotions (at least one chunk), unpublished.
func (s *Sim) PromotionSnapshotEvents(chunkSize int, ps ...promo.Promotion) (seq int64, payloads [][]byte, err error) {
	s.mu.Lock()
	s.promoSeq++
	seq = s.promoSeq
	s.mu.Unlock()
	if chunkSize < 1 {
		chunkSize = 500
	}
	chunks := max(1, (len(ps)+chunkSize-1)/chunkSize)
	for c := range chunks {
		part := ps[min(c*chunkSize, len(ps)):min((c+1)*chunkSize, len(ps))]
		if part == nil {
			part = []promo.Promotion{}
		}
		p, err := s.envelope(uuid.Must(uuid.NewV7()).String(), TypePromotionSnapshot, 0,
			map[string]any{"seq": seq, "chunk": c + 1, "chunks": chunks, "promotions": part})
		if err != nil {
			return seq, nil, err
		}
		payloads = append(payloads, p)
	}
	return seq, payloads, nil
}

// PublishPromotions sends a promotions delta to the stores.
func (s *Sim) PublishPromotions(ctx context.Context, stores []string, ps ...promo.Promotion) (int64, error) {
	seq, p, err := s.PromotionDeltaEvent(ps...)
	if err != nil {
		return 0, err
	}
	for _, st := range stores {
		if err := s.publish(st, "promotions", p); err != nil {
			return seq, err
		}
	}
	return seq, nil
}

// PublishPromotionSnapshot sends every promotion central has, in chunks of 500, to a store: the
// answer to a sync request on the promotions topic.
func (s *Sim) PublishPromotionSnapshot(ctx context.Context, store string) error {
	s.mu.Lock()
	ps := make([]promo.Promotion, 0, len(s.promos))
	for _, p := range s.promos {
		ps = append(ps, p)
	}
	s.mu.Unlock()
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
	_, payloads, err := s.PromotionSnapshotEvents(500, ps...)
	if err != nil {
		return err
	}
	for _, p := range payloads {
		if err := s.publish(store, "promotions", p); err != nil {
			return err
		}
	}
	return nil
}
