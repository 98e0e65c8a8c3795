package sync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/sync/outbox"
)

// MaxPayload is the largest event the agent accepts (CONTRACT.md, MQTT rule 6).
const MaxPayload = 1 << 20

// Direction says who publishes an event type.
type Direction string

// Directions of EventType.
const (
	FromAgent   Direction = "agent"
	FromCentral Direction = "central"
)

// Topics relative to <prefix>/stores/<store_id>/ (CONTRACT.md, MQTT section). The outbox topics
// are outbox.TopicSales, outbox.TopicMovements, outbox.TopicReservations, outbox.TopicTill, outbox.TopicFiscal and outbox.TopicPayments.
const (
	TopicStatus         = "status"
	TopicInboxAcks      = "inbox/acks"
	TopicCustomerLookup = "customers/lookup"
	TopicSyncRequest    = "sync/request"
	TopicCatalog        = "catalog"
	TopicPromotions     = "promotions"
	TopicStock          = "stock"
	TopicReservationsIn = "reservations"
	TopicCustomerReply  = "customers/reply"
	TopicAcks           = "acks"
)

// Event types of the contract.
const (
	TypeStatus               = "retail.store.status"
	TypeSaleCompleted        = "retail.sale.completed"
	TypeSaleRefunded         = "retail.sale.refunded"
	TypeSaleFiscalized       = "retail.sale.fiscalized"
	TypeStockMovement        = "retail.stock.movement"
	TypeReservationConfirmed = "retail.reservation.confirmed"
	TypeReservationRejected  = "retail.reservation.rejected"
	TypeReservationCollected = "retail.reservation.collected"
	TypeReservationReleased  = "retail.reservation.released"
	TypeReservationAtRisk    = "retail.reservation.at_risk"
	TypeAck                  = "retail.ack"
	TypeCustomerLookup       = "retail.customer.lookup"
	TypeSyncRequest          = "retail.sync.request"
	TypeCatalogDelta         = "retail.catalog.delta"
	TypeCatalogSnapshot      = "retail.catalog.snapshot"
	TypePromotionDelta       = "retail.promotion.delta"
	TypePromotionSnapshot    = "retail.promotion.snapshot"
	TypeStockAdjustment      = "retail.stock.adjustment"
	TypeStockCount           = "retail.stock.count"
	TypeReservationCreated   = "retail.reservation.created"
	TypeReservationCancelled = "retail.reservation.cancelled"
	TypeCustomerResult       = "retail.customer.result"
	TypeTillOpened           = "retail.till.opened"
	TypeTillMovement         = "retail.till.movement"
	TypeTillClosed           = "retail.till.closed"
	TypeFiscalRecord         = "retail.fiscal.record"
	TypePaymentApproved      = "retail.payment.approved"
	TypePaymentDeclined      = "retail.payment.declined"
	TypePaymentCancelled     = "retail.payment.cancelled"
	TypePaymentUnknown       = "retail.payment.unknown"
	TypePaymentResolved      = "retail.payment.resolved"
	TypePaymentUnclaimed     = "retail.payment.unclaimed"
)

// EventType is one row of the contract's event table: a type, the topic it travels on and who
// publishes it.
type EventType struct {
	Type  string
	Topic string
	From  Direction
}

