package escpos

import (
	"strings"
	"testing"
)

func TestDecode_Document(t *testing.T) {
	p := loadProfile(t, "epson-tm-t20")
	e := NewEncoder(p)
	e.Init()
	e.Align(AlignCenter)
	e.Size(2, 2)
	e.Bold(true)
	e.Line("Bottega Centrale")
	e.Size(1, 1)
	e.Bold(false)
	e.Align(AlignLeft)
	e.Line("Caffè          4,98 €")
	e.Feed(2)
	if err := e.EAN13("400638133393", BarcodeOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.Code128("SALE-{42}", BarcodeOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.QR("https://shop.example/r/1", 6, QRLevelQ); err != nil {
		t.Fatal(err)
	}
	e.Cut(CutPartial, 3)
	if err := e.KickDrawer(); err != nil {
		t.Fatal(err)
	}
	doc, err := Decode(e.Bytes())
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	want := `[init]
[align center]
[size 2x2]
[bold on]
| Bottega Centrale
[size 1x1]
[bold off]
[align left]
[codepage 19 CP858]
| Caffè          4,98 €
[feed 2]
[barcode ean13 "4006381333931" width=2 height=80 hri=2]
[barcode code128 "SALE-{42}" width=2 height=80 hri=2]
[qr "https://shop.example/r/1" model=2 size=6 level=Q]
[cut partial feed=3]
[drawer pin=2 on=100ms off=200ms]
`
	if got := doc.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := doc.QRCodes(); len(got) != 1 || got[0] != "https://shop.example/r/1" {
		t.Errorf("QRCodes = %q", got)
	}
	if got := doc.Lines(); len(got) != 4 || got[2] != "" || got[3] != "" {
		t.Errorf("Lines = %q, want 2 text lines and the 2 empty lines of feed 2", got)
	}
}

func TestDecode_Errors(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"unknown ESC", []byte{0x1b, 0x01, 0x00}, "unknown command ESC"},
		{"truncated GS v 0", []byte{0x1d, 0x76, 0x30, 0x00, 0x02, 0x00, 0x02, 0x00, 0xff}, "truncated"},
		{"control byte", []byte{'a', 0x07}, "unexpected control byte"},
		{"qr print without data", []byte{0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30}, "no data stored"},
		{"unknown page", []byte{0x1b, 0x74, 99, 0x80}, "code page 99"},
		{"barcode without NUL", []byte{0x1d, 0x6b, 0x02, '1', '2'}, "NUL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.b)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestDecode_Status(t *testing.T) {
	doc, err := Decode([]byte{0x10, 0x04, 0x04, 0x1d, 0x61, 0x0f, 0x1d, 0x56, 0x00})
	if err != nil {
		t.Fatal(err)
	}
	want := "[status-request 4]\n[asb 0x0f]\n[cut full feed=0]\n"
	if got := doc.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDecode_OtherCommands(t *testing.T) {
	// ESC 2 (no parameter) and ESC 3 n (line spacing) pass as "other" commands, text continues.
	doc, err := Decode([]byte{0x1b, 0x33, 30, 'a', '\n', 0x1b, 0x32})
	if err != nil {
		t.Fatal(err)
	}
	want := "[ESC 3]\n| a\n[ESC 2]\n"
	if got := doc.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
