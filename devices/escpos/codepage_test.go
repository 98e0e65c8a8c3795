package escpos

import (
	"bytes"
	"testing"
)

func TestEncoder_Text_CodePages(t *testing.T) {
	tests := []struct {
		name    string
		profile string
		lines   []string
		want    []byte
	}{
		{
			// PC858 (ESC t 19) has € at 0xD5 and the Latin-1 letters; it is preferred.
			name: "epson euro and italian accents in PC858", profile: "epson-tm-t20",
			lines: []string{"4,98 € è à"},
			want:  []byte{0x1b, 0x74, 19, '4', ',', '9', '8', ' ', 0xd5, ' ', 0x8a, ' ', 0x85, '\n'},
		},
		{
			name: "page kept while it covers the next line", profile: "epson-tm-t20",
			lines: []string{"é", "ö"},
			want:  []byte{0x1b, 0x74, 19, 0x82, '\n', 0x94, '\n'},
		},
		{
			name: "ascii needs no page", profile: "epson-tm-t20",
			lines: []string{"Total"},
			want:  []byte("Total\n"),
		},
		{
			// Star numbers PC858 as 4 in its ESC/POS emulation.
			name: "star numbering", profile: "star-tsp143",
			lines: []string{"€"},
			want:  []byte{0x1b, 0x74, 4, 0xd5, '\n'},
		},
		{
			// TM-m30 lists no PC858: Windows-1252 (ESC t 16) has € at 0x80.
			name: "windows-1252 when PC858 is missing", profile: "epson-tm-m30",
			lines: []string{"€ å"},
			want:  []byte{0x1b, 0x74, 16, 0x80, ' ', 0xe5, '\n'},
		},
		{
			// Polish ł is in PC852 (ESC t 18) but not PC858: the page switches per line.
			name: "switch per line", profile: "epson-tm-t20",
			lines: []string{"ä", "łó", "ä"},
			want:  []byte{0x1b, 0x74, 19, 0x84, '\n', 0x1b, 0x74, 18, 0x88, 0xa2, '\n', 0x84, '\n'},
		},
		{
			// No listed page of generic-80mm has Cyrillic or Polish ł: ASCII fallbacks and
			// '?'; Windows-1252 (ESC t 16) covers the dash and quotes, so it is selected.
			name: "fallbacks", profile: "generic-80mm",
			lines: []string{"Ж ł – “x”", "Ж ł"},
			want:  []byte{0x1b, 0x74, 16, '?', ' ', 'l', ' ', 0x96, ' ', 0x93, 'x', 0x94, '\n', '?', ' ', 'l', '\n'},
		},
		{
			name: "em dash selects windows-1252", profile: "generic-80mm",
			lines: []string{"Ж — ł"},
			want:  []byte{0x1b, 0x74, 16, '?', ' ', 0x97, ' ', 'l', '\n'},
		},
		{
			name: "ascii fallback without any page", profile: "generic-80mm",
			lines: []string{"Ж ł"},
			want:  []byte("? l\n"),
		},
		{
			name: "control characters never pass", profile: "epson-tm-t20",
			lines: []string{"a\x07b\tc\x1bd"},
			want:  []byte("a?b c?d\n"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEncoder(loadProfile(t, tc.profile))
			for _, l := range tc.lines {
				e.Line(l)
			}
			if !bytes.Equal(e.Bytes(), tc.want) {
				t.Errorf("got  % x\nwant % x", e.Bytes(), tc.want)
			}
		})
	}
}

func TestEncoder_Text_RoundTrip(t *testing.T) {
	for _, id := range []string{"epson-tm-t20", "star-tsp650", "citizen-ct-s310ii", "generic-58mm"} {
		t.Run(id, func(t *testing.T) {
			p := loadProfile(t, id)
			text := []string{"Caffè 4,98 €", "Crème brûlée, façade", "Jäätelö ja Åland", "Grüße"}
			e := NewEncoder(p)
			e.Init()
			for _, l := range text {
				e.Line(l)
			}
			doc, err := DecodeProfile(e.Bytes(), p)
			if err != nil {
				t.Fatal(err)
			}
			got := doc.Lines()
			if len(got) != len(text) {
				t.Fatalf("got %q, want %q", got, text)
			}
			for i := range text {
				if got[i] != text[i] {
					t.Errorf("line %d: got %q, want %q", i, got[i], text[i])
				}
			}
		})
	}
}
