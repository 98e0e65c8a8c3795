// Package scale reads the weight of a bioptic scanner-scale over its serial scale protocol: the
// scale shares the scanner's port, and its answers come framed like labels (ending in CR). Two
// protocols are spoken (see Protocol): the Datalogic Magellan Single Cable protocol (this file)
// and the Mettler Toledo 8217 protocol (toledo.go).
//
// Magellan Single Cable: the answers come framed like labels (STX "S", ETX CR by default).
//
// Source: Datalogic knowledge base KA-01089, "Magellan scanner/scale, RS232 Single Cable and USB
// Com Single Cable": weight request S11<CR>, answered S11<weight><CR> only when the weight is
// stable; scale monitor S14<CR>, answered S144<weight><CR> (stable, not zero), S140 (zero not
// found), S141 (unstable), S142 (over capacity), S143 (stable zero), S145 (under zero). Metric
// scales send 5 digits, pound scales 4, without a decimal point.
//
// This reads a weight for the till; it does not make a setup legal for trade: that needs the
// scale's own certification (type approval, verification seal) and a certified display of the
// weight to the customer.
package scale

import (
	"bytes"
	"errors"
	"fmt"
)

// Request is the scale monitor command (S14 CR), which is answered in every state.
var Request = []byte("S14\r")

// Statuses of a reading.
const (
	Stable       = "stable"        // a stable weight above zero (S144)
	Zero         = "zero"          // stable at zero (S143)
	Unstable     = "unstable"      // in motion (S141)
	OverCapacity = "over_capacity" // S142
	UnderZero    = "under_zero"    // negative (S145)
	NoZero       = "no_zero"       // cannot find zero: power cycle or calibrate (S140)
)

// MaxWeightG bounds a weight accepted from the scale (a checkout scale weighs up to 15 or 30 kg).
const MaxWeightG = 99_999

// Reading is one answer of the scale.
type Reading struct {
	Status string
	// WeightG is the weight in grams for Stable and Zero (0), else 0.
	WeightG int64
}

// ErrNotScale is a frame that is not a scale answer (a label).
var ErrNotScale = errors.New("not a scale answer")

// IsReply reports whether a frame from a scanner-scale is an answer of any protocol this package
// speaks (a Magellan S11 or S14…, a Toledo STX…) rather than a label, so the caller can route it
// to the Scale, which parses it with its own protocol. Magellan labels in Single Cable mode start
// with S08; labels never carry STX.
func IsReply(frame []byte) bool {
	return isMagellanReply(frame) || isToledoReply(frame)
}

func isMagellanReply(frame []byte) bool {
	frame = bytes.TrimPrefix(frame, []byte{STX})
	return bytes.HasPrefix(frame, []byte("S11")) || bytes.HasPrefix(frame, []byte("S14"))
}

// ParseReply parses a scale answer without its CR: "S144" + 5 digits (grams, a metric scale),
// "S11" + 5 digits, or a status S140..S145. Pound scales (4 digits) are refused: the agent
// sells by the gram and does not convert a certified reading.
//
// A frame that still carries the Single Cable STX before "S" or the ETX after the data (a
// framing that strips only the CR) is read the same.
func ParseReply(frame []byte) (Reading, error) {
	frame = bytes.TrimRight(frame, "\r\n\x03")
	frame = bytes.TrimPrefix(frame, []byte{STX})
	switch {
	case bytes.HasPrefix(frame, []byte("S144")):
		return weight(frame[4:], Stable)
	case bytes.HasPrefix(frame, []byte("S11")):
		return weight(frame[3:], Stable)
	case len(frame) == 4 && bytes.HasPrefix(frame, []byte("S14")):
		switch frame[3] {
		case '0':
			return Reading{Status: NoZero}, nil
		case '1':
			return Reading{Status: Unstable}, nil
		case '2':
			return Reading{Status: OverCapacity}, nil
		case '3':
			return Reading{Status: Zero}, nil
		case '5':
			return Reading{Status: UnderZero}, nil
		}
		return Reading{}, fmt.Errorf("scale: unknown status %q", frame)
	}
	if len(frame) > 16 {
		frame = frame[:16]
	}
	return Reading{}, fmt.Errorf("%w: %q", ErrNotScale, frame)
}

func weight(digits []byte, status string) (Reading, error) {
	switch len(digits) {
	case 5:
	case 4:
		return Reading{}, errors.New("scale: a 4-digit (pound) weight; set the scale to metric (kg)")
	default:
		return Reading{}, fmt.Errorf("scale: weight of %d digits, want 5 (metric)", len(digits))
	}
	var g int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return Reading{}, fmt.Errorf("scale: weight %q is not digits", digits)
		}
		g = g*10 + int64(c-'0')
	}
	if g > MaxWeightG {
		return Reading{}, fmt.Errorf("scale: weight %d g above %d", g, MaxWeightG)
	}
	if g == 0 {
		status = Zero
	}
	return Reading{Status: status, WeightG: g}, nil
}