// EventTypes returns every event type the agent sends or handles. The decoder accepts exactly the
// central ones, and the AsyncAPI document is tested against this table.
func EventTypes() []EventType {
	return []EventType{
		{TypeStatus, TopicStatus, FromAgent},
		{TypeSaleCompleted, outbox.TopicSales, FromAgent},
		{TypeSaleRefunded, outbox.TopicSales, FromAgent},
		{TypeSaleFiscalized, outbox.TopicSales, FromAgent},
		{TypeStockMovement, outbox.TopicMovements, FromAgent},
		{TypeReservationConfirmed, outbox.TopicReservations, FromAgent},
		{TypeReservationRejected, outbox.TopicReservations, FromAgent},
		{TypeReservationCollected, outbox.TopicReservations, FromAgent},
		{TypeReservationReleased, outbox.TopicReservations, FromAgent},
		{TypeReservationAtRisk, outbox.TopicReservations, FromAgent},
		{TypeTillOpened, outbox.TopicTill, FromAgent},
		{TypeTillMovement, outbox.TopicTill, FromAgent},
		{TypeTillClosed, outbox.TopicTill, FromAgent},
		{TypeFiscalRecord, outbox.TopicFiscal, FromAgent},
		{TypePaymentApproved, outbox.TopicPayments, FromAgent},
		{TypePaymentDeclined, outbox.TopicPayments, FromAgent},
		{TypePaymentCancelled, outbox.TopicPayments, FromAgent},
		{TypePaymentUnknown, outbox.TopicPayments, FromAgent},
		{TypePaymentResolved, outbox.TopicPayments, FromAgent},
		{TypePaymentUnclaimed, outbox.TopicPayments, FromAgent},
		{TypeAck, TopicInboxAcks, FromAgent},
		{TypeCustomerLookup, TopicCustomerLookup, FromAgent},
		{TypeSyncRequest, TopicSyncRequest, FromAgent},
		{TypeCatalogDelta, TopicCatalog, FromCentral},
		{TypeCatalogSnapshot, TopicCatalog, FromCentral},
		{TypePromotionDelta, TopicPromotions, FromCentral},
		{TypePromotionSnapshot, TopicPromotions, FromCentral},
		{TypeStockAdjustment, TopicStock, FromCentral},
		{TypeStockCount, TopicStock, FromCentral},
		{TypeReservationCreated, TopicReservationsIn, FromCentral},
		{TypeReservationCancelled, TopicReservationsIn, FromCentral},
		{TypeCustomerResult, TopicCustomerReply, FromCentral},
		{TypeAck, TopicAcks, FromCentral},
		// Fleet operations (package fleet decodes them; the Syncer only routes them).
		{"retail.command", "commands", FromCentral},
		{"retail.command.result", "commands/results", FromAgent},
		{"retail.diagnostics.chunk", "diagnostics", FromAgent},
		{"retail.config.desired", "config/desired", FromCentral},
		{"retail.config.reported", "config/reported", FromAgent},
		{"retail.update.available", "update", FromCentral},
		{"retail.update.reported", "update/reported", FromAgent},
	}
}

// centralType reports whether typ may arrive on topic from central.
func centralType(topic, typ string) bool {
	for _, e := range EventTypes() {
		if e.From == FromCentral && e.Topic == topic && e.Type == typ {
			return true
		}
	}
	return false
}

// Dead-letter reasons, the reason label of storeagent_sync_dead_letters_total.
const (
	ReasonTooLarge      = "too_large"
	ReasonMalformedJSON = "malformed_json"
	ReasonNotCloudEvent = "not_cloudevent"
	ReasonUnknownType   = "unknown_type"
	ReasonBadData       = "bad_data"
	// ReasonRetained counts retained messages on inbound topics, ignored (not stored).
	ReasonRetained = "retained"
)

// DecodeError is why an incoming event was refused; Reason is one of the Reason* constants.
type DecodeError struct {
	Reason string
	ID     string
	Err    error
}

func (e *DecodeError) Error() string { return fmt.Sprintf("%s: %v", e.Reason, e.Err) }
func (e *DecodeError) Unwrap() error { return e.Err }

func decodeErr(reason, id, format string, args ...any) *DecodeError {
	return &DecodeError{Reason: reason, ID: id, Err: fmt.Errorf(format, args...)}
}

// Decoded is an incoming event whose envelope and data are valid. Data holds a pointer to the
// type's data struct (*CatalogData, *StockAdjustmentData, ...).
type Decoded struct {
	Envelope outbox.Event
	Topic    string
	Data     any
}

