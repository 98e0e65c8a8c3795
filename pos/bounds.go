package pos

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// Bounds on what central may send (sync validates every inbound event against them, and
// sync/asyncapi.yaml states them). They are far above what a store sees and far below where int64
// arithmetic or SQLite's INTEGER would overflow, so every sum the agent computes stays exact.
const (
	// MaxStockQty bounds a stock delta, a counted on_hand and a reservation line's qty, either way.
	MaxStockQty = 1_000_000_000
	// MaxStoredStock bounds a stored on_hand or reserved: sums saturate here instead of overflowing.
	MaxStoredStock = 1_000_000_000_000
	// MaxPriceMinor bounds a price or unit price (one billion in major units).
	MaxPriceMinor = maxAmountMinor
	// MaxVersion bounds a catalogue item's version (2^53: exact in JSON numbers everywhere).
	MaxVersion = 1 << 53
	// MaxNameBytes bounds a product name and a customer name, in UTF-8 bytes.
	MaxNameBytes = 256
	// MaxTextBytes bounds a short free-text field from central (category, tier, order_ref).
	MaxTextBytes = 128
	// MaxGTINs bounds the GTINs of one item.
	MaxGTINs = 32
	// MaxNetContent bounds an item's net content (in its unit).
	MaxNetContent = 1_000_000
)

// CheckText reports an error naming field when s is not valid UTF-8, longer than max bytes, or
// holds control characters (a name is printed on receipts and labels and shown on pages).
func CheckText(field, s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("%s is %d bytes, at most %d", field, len(s), max)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8", field)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%s holds control character %U", field, r)
		}
	}
	return nil
}

// CheckRange reports an error naming field when v is outside [lo, hi].
func CheckRange(field string, v, lo, hi int64) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s %d is out of range [%d, %d]", field, v, lo, hi)
	}
	return nil
}

// SatAdd adds a and b, saturating at ±MaxStoredStock instead of overflowing: a stored quantity
// that ever got out of bounds can then still be sold from, counted and adjusted.
func SatAdd(a, b int64) int64 {
	var s int64
	switch {
	case b > 0 && a > math.MaxInt64-b:
		s = math.MaxInt64
	case b < 0 && a < math.MinInt64-b:
		s = math.MinInt64
	default:
		s = a + b
	}
	return max(-MaxStoredStock, min(MaxStoredStock, s))
}

// SatAddSQL is the SQL form of SatAdd for an upsert's "col + excluded.col": SQLite turns an
// overflowing integer sum into a REAL, which min/max clamp back into the bounds before the CAST.
func SatAddSQL(a, b string) string {
	return fmt.Sprintf("CAST(max(%d, min(%d, %s + %s)) AS INTEGER)", int64(-MaxStoredStock), int64(MaxStoredStock), a, b)
}
