package sync

import (
	"encoding/json"

	"github.com/storeagent/storeagent/sync/outbox"
)

// refusedSeq is the seq that orders a refused event on its topic, read as leniently as possible so
// that a refusal does not hide a gap (CONTRACT.md rule 2): data.seq for a catalogue or promotions delta, else the
// envelope's seq. It is 0 for snapshot chunks (their seq names a whole snapshot, not one step),
// for events of other topics, and when no valid seq can be read.
func refusedSeq(topic string, env outbox.Event) int64 {
	switch topic {
	case TopicCatalog, TopicPromotions, TopicStock, TopicReservationsIn:
	default:
		return 0
	}
	switch env.Type {
	case TypeCatalogSnapshot, TypePromotionSnapshot:
		return 0
	case TypeCatalogDelta, TypePromotionDelta:
		var d struct {
			Seq int64 `json:"seq"`
		}
		if json.Unmarshal(env.Data, &d) != nil || d.Seq < 1 {
			return 0
		}
		return d.Seq
	}
	if env.Seq == nil || *env.Seq < 1 {
		return 0
	}
	return *env.Seq
}

// refusedPayloadSeq is refusedSeq for a stored payload: 0 when its envelope does not parse.
func refusedPayloadSeq(topic string, payload []byte) int64 {
	var env outbox.Event
	if json.Unmarshal(payload, &env) != nil || !centralType(topic, env.Type) {
		return 0
	}
	return refusedSeq(topic, env)
}

// refusedInboxSeq returns the ordering seq and type of an event refused for its data alone (a
// valid envelope, a type expected on topic, not a snapshot chunk), or 0 when the event is to be
// dead-lettered at once.
func refusedInboxSeq(topic string, de *DecodeError, payload []byte) (int64, string) {
	if de.Reason != ReasonBadData || de.ID == "" {
		return 0, ""
	}
	var env outbox.Event
	if json.Unmarshal(payload, &env) != nil || env.ID != de.ID || !centralType(topic, env.Type) {
		return 0, ""
	}
	return refusedSeq(topic, env), env.Type
}