// Seq is the seq that orders the event on its topic: data.seq for the catalogue, else the
// envelope's; 0 when it has none.
func (d Decoded) Seq() int64 {
	if c, ok := d.Data.(*CatalogData); ok {
		return c.Seq
	}
	if p, ok := d.Data.(*PromotionData); ok {
		return p.Seq
	}
	if d.Envelope.Seq != nil {
		return *d.Envelope.Seq
	}
	return 0
}

// DecodeEvent checks an incoming payload on topic (relative to the store's prefix) and decodes it:
// size, JSON, the CloudEvents 1.0 envelope, the type for the topic and the data's fields. Every
// refusal is a *DecodeError.
func DecodeEvent(topic string, payload []byte) (Decoded, error) {
	if len(payload) > MaxPayload {
		return Decoded{}, decodeErr(ReasonTooLarge, "", "payload of %d bytes is over %d", len(payload), MaxPayload)
	}
	var env outbox.Event
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&env); err != nil {
		return Decoded{}, decodeErr(ReasonMalformedJSON, "", "%v", err)
	}
	if dec.More() {
		return Decoded{}, decodeErr(ReasonMalformedJSON, env.ID, "trailing data after the event")
	}
	switch {
	case env.SpecVersion != "1.0":
		return Decoded{}, decodeErr(ReasonNotCloudEvent, env.ID, "specversion %q is not 1.0", truncate(env.SpecVersion, 20))
	case env.ID == "" || len(env.ID) > 128:
		return Decoded{}, decodeErr(ReasonNotCloudEvent, "", "id must be 1..128 characters")
	case env.Source == "" || env.Type == "":
		return Decoded{}, decodeErr(ReasonNotCloudEvent, env.ID, "source and type are required")
	case env.DataContentType != "" && env.DataContentType != "application/json":
		return Decoded{}, decodeErr(ReasonNotCloudEvent, env.ID, "datacontenttype %q is not application/json", truncate(env.DataContentType, 40))
	case len(bytes.TrimSpace(env.Data)) == 0 || bytes.Equal(bytes.TrimSpace(env.Data), []byte("null")):
		return Decoded{}, decodeErr(ReasonNotCloudEvent, env.ID, "data is missing")
	}
	if env.Time != "" {
		if _, err := time.Parse(time.RFC3339Nano, env.Time); err != nil {
			return Decoded{}, decodeErr(ReasonNotCloudEvent, env.ID, "time %q is not RFC 3339", truncate(env.Time, 40))
		}
	}
	if env.Seq != nil && *env.Seq < 1 {
		return Decoded{}, decodeErr(ReasonNotCloudEvent, env.ID, "seq %d must be positive", *env.Seq)
	}
	if !centralType(topic, env.Type) {
		return Decoded{}, decodeErr(ReasonUnknownType, env.ID, "type %q is not expected on %s", truncate(env.Type, 60), topic)
	}
	data, err := decodeData(env.Type, env.Data)
	if err != nil {
		return Decoded{}, &DecodeError{Reason: ReasonBadData, ID: env.ID, Err: err}
	}
	return Decoded{Envelope: env, Topic: topic, Data: data}, nil
}

func decodeData(typ string, raw json.RawMessage) (any, error) {
	var v interface{ validate(typ string) error }
	switch typ {
	case TypeCatalogDelta, TypeCatalogSnapshot:
		v = &CatalogData{}
	case TypePromotionDelta, TypePromotionSnapshot:
		v = &PromotionData{}
	case TypeStockAdjustment:
		v = &StockAdjustmentData{}
	case TypeStockCount:
		v = &StockCountData{}
	case TypeReservationCreated, TypeReservationCancelled:
		v = &ReservationData{}
	case TypeCustomerResult:
		v = &CustomerResultData{}
	case TypeAck:
		v = &AckData{}
	default:
		return nil, fmt.Errorf("no decoder for %s", typ)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(v); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if err := v.validate(typ); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return v, nil
}

var errEmptyID = errors.New("id is empty or longer than 128 characters")

func validID(s string) error {
	if s == "" || len(s) > 128 {
		return errEmptyID
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
