package scanner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

const (
	// maxScanBytes bounds one read: the largest QR Code holds 7089 digits,
	// so more than this is noise or a missing terminator.
	maxScanBytes = 8192
	// maxDataEcho bounds Scan.Data, so junk is never echoed in bulk.
	maxDataEcho = 256
)

// Options configure Parse.
type Options struct {
	// IDs says how the scanner marks symbologies.
	IDs IDConfig
	// RCN are the variable-measure layouts of the store's region
	// (RCNLayoutsFor or the config's rcn_layouts); nil reads prefix-2
	// EAN-13 codes as plain codes.
	RCN []RCNLayout
}

// Scan is one hardware scan, decoded and checked.
type Scan struct {
	// Symbology is a stable name (EAN13, GS1128, …, Unknown).
	Symbology string
	// Data is the code without its symbology identifier, GS kept as
	// "\u001d"; at most 256 bytes and valid UTF-8.
	Data string
	// Valid is false for a bad read: a wrong check digit, an invalid GS1
	// string, junk. Reason then says why in a few words.
	Valid  bool
	Reason string
	// GS1 are the element strings of a GS1 symbol or Digital Link, in order.
	GS1 []AIValue
	// GTIN is the 14-digit GTIN when the code identifies a trade item: the
	// EAN/UPC itself, a valid ITF-14, AI (01) or (02), or a Digital Link.
	GTIN string
	// Embedded is set for a price- or weight-embedded EAN-13 read with a
	// layout; look the item up by Embedded.LookupGTIN.
	Embedded *RCN
}

// GS1Map returns the GS1 elements as AI → value (the first value of an
// AI that appears twice).
func (s Scan) GS1Map() map[string]string {
	if len(s.GS1) == 0 {
		return nil
	}
	m := make(map[string]string, len(s.GS1))
	for _, e := range s.GS1 {
		if _, dup := m[e.AI]; !dup {
			m[e.AI] = e.Value
		}
	}
	return m
}

// MarshalJSON writes the scan as the contract's scan event fields:
// symbology, data, valid, reason, gs1 (an object), gtin and embedded.
func (s Scan) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Symbology string            `json:"symbology"`
		Data      string            `json:"data"`
		Valid     bool              `json:"valid"`
		Reason    string            `json:"reason,omitempty"`
		GS1       map[string]string `json:"gs1,omitempty"`
		GTIN      string            `json:"gtin,omitempty"`
		Embedded  *RCN              `json:"embedded,omitempty"`
	}{s.Symbology, s.Data, s.Valid, s.Reason, s.GS1Map(), s.GTIN, s.Embedded})
}

// Parse decodes the bytes of one scan (framing already removed; a trailing
// CR/LF is tolerated): it identifies the symbology, checks check digits,
// parses GS1 element strings and Digital Links, and reads variable-measure
// EAN-13 codes. It never panics; bad input gives Valid false and a Reason.
func Parse(raw []byte, opts Options) Scan {
	raw = bytes.TrimRight(raw, "\r\n")
	if len(raw) == 0 {
		return Scan{Symbology: Unknown, Reason: "empty read"}
	}
	if len(raw) > maxScanBytes {
		return Scan{Symbology: Unknown, Data: safeData(raw),
			Reason: fmt.Sprintf("read of %d bytes is too long (at most %d)", len(raw), maxScanBytes)}
	}
	sym, data := Identify(raw, opts.IDs)
	s := Scan{Symbology: sym, Data: safeData(data)}
	switch {
	case len(data) == 0:
		s.Reason = "no data after the symbology identifier"
	case bytes.IndexByte(data, 0) >= 0:
		s.Reason = "data contains NUL bytes"
	case !utf8.Valid(data):
		s.Reason = "data is not valid UTF-8"
	default:
		s.decode(string(data), opts)
	}
	s.Valid = s.Reason == ""
	if !s.Valid {
		// A misread must not resolve to a product.
		s.GTIN, s.Embedded = "", nil
	}
	return s
}

// decode fills in what the symbology's data carries.
func (s *Scan) decode(text string, opts Options) {
	switch s.Symbology {
	case EAN13, UPCA, EAN8, UPCE:
		s.decodeEAN(text, opts)
	case ITF:
		if len(text) == 14 && validMod10(text) {
			s.GTIN = text
		}
	case GS1128, GS1QR, GS1DataMatrix, GS1DataBar, GS1DotCode:
		s.decodeGS1(text)
	default:
		switch {
		case IsDigitalLink(text):
			elems, err := ParseDigitalLink(text)
			s.GS1 = elems
			if err != nil {
				msg := err.Error()
				if ge, ok := err.(*GS1Error); ok && ge.AI == "" {
					msg = ge.Msg
				}
				s.Reason = "Digital Link: " + msg
				return
			}
			s.GTIN = gtinFromGS1(elems)
		case strings.HasPrefix(text, "\x1d"):
			// FNC1 in first position without an identifier: a GS1 symbol.
			switch s.Symbology {
			case Code128, Unknown:
				s.Symbology = GS1128
			case QR:
				s.Symbology = GS1QR
			case DataMatrix:
				s.Symbology = GS1DataMatrix
			}
			s.decodeGS1(text)
		}
	}
}

func (s *Scan) decodeEAN(text string, opts Options) {
	if !allDigits(text) {
		s.Reason = fmt.Sprintf("%s data is not all digits", s.Symbology)
		return
	}
	if s.Symbology == EAN13 && len(text) == 12 {
		s.Symbology = UPCA
	}
	main := text
	switch s.Symbology {
	case EAN13, UPCA:
		want := 13
		if s.Symbology == UPCA {
			want = 12
		}
		if len(text) > want {
			main = text[:want] // an add-on follows (]E3)
		}
	case UPCE:
		if len(text) >= 12 {
			break // the reader sent the UPC-E expanded to UPC-A or EAN-13
		}
		upca, err := ExpandUPCE(text)
		if err != nil {
			s.Reason = err.Error()
			return
		}
		main = upca
	}
	gtin, err := GTIN14(main)
	if err != nil {
		s.Reason = err.Error()
		return
	}
	s.GTIN = gtin
	if s.Symbology == EAN13 && main[0] == '2' && len(opts.RCN) > 0 {
		r, ok, err := ParseRCN(main, opts.RCN)
		switch {
		case err != nil:
			s.Reason = err.Error()
		case ok:
			s.Embedded = &r
		}
	}
}

func (s *Scan) decodeGS1(text string) {
	elems, err := ParseGS1(text)
	s.GS1 = elems
	if err != nil {
		s.Reason = err.Error()
		return
	}
	s.GTIN = gtinFromGS1(elems)
}

// gtinFromGS1 returns AI (01), else AI (02), when its check digit is right.
func gtinFromGS1(elems []AIValue) string {
	for _, ai := range []string{"01", "02"} {
		for _, e := range elems {
			if e.AI == ai && len(e.Value) == 14 && validMod10(e.Value) {
				return e.Value
			}
		}
	}
	return ""
}

// safeData makes b fit for echoing: valid UTF-8, no NUL, at most
// maxDataEcho bytes (cut on a rune boundary, "…" marking the cut).
func safeData(b []byte) string {
	if len(b) > 4*maxDataEcho {
		b = b[:4*maxDataEcho]
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	if len(s) <= maxDataEcho {
		return s
	}
	cut := maxDataEcho - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
