package sync_test

import (
	"encoding/json"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/storeagent/storeagent/pos"
	agentsync "github.com/storeagent/storeagent/sync"
)

// FuzzDecodeEvent_Bounds builds well-formed central events around fuzzed numbers and text and
// checks the whole class of issue 16 items 3–5: whatever the decoder accepts has every quantity,
// delta, count, price, version and free text within the bounds sync/asyncapi.yaml states, so no
// sum the agent computes from it can overflow and no name can blow up a receipt or an outbox event.
func FuzzDecodeEvent_Bounds(f *testing.F) {
	f.Add(uint8(0), int64(-2), int64(1), "Pasta")
	f.Add(uint8(0), int64(math.MaxInt64), int64(1), "x")
	f.Add(uint8(1), int64(math.MinInt64+1), int64(1), "x")
	f.Add(uint8(2), int64(3), int64(129), "Anna")
	f.Add(uint8(3), int64(math.MaxInt64), int64(math.MaxInt64), "Pasta\x00")
	f.Fuzz(func(t *testing.T, kind uint8, n, m int64, text string) {
		topic, typ, data := "", "", map[string]any{}
		switch kind % 4 {
		case 0:
			topic, typ = "stock", "retail.stock.adjustment"
			data = map[string]any{"movement_id": "m1", "sku": "A", "delta": n, "occurred_at": "2026-11-01T10:00:00Z"}
		case 1:
			topic, typ = "stock", "retail.stock.count"
			data = map[string]any{"count_id": "c1", "sku": "A", "on_hand": n, "as_of": "2026-11-01T10:00:00Z"}
		case 2:
			topic, typ = "reservations", "retail.reservation.created"
			data = map[string]any{"reservation_id": "r1", "order_ref": text, "customer_name": text, "paid": true,
				"lines": []any{map[string]any{"sku": "A", "qty": n, "unit_price_minor": m}}, "expires_at": "2026-11-02T10:00:00Z"}
		case 3:
			topic, typ = "catalog", "retail.catalog.delta"
			data = map[string]any{"seq": 1, "items": []any{map[string]any{"sku": "A", "gtins": []string{}, "name": text,
				"price_minor": m, "currency": "EUR", "tax_rate_bp": 2200, "unit": "each", "active": true, "version": n, "category": text}}}
		}
		payload, err := json.Marshal(map[string]any{"specversion": "1.0", "id": "e1", "source": "/central", "type": typ, "seq": 1, "data": data})
		if err != nil {
			t.Skip()
		}
		d, err := agentsync.DecodeEvent(topic, payload)
		if err != nil {
			return
		}
		checkText := func(field, s string, max int) {
			if len(s) > max || !utf8.ValidString(s) {
				t.Fatalf("accepted %s of %d bytes (at most %d) or invalid UTF-8", field, len(s), max)
			}
		}
		switch v := d.Data.(type) {
		case *agentsync.StockAdjustmentData:
			if v.Delta < -pos.MaxStockQty || v.Delta > pos.MaxStockQty {
				t.Fatalf("accepted delta %d", v.Delta)
			}
		case *agentsync.StockCountData:
			if v.OnHand < -pos.MaxStockQty || v.OnHand > pos.MaxStockQty {
				t.Fatalf("accepted on_hand %d", v.OnHand)
			}
		case *agentsync.ReservationData:
			checkText("customer_name", v.CustomerName, pos.MaxNameBytes)
			checkText("order_ref", v.OrderRef, pos.MaxTextBytes)
			for _, l := range v.Lines {
				if l.Qty < 1 || l.Qty > pos.MaxStockQty || l.UnitPriceMinor < 0 || l.UnitPriceMinor > pos.MaxPriceMinor {
					t.Fatalf("accepted line %+v", l)
				}
			}
		case *agentsync.CatalogData:
			for _, it := range v.Items {
				checkText("name", it.Name, pos.MaxNameBytes)
				checkText("category", it.Category, pos.MaxTextBytes)
				if it.Version < 1 || it.Version > pos.MaxVersion || it.PriceMinor < 0 || it.PriceMinor > pos.MaxPriceMinor {
					t.Fatalf("accepted item %+v", it)
				}
			}
		default:
			t.Fatalf("decoded %T", d.Data)
		}
	})
}
