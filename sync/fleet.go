package sync

import (
	"context"
	"fmt"
	"slices"

	"github.com/storeagent/storeagent/sync/db"
)

// FleetHandler receives the fleet topics (package fleet). The Syncer subscribes to Topics on every
// connection and acks each delivery once HandleFleet returns, so HandleFleet must not block: it
// queues the message, and a message it cannot take is lost to this delivery (central repeats
// retained messages on reconnect, and reads no result for a lost command).
type FleetHandler interface {
	// Topics are the topics relative to the store's prefix.
	Topics() []string
	// HandleFleet takes one message on one of Topics.
	HandleFleet(topic string, payload []byte, retained bool)
}

func (s *Syncer) fleetTopic(rel string) bool {
	return s.opts.Fleet != nil && slices.Contains(s.opts.Fleet.Topics(), rel)
}

// PublishEvent publishes a CloudEvent of type typ from this store on topic (relative to the
// store's prefix), retained or not, and waits for the broker's PUBACK. Offline it fails at once.
func (s *Syncer) PublishEvent(ctx context.Context, topic, typ string, data any, retained bool) error {
	payload, err := s.envelope(typ, data)
	if err != nil {
		return err
	}
	tok, err := s.publish(topic, payload, retained)
	if err != nil {
		return err
	}
	return wait(ctx, tok, s.opts.ConnectTimeout)
}

// ResyncTopics are the topics RequestSnapshot may ask central to send again from the start.
var ResyncTopics = []string{TopicCatalog, TopicPromotions, TopicStock, TopicReservationsIn}

// RequestSnapshot records a retail.sync.request for topic from seq 1 ("initial": central sends
// a snapshot of the catalogue or promotions, or every stock or reservation event again); it goes
// out as soon as the store is online, like a gap's.
func (s *Syncer) RequestSnapshot(ctx context.Context, topic string) error {
	if !slices.Contains(ResyncTopics, topic) {
		return fmt.Errorf("resync: topic %q is not one of %v", topic, ResyncTopics)
	}
	if _, err := s.db.W.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?1, '1')
		ON CONFLICT (key) DO UPDATE SET value = '1'`, "sync_gap:"+topic); err != nil {
		return fmt.Errorf("resync %s: %w", topic, db.Explain(err))
	}
	wake(s.ackWake)
	return nil
}
