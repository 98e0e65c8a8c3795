package escpos

import "fmt"

// Status is what a printer reports about itself, gathered from DLE EOT replies or an ASB message.
type Status struct {
	// Online is false while the printer is off-line (cover open, paper out, feeding, error).
	Online bool
	// CoverOpen is true while the cover is open.
	CoverOpen bool
	// PaperNearEnd is true when the roll paper near-end sensor sees little paper left.
	PaperNearEnd bool
	// PaperOut is true when the roll paper end sensor sees no paper (or printing stopped at a paper end).
	PaperOut bool
	// Error is true when an error occurred (mechanical, auto-cutter, unrecoverable or
	// automatically recoverable).
	Error bool
	// DrawerKnown is true once a reply that carries the drawer kick-out connector's pin 3 level
	// (DLE EOT 1, or an ASB message) was applied; DrawerPin3High is that level. Whether high
	// means open depends on the drawer's switch (see DrawerOpen).
	DrawerKnown    bool
	DrawerPin3High bool
}

// DrawerOpen tells whether the drawer is open given the level its switch pulls pin 3 to when
// open ("high" or "low"); known is false when no reply carried the level.
func (s Status) DrawerOpen(openLevel string) (open, known bool) {
	if !s.DrawerKnown {
		return false, false
	}
	if openLevel == "high" {
		return s.DrawerPin3High, true
	}
	return !s.DrawerPin3High, true
}

// IsStatusReply reports whether b has the fixed bits of a DLE EOT reply (0xx1xx10), which
// tells it apart from ASB messages and XON/XOFF ("Identification of send status", Epson ESC/POS
// Application Programming Guide; the Citizen CT-S310II manual, 5.3, shows the same table).
func IsStatusReply(b byte) bool { return b&0x93 == 0x12 }

// IsASBHeader reports whether b can be the first byte of an ASB message (0xx1xx00).
func IsASBHeader(b byte) bool { return b&0x93 == 0x10 }

// ApplyStatusReply updates s with the reply b to DLE EOT n. Each n reports some fields and
// leaves the others as they were (Epson ESC/POS Command Reference, "DLE EOT: Transmit real-time
// status"):
//
//	n=1 printer:     bit 2 drawer kick-out connector pin 3 high, bit 3 off-line.
//	n=2 off-line:    bit 2 cover open, bit 5 printing stopped by a paper end, bit 6 error.
//	n=3 error:       bit 2 mechanical, bit 3 auto-cutter, bit 5 unrecoverable, bit 6 auto-recoverable error.
//	n=4 roll paper:  bits 2,3 near-end sensor (on = near end), bits 5,6 end sensor (on = no paper).
//
// Bits 1 and 4 are fixed on and bits 0 and 7 fixed off; a byte without them is refused.
func (s *Status) ApplyStatusReply(n int, b byte) error {
	if !IsStatusReply(b) {
		return fmt.Errorf("status reply to DLE EOT %d: %#02x lacks the fixed bits 0xx1xx10", n, b)
	}
	switch n {
	case 1:
		s.Online = b&0x08 == 0
		s.DrawerKnown, s.DrawerPin3High = true, b&0x04 != 0
	case 2:
		s.CoverOpen = b&0x04 != 0
		s.PaperOut = b&0x20 != 0
		s.Error = b&0x40 != 0
	case 3:
		s.Error = b&0x6c != 0
	case 4:
		s.PaperNearEnd = b&0x0c != 0
		s.PaperOut = b&0x60 != 0
	default:
		return fmt.Errorf("status reply: DLE EOT %d, allowed 1..4", n)
	}
	return nil
}

// ParseASB parses a 4-byte Automatic Status Back message (Epson ESC/POS Command Reference,
// "GS a: Enable/disable Automatic Status Back"):
//
//	byte 1: bit 2 drawer kick-out connector pin 3 high, bit 3 off-line, bit 5 cover open,
//	        bit 6 paper fed by the FEED button;
//	        fixed 0xx1xx00.
//	byte 2: bit 2 mechanical, bit 3 auto-cutter, bit 5 unrecoverable, bit 6 auto-recoverable error.
//	byte 3: bits 0,1 roll paper near end, bits 2,3 roll paper end.
//	byte 4: reserved.
//
// Bytes 2 to 4 have bits 4 and 7 off.
func ParseASB(b []byte) (Status, error) {
	if len(b) != 4 {
		return Status{}, fmt.Errorf("asb: %d bytes, want 4", len(b))
	}
	if !IsASBHeader(b[0]) {
		return Status{}, fmt.Errorf("asb: first byte %#02x lacks the fixed bits 0xx1xx00", b[0])
	}
	for i := 1; i < 4; i++ {
		if b[i]&0x90 != 0 {
			return Status{}, fmt.Errorf("asb: byte %d is %#02x, bits 4 and 7 must be off", i+1, b[i])
		}
	}
	return Status{
		Online:         b[0]&0x08 == 0,
		CoverOpen:      b[0]&0x20 != 0,
		DrawerKnown:    true,
		DrawerPin3High: b[0]&0x04 != 0,
		Error:          b[1]&0x6c != 0,
		PaperNearEnd:   b[2]&0x03 != 0,
		PaperOut:       b[2]&0x0c != 0,
	}, nil
}

// State names the status the way the agent's device events do: "paper_out", "cover_open",
// "paper_low", "failed" (an error occurred) or "connected".
func (s Status) State() string {
	switch {
	case s.PaperOut:
		return "paper_out"
	case s.CoverOpen:
		return "cover_open"
	case s.Error:
		return "failed"
	case s.PaperNearEnd:
		return "paper_low"
	}
	return "connected"
}
