package scanner

import (
	"fmt"
	"strconv"
)

// RCN kinds: what the value digits of a variable-measure code carry.
const (
	// RCNPrice: the value is a price in minor units (times Multiplier).
	RCNPrice = "price"
	// RCNWeight: the value is a weight in grams (times Multiplier).
	RCNWeight = "weight"
)

// RCNLayout describes one price- or weight-embedded EAN-13 (a Restricted
// Circulation Number with GS1 prefix 20-29, GS1 General Specifications
// 2.1.11-2.1.12) as a region's GS1 Member Organisation defines it. Digit
// positions are 0-based indexes into the 13 digits.
type RCNLayout struct {
	// Prefix is the two-digit GS1 prefix, "20" to "29".
	Prefix string `yaml:"prefix" json:"prefix"`
	// ItemStart and ItemLen locate the item reference.
	ItemStart int `yaml:"item_start" json:"item_start"`
	ItemLen   int `yaml:"item_len" json:"item_len"`
	// Kind is RCNPrice or RCNWeight.
	Kind string `yaml:"kind" json:"kind"`
	// ValueStart and ValueLen locate the price or weight digits.
	ValueStart int `yaml:"value_start" json:"value_start"`
	ValueLen   int `yaml:"value_len" json:"value_len"`
	// ValueCheckPos is the index of a price/weight verifier digit
	// (GS1 General Specifications 7.9.2-7.9.4; value_len 4 or 5), or -1
	// for none. 0 is treated as none too, since index 0 is always part of
	// the prefix.
	ValueCheckPos int `yaml:"value_check_pos" json:"value_check_pos"`
	// Multiplier scales the value to minor units or grams: a price in
	// whole crowns is 100, a weight in units of 10 g is 10. 0 means 1.
	Multiplier int64 `yaml:"multiplier,omitempty" json:"multiplier,omitempty"`
}

// Validate checks that the layout fits in 13 digits and makes sense.
func (l RCNLayout) Validate() error {
	if len(l.Prefix) != 2 || l.Prefix[0] != '2' || !allDigits(l.Prefix) {
		return fmt.Errorf("rcn layout prefix %q: want \"20\" to \"29\"", l.Prefix)
	}
	if l.Kind != RCNPrice && l.Kind != RCNWeight {
		return fmt.Errorf("rcn layout %s: kind %q, want %q or %q", l.Prefix, l.Kind, RCNPrice, RCNWeight)
	}
	if l.ItemStart < 1 || l.ItemLen < 1 || l.ItemStart+l.ItemLen > 12 {
		return fmt.Errorf("rcn layout %s: item digits %d+%d do not fit in positions 1-11", l.Prefix, l.ItemStart, l.ItemLen)
	}
	if l.ValueStart < 2 || l.ValueLen < 1 || l.ValueLen > 6 || l.ValueStart+l.ValueLen > 12 {
		return fmt.Errorf("rcn layout %s: value digits %d+%d do not fit in positions 2-11 (at most 6 digits)", l.Prefix, l.ValueStart, l.ValueLen)
	}
	if l.hasCheck() {
		if l.ValueCheckPos > 11 || (l.ValueCheckPos >= l.ValueStart && l.ValueCheckPos < l.ValueStart+l.ValueLen) {
			return fmt.Errorf("rcn layout %s: value_check_pos %d is outside positions 2-11 or inside the value", l.Prefix, l.ValueCheckPos)
		}
		if l.ValueLen != 4 && l.ValueLen != 5 {
			return fmt.Errorf("rcn layout %s: a verifier digit needs value_len 4 or 5, got %d", l.Prefix, l.ValueLen)
		}
	}
	if l.Multiplier < 0 {
		return fmt.Errorf("rcn layout %s: negative multiplier %d", l.Prefix, l.Multiplier)
	}
	return nil
}

func (l RCNLayout) hasCheck() bool { return l.ValueCheckPos > 0 }

// RCN is what a variable-measure EAN-13 carries.
type RCN struct {
	// ItemCode is the item reference digits.
	ItemCode string `json:"item_code"`
	// LookupGTIN is the code as a GTIN-14 with the value (and verifier)
	// digits zeroed and the check digit recomputed: how the replica stores
	// such items (GS1 Sweden's "Meat and Game" example stores
	// 2388060103489 as 02388060100006).
	LookupGTIN string `json:"lookup_gtin"`
	// PriceMinor is the embedded price in minor units, for price layouts.
	PriceMinor *int64 `json:"price_minor,omitempty"`
	// WeightG is the embedded weight in grams, for weight layouts.
	WeightG *int64 `json:"weight_g,omitempty"`
}

