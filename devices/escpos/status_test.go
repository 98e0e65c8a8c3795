package escpos

import "testing"

// Replies built from the bit tables of the Epson ESC/POS Command Reference, "DLE EOT".
func TestStatus_ApplyStatusReply(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		reply byte
		want  Status
	}{
		{"online, drawer pin 3 low", 1, 0x12, Status{Online: true, DrawerKnown: true}},
		{"offline", 1, 0x1a, Status{DrawerKnown: true}},
		{"online, drawer pin 3 high", 1, 0x16, Status{Online: true, DrawerKnown: true, DrawerPin3High: true}},
		{"offline, drawer pin 3 high", 1, 0x1e, Status{DrawerKnown: true, DrawerPin3High: true}},
		{"cover open", 2, 0x16, Status{Online: true, CoverOpen: true}},
		{"stopped at paper end", 2, 0x32, Status{Online: true, PaperOut: true}},
		{"error", 2, 0x52, Status{Online: true, Error: true}},
		{"auto-cutter error", 3, 0x1a, Status{Online: true, Error: true}},
		{"no error", 3, 0x12, Status{Online: true}},
		{"paper near end", 4, 0x1e, Status{Online: true, PaperNearEnd: true}},
		{"paper out", 4, 0x72, Status{Online: true, PaperOut: true}},
		{"paper adequate", 4, 0x12, Status{Online: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Status{Online: true}
			if err := s.ApplyStatusReply(tc.n, tc.reply); err != nil {
				t.Fatal(err)
			}
			if s != tc.want {
				t.Errorf("got %+v, want %+v", s, tc.want)
			}
		})
	}
	t.Run("fixed bits checked", func(t *testing.T) {
		var s Status
		for _, b := range []byte{0x00, 0x13, 0x92, 0x11} {
			if err := s.ApplyStatusReply(1, b); err == nil {
				t.Errorf("reply %#02x: want an error", b)
			}
		}
		if err := s.ApplyStatusReply(5, 0x12); err == nil {
			t.Errorf("n = 5: want an error")
		}
	})
}

// ASB messages built from the Epson ESC/POS Command Reference, "GS a".
func TestParseASB(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want Status
	}{
		{"all good", []byte{0x10, 0x00, 0x00, 0x00}, Status{Online: true, DrawerKnown: true}},
		{"drawer pin 3 high", []byte{0x14, 0x00, 0x00, 0x00}, Status{Online: true, DrawerKnown: true, DrawerPin3High: true}},
		{"cover open, offline", []byte{0x38, 0x00, 0x00, 0x00}, Status{CoverOpen: true, DrawerKnown: true}},
		{"paper near end", []byte{0x10, 0x00, 0x03, 0x00}, Status{Online: true, PaperNearEnd: true, DrawerKnown: true}},
		{"paper out", []byte{0x18, 0x00, 0x0f, 0x00}, Status{PaperOut: true, PaperNearEnd: true, DrawerKnown: true}},
		{"unrecoverable error", []byte{0x18, 0x20, 0x00, 0x00}, Status{Error: true, DrawerKnown: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseASB(tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	for _, b := range [][]byte{{0x10, 0, 0}, {0x12, 0, 0, 0}, {0x10, 0x10, 0, 0}, {0x10, 0, 0x80, 0}} {
		if _, err := ParseASB(b); err == nil {
			t.Errorf("ParseASB(% x): want an error", b)
		}
	}
	if !IsASBHeader(0x10) || IsASBHeader(0x12) || !IsStatusReply(0x12) || IsStatusReply(0x10) {
		t.Errorf("IsASBHeader/IsStatusReply do not tell 0x10 and 0x12 apart")
	}
}

func TestStatus_State(t *testing.T) {
	tests := []struct {
		s    Status
		want string
	}{
		{Status{Online: true}, "connected"},
		{Status{Online: true, PaperNearEnd: true}, "paper_low"},
		{Status{PaperOut: true, PaperNearEnd: true}, "paper_out"},
		{Status{CoverOpen: true}, "cover_open"},
		{Status{Error: true}, "failed"},
	}
	for _, tc := range tests {
		if got := tc.s.State(); got != tc.want {
			t.Errorf("%+v.State() = %q, want %q", tc.s, got, tc.want)
		}
	}
}

// The drawer's level becomes open or closed by the drawer's switch polarity; before any reply
// that carries pin 3 it is unknown.
func TestStatus_DrawerOpen(t *testing.T) {
	var s Status
	if _, known := s.DrawerOpen("low"); known {
		t.Error("drawer known before any DLE EOT 1 reply")
	}
	for _, tc := range []struct {
		reply byte
		level string
		open  bool
	}{{0x12, "low", true}, {0x16, "low", false}, {0x12, "high", false}, {0x16, "high", true}} {
		s := Status{}
		if err := s.ApplyStatusReply(1, tc.reply); err != nil {
			t.Fatal(err)
		}
		if open, known := s.DrawerOpen(tc.level); !known || open != tc.open {
			t.Errorf("reply %#02x, open when %s: open=%v known=%v, want open=%v", tc.reply, tc.level, open, known, tc.open)
		}
	}
	// DLE EOT 2..4 say nothing about the drawer.
	s = Status{}
	_ = s.ApplyStatusReply(2, 0x16)
	if _, known := s.DrawerOpen("low"); known {
		t.Error("DLE EOT 2 made the drawer known")
	}
}
