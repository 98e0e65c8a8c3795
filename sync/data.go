package sync

import (
	"fmt"
	"time"

	"github.com/storeagent/storeagent/pos"
)

// CatalogData is the data of retail.catalog.delta and retail.catalog.snapshot.
type CatalogData struct {
	Seq    int64             `json:"seq"`
	Chunk  int               `json:"chunk,omitempty"`
	Chunks int               `json:"chunks,omitempty"`
	Items  []pos.CatalogItem `json:"items"`
}

// maxChunks bounds a snapshot's chunk count (a 150,000-item catalogue in 1 MiB chunks needs ~100).
const maxChunks = 100000

// maxReservationLines bounds the lines of one reservation (a sale's limit).
const maxReservationLines = 500

func (d *CatalogData) validate(typ string) error {
	if d.Seq < 1 {
		return fmt.Errorf("seq %d must be positive", d.Seq)
	}
	if typ == TypeCatalogSnapshot {
		if d.Chunks < 1 || d.Chunks > maxChunks || d.Chunk < 1 || d.Chunk > d.Chunks {
			return fmt.Errorf("chunk %d of %d is out of range", d.Chunk, d.Chunks)
		}
	} // an empty delta (items: []) is valid: its seq still counts for gap detection
	for i, it := range d.Items {
		if err := it.Validate(); err != nil {
			return fmt.Errorf("items[%d]: %w", i, err)
		}
		if it.Version < 1 {
			return fmt.Errorf("items[%d] %s: version %d must be positive", i, it.SKU, it.Version)
		}
		if it.EffectiveFrom != "" {
			if _, err := time.Parse(time.RFC3339Nano, it.EffectiveFrom); err != nil {
				return fmt.Errorf("items[%d] %s: effective_from %q is not RFC 3339", i, it.SKU, truncate(it.EffectiveFrom, 40))
			}
		}
	}
	return nil
}

// StockAdjustmentData is the data of retail.stock.adjustment.
type StockAdjustmentData struct {
	MovementID string `json:"movement_id"`
	SKU        string `json:"sku"`
	Delta      int64  `json:"delta"`
	OccurredAt string `json:"occurred_at"`
}

func (d *StockAdjustmentData) validate(string) error {
	if err := validID(d.MovementID); err != nil {
		return fmt.Errorf("movement_id: %w", err)
	}
	if err := validID(d.SKU); err != nil {
		return fmt.Errorf("sku: %w", err)
	}
	if _, err := parseTime(d.OccurredAt); err != nil {
		return fmt.Errorf("occurred_at: %w", err)
	}
	return pos.CheckRange("delta", d.Delta, -pos.MaxStockQty, pos.MaxStockQty)
}

// StockCountData is the data of retail.stock.count.
type StockCountData struct {
	CountID string `json:"count_id"`
	SKU     string `json:"sku"`
	OnHand  int64  `json:"on_hand"`
	AsOf    string `json:"as_of"`
}

func (d *StockCountData) validate(string) error {
	if err := validID(d.CountID); err != nil {
		return fmt.Errorf("count_id: %w", err)
	}
	if err := validID(d.SKU); err != nil {
		return fmt.Errorf("sku: %w", err)
	}
	if _, err := parseTime(d.AsOf); err != nil {
		return fmt.Errorf("as_of: %w", err)
	}
	return pos.CheckRange("on_hand", d.OnHand, -pos.MaxStockQty, pos.MaxStockQty)
}

// ReservationData is the data of retail.reservation.created and retail.reservation.cancelled.
type ReservationData struct {
	ReservationID string                `json:"reservation_id"`
	OrderRef      string                `json:"order_ref"`
	CustomerName  string                `json:"customer_name"`
	Paid          bool                  `json:"paid"`
	Lines         []pos.ReservationLine `json:"lines"`
	ExpiresAt     string                `json:"expires_at"`
}

