package agent

import (
	"fmt"
	"slices"
	"time"
)

// TillConfig is the till: key (CONTRACT.md wave 2, "Till sessions"): how tills open and close.
type TillConfig struct {
	// RequireOpen refuses sales and refunds on a terminal without an open session (409
	// till_not_open); false opens an implicit session with a zero float on the first sale.
	RequireOpen bool `yaml:"require_open"`
	// Denominations are the note and coin values a float or a cash count may name, in minor
	// units; empty in the file means the currency's default (DefaultDenominations).
	Denominations []int64 `yaml:"denominations"`
	// MaxDifferenceMinor is the largest cash difference (either way) a close may have without
	// a reason.
	MaxDifferenceMinor int64 `yaml:"max_difference_minor"`
	// DayStartsAt is the local time (HH:MM, store.timezone) at which the business day turns.
	DayStartsAt string `yaml:"day_starts_at"`
	// RequireDrawerClosed holds the next sale on a terminal whose printer reports its cash
	// drawer open (409 drawer_open) until the drawer is closed.
	RequireDrawerClosed bool `yaml:"require_drawer_closed"`
}

// Defaults of the till: key.
const (
	configDefaultMaxDifference = 500
	configDefaultDayStartsAt   = "04:00"
	configMaxDenominations     = 40
	configMaxDenominationMinor = 1_000_000_00
)

// DefaultDenominations returns the notes and coins in circulation for an ISO 4217 currency,
// largest first, in minor units; nil for a currency the table does not know (then any value is
// taken). Sources: the issuing central banks' lists of legal-tender notes and coins.
func DefaultDenominations(currency string) []int64 {
	switch currency {
	case "EUR":
		return []int64{50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1}
	case "CHF":
		return []int64{100000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5}
	case "GBP":
		return []int64{5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1}
	case "USD":
		return []int64{10000, 5000, 2000, 1000, 500, 200, 100, 50, 25, 10, 5, 1}
	case "SEK":
		return []int64{100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100}
	case "NOK":
		return []int64{100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 100}
	case "DKK":
		return []int64{100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50}
	case "PLN":
		return []int64{50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1}
	}
	return nil
}

// validateTill checks the till: key.
func (c *Config) validateTill(ps *configProblems) {
	t := c.Till
	if t.MaxDifferenceMinor < 0 || t.MaxDifferenceMinor > configMaxDenominationMinor {
		ps.add("till.max_difference_minor", fmt.Sprintf("%d is outside 0..%d", t.MaxDifferenceMinor, configMaxDenominationMinor))
	}
	if _, err := time.Parse("15:04", t.DayStartsAt); err != nil || len(t.DayStartsAt) != 5 {
		ps.add("till.day_starts_at", fmt.Sprintf("%q is not a local time HH:MM (like 04:00)", t.DayStartsAt))
	}
	if len(t.Denominations) > configMaxDenominations {
		ps.add("till.denominations", fmt.Sprintf("%d values; at most %d", len(t.Denominations), configMaxDenominations))
	}
	for i, v := range t.Denominations {
		if v <= 0 || v > configMaxDenominationMinor {
			ps.add(fmt.Sprintf("till.denominations[%d]", i), fmt.Sprintf("%d is not a value in minor units between 1 and %d", v, configMaxDenominationMinor))
		}
		if slices.Index(t.Denominations, v) != i {
			ps.add(fmt.Sprintf("till.denominations[%d]", i), fmt.Sprintf("%d is listed twice", v))
		}
	}
}

// DayStart returns the till.day_starts_at offset from midnight; a validated config always parses.
func (t TillConfig) DayStart() time.Duration {
	at, err := time.Parse("15:04", t.DayStartsAt)
	if err != nil {
		return 0
	}
	return time.Duration(at.Hour())*time.Hour + time.Duration(at.Minute())*time.Minute
}