// ParseRCN reads a price- or weight-embedded EAN-13 (13 digits, or a
// GTIN-14 with a leading 0) with the first layout whose prefix matches.
// It returns ok false and no error when the code is not a prefix-2 code or
// no layout has its prefix: such codes are plain codes. It returns an
// error for a malformed code, a bad layout, or a wrong check or price
// verifier digit.
func ParseRCN(code13 string, layouts []RCNLayout) (RCN, bool, error) {
	if len(code13) == 14 && code13[0] == '0' {
		code13 = code13[1:]
	}
	if len(code13) != 13 || !allDigits(code13) {
		return RCN{}, false, fmt.Errorf("rcn %q: want 13 digits", clip(code13, 20))
	}
	if code13[0] != '2' {
		return RCN{}, false, nil
	}
	var layout *RCNLayout
	for i := range layouts {
		if layouts[i].Prefix == code13[:2] {
			layout = &layouts[i]
			break
		}
	}
	if layout == nil {
		return RCN{}, false, nil
	}
	if err := layout.Validate(); err != nil {
		return RCN{}, true, err
	}
	if err := checkGTIN(code13); err != nil {
		return RCN{}, true, fmt.Errorf("rcn: %w", err)
	}
	value := code13[layout.ValueStart : layout.ValueStart+layout.ValueLen]
	if layout.hasCheck() {
		want, _ := priceCheckDigit(value)
		if got := code13[layout.ValueCheckPos]; got != want {
			return RCN{}, true, fmt.Errorf("rcn %s: %s verifier digit of %s: %w: got %c, want %c",
				code13, layout.Kind, value, ErrCheckDigit, got, want)
		}
	}
	b := []byte(code13)
	for i := layout.ValueStart; i < layout.ValueStart+layout.ValueLen; i++ {
		b[i] = '0'
	}
	if layout.hasCheck() {
		b[layout.ValueCheckPos] = '0' // the verifier of an all-zero value is 0
	}
	b[12] = mod10(string(b[:12]))
	n, _ := strconv.ParseInt(value, 10, 64)
	if layout.Multiplier > 0 {
		n *= layout.Multiplier
	}
	r := RCN{
		ItemCode:   code13[layout.ItemStart : layout.ItemStart+layout.ItemLen],
		LookupGTIN: "0" + string(b),
	}
	if layout.Kind == RCNPrice {
		r.PriceMinor = &n
	} else {
		r.WeightG = &n
	}
	return r, true, nil
}

// Weighting tables of GS1 General Specifications 7.9.2: the product of a
// digit and a weighting factor, reduced as the factor's rule says, indexed
// by the digit.
const (
	weight2Minus = "0246891357"
	weight3      = "0369258147"
	weight5Plus  = "0516273849"
	weight5Minus = "0594837261"
)

// wt looks a digit up in a weighting table.
func wt(table string, digit byte) int { return int(table[digit] - '0') }

// priceCheckDigit returns the price/weight verifier digit of a 4- or
// 5-digit value (GS1 General Specifications 7.9.3 and 7.9.4).
func priceCheckDigit(v string) (byte, bool) {
	if !allDigits(v) {
		return 0, false
	}
	d := func(i int) byte { return v[i] - '0' }
	switch len(v) {
	case 4:
		// Weights 2-, 2-, 3, 5-; the units digit of the sum times 3.
		sum := wt(weight2Minus, d(0)) + wt(weight2Minus, d(1)) + wt(weight3, d(2)) + wt(weight5Minus, d(3))
		return byte('0' + sum*3%10), true
	case 5:
		// Weights 5+, 2-, 5-, 5+, 2-; the check digit is the digit whose
		// 5- product equals ten minus the units digit of the sum.
		sum := wt(weight5Plus, d(0)) + wt(weight2Minus, d(1)) + wt(weight5Minus, d(2)) +
			wt(weight5Plus, d(3)) + wt(weight2Minus, d(4))
		target := (10 - sum%10) % 10
		for c := byte(0); c < 10; c++ {
			if wt(weight5Minus, c) == target {
				return '0' + c, true
			}
		}
	}
	return 0, false
}