func (d *ReservationData) validate(typ string) error {
	if err := validID(d.ReservationID); err != nil {
		return fmt.Errorf("reservation_id: %w", err)
	}
	if typ == TypeReservationCancelled {
		return nil
	}
	if _, err := parseTime(d.ExpiresAt); err != nil {
		return fmt.Errorf("expires_at: %w", err)
	}
	if len(d.Lines) == 0 || len(d.Lines) > maxReservationLines {
		return fmt.Errorf("lines: %d lines, want 1..%d", len(d.Lines), maxReservationLines)
	}
	if err := pos.CheckText("order_ref", d.OrderRef, pos.MaxTextBytes); err != nil {
		return err
	}
	if err := pos.CheckText("customer_name", d.CustomerName, pos.MaxNameBytes); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, l := range d.Lines {
		if err := validID(l.SKU); err != nil {
			return fmt.Errorf("lines[%d].sku: %w", i, err)
		}
		if seen[l.SKU] {
			return fmt.Errorf("lines[%d]: sku %s twice", i, l.SKU)
		}
		seen[l.SKU] = true
		if err := pos.CheckRange(fmt.Sprintf("lines[%d].qty", i), l.Qty, 1, pos.MaxStockQty); err != nil {
			return err
		}
		if err := pos.CheckRange(fmt.Sprintf("lines[%d].unit_price_minor", i), l.UnitPriceMinor, 0, pos.MaxPriceMinor); err != nil {
			return err
		}
	}
	return nil
}

// CustomerResultData is the data of retail.customer.result.
type CustomerResultData struct {
	RequestID string `json:"request_id"`
	Found     bool   `json:"found"`
	Customer  *struct {
		CustomerID string `json:"customer_id"`
		Name       string `json:"name"`
		Tier       string `json:"tier"`
		Points     int64  `json:"points"`
	} `json:"customer"`
}

func (d *CustomerResultData) validate(string) error {
	if err := validID(d.RequestID); err != nil {
		return fmt.Errorf("request_id: %w", err)
	}
	if d.Found && (d.Customer == nil || validID(d.Customer.CustomerID) != nil) {
		return fmt.Errorf("found without a customer")
	}
	if c := d.Customer; c != nil {
		if err := pos.CheckText("customer.name", c.Name, pos.MaxNameBytes); err != nil {
			return err
		}
		if err := pos.CheckText("customer.tier", c.Tier, pos.MaxTextBytes); err != nil {
			return err
		}
		if err := pos.CheckRange("customer.points", c.Points, -pos.MaxStoredStock, pos.MaxStoredStock); err != nil {
			return err
		}
	}
	return nil
}

// AckData is the data of retail.ack.
type AckData struct {
	IDs []string `json:"ids"`
}

func (d *AckData) validate(string) error {
	for i, id := range d.IDs {
		if err := validID(id); err != nil {
			return fmt.Errorf("ids[%d]: %w", i, err)
		}
	}
	return nil
}

// StatusData is the data of retail.store.status.
type StatusData struct {
	Online        bool   `json:"online"`
	AgentVersion  string `json:"agent_version"`
	CatalogSeq    int64  `json:"catalog_seq"`
	OutboxPending int64  `json:"outbox_pending"`
}

// SyncRequestData is the data of retail.sync.request.
type SyncRequestData struct {
	Topic   string `json:"topic"`
	FromSeq int64  `json:"from_seq"`
	Reason  string `json:"reason"`
}

// CustomerLookupData is the data of retail.customer.lookup.
type CustomerLookupData struct {
	RequestID  string `json:"request_id"`
	CustomerID string `json:"customer_id"`
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, fmt.Errorf("%q is not RFC 3339", truncate(s, 40))
	}
	return t.UTC(), nil
}

// secondsUTC formats t as RFC 3339 UTC whole seconds, rounded up, so text comparison orders it and
// nothing is switched in early.
func secondsUTC(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond() != 0 {
		t = t.Truncate(time.Second).Add(time.Second)
	}
	return t.Format("2006-01-02T15:04:05Z")
}
