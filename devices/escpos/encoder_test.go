package escpos

import (
	"bytes"
	"image"
	"image/color"
	"testing"
)

// The expected sequences below are the command formats of the Epson ESC/POS Command Reference
// ("ESC @", "ESC a", "ESC E", "ESC -", "GS !", "ESC M", "ESC d", "ESC t", "GS V" function B,
// "ESC p", "GS a", "DLE EOT", "GS h", "GS w", "GS H", "GS k" function B, "GS ( k" QR functions
// 165/167/169/180/181, "GS v 0").
func TestEncoder_Commands(t *testing.T) {
	p := loadProfile(t, "epson-tm-t20")
	tests := []struct {
		name string
		do   func(e *Encoder) error
		want []byte
	}{
		{"init", func(e *Encoder) error { e.Init(); return nil }, []byte{0x1b, 0x40}},
		{"align center", func(e *Encoder) error { e.Align(AlignCenter); return nil }, []byte{0x1b, 0x61, 0x01}},
		{"align right", func(e *Encoder) error { e.Align(AlignRight); return nil }, []byte{0x1b, 0x61, 0x02}},
		{"bold on", func(e *Encoder) error { e.Bold(true); return nil }, []byte{0x1b, 0x45, 0x01}},
		{"bold off", func(e *Encoder) error { e.Bold(false); return nil }, []byte{0x1b, 0x45, 0x00}},
		{"underline 2", func(e *Encoder) error { e.Underline(2); return nil }, []byte{0x1b, 0x2d, 0x02}},
		{"double width and height", func(e *Encoder) error { e.Size(2, 2); return nil }, []byte{0x1d, 0x21, 0x11}},
		{"double height", func(e *Encoder) error { e.Size(1, 2); return nil }, []byte{0x1d, 0x21, 0x01}},
		{"normal size", func(e *Encoder) error { e.Size(1, 1); return nil }, []byte{0x1d, 0x21, 0x00}},
		{"font B", func(e *Encoder) error { e.Font(1); return nil }, []byte{0x1b, 0x4d, 0x01}},
		{"line feed", func(e *Encoder) error { e.LineFeed(); return nil }, []byte{0x0a}},
		{"feed 3", func(e *Encoder) error { e.Feed(3); return nil }, []byte{0x1b, 0x64, 0x03}},
		{"code page 19", func(e *Encoder) error { e.SelectCodePage(19); return nil }, []byte{0x1b, 0x74, 0x13}},
		{"partial cut", func(e *Encoder) error { e.Cut(CutPartial, 3); return nil }, []byte{0x1d, 0x56, 0x42, 0x03}},
		{"full cut", func(e *Encoder) error { e.Cut(CutFull, 0); return nil }, []byte{0x1d, 0x56, 0x41, 0x00}},
		{"drawer pin 2, 100/200 ms", func(e *Encoder) error { return e.KickDrawer() }, []byte{0x1b, 0x70, 0x00, 50, 100}},
		{"asb all", func(e *Encoder) error { e.EnableASB(ASBAll); return nil }, []byte{0x1d, 0x61, 0x0f}},
		{"ascii text", func(e *Encoder) error { e.Line("Total 4.98"); return nil }, []byte("Total 4.98\n")},
		{"ean-13", func(e *Encoder) error { return e.EAN13("400638133393", BarcodeOptions{}) },
			append([]byte{0x1d, 0x68, 80, 0x1d, 0x77, 2, 0x1d, 0x48, 2, 0x1d, 0x6b, 0x43, 0x0d}, "4006381333931"...)},
		{"code 128", func(e *Encoder) error { return e.Code128("AB{1", BarcodeOptions{Width: 3, Height: 50, HRI: HRIAbove}) },
			append([]byte{0x1d, 0x68, 50, 0x1d, 0x77, 3, 0x1d, 0x48, 1, 0x1d, 0x6b, 0x49, 7}, "{BAB{{1"...)},
		{"native qr", func(e *Encoder) error { return e.QR("https://x.y/r/1", 6, QRLevelM) }, bytes.Join([][]byte{
			{0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00},
			{0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, 0x06},
			{0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31},
			{0x1d, 0x28, 0x6b, 18, 0x00, 0x31, 0x50, 0x30}, []byte("https://x.y/r/1"),
			{0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30},
		}, nil)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEncoder(p)
			if err := tc.do(e); err != nil {
				t.Fatalf("error: %v", err)
			}
			if got := e.Bytes(); !bytes.Equal(got, tc.want) {
				t.Errorf("got  % x\nwant % x", got, tc.want)
			}
		})
	}
}

func TestStatusRequest(t *testing.T) {
	for n := 1; n <= 4; n++ {
		got, err := StatusRequest(n)
		if err != nil || !bytes.Equal(got, []byte{0x10, 0x04, byte(n)}) {
			t.Errorf("StatusRequest(%d) = % x, %v; want 10 04 %02x", n, got, err, n)
		}
	}
	if _, err := StatusRequest(5); err == nil {
		t.Errorf("StatusRequest(5): want an error")
	}
}

func TestEncoder_Cut_ProfileCutter(t *testing.T) {
	tests := []struct {
		profile string
		want    []byte
	}{
		{"generic-80mm", []byte{0x1d, 0x56, 0x41, 0x03}}, // full cutter only: partial becomes full
		{"generic-58mm", []byte{0x1b, 0x64, 0x04}},       // no cutter: feed to tear off
	}
	for _, tc := range tests {
		t.Run(tc.profile, func(t *testing.T) {
			e := NewEncoder(loadProfile(t, tc.profile))
			e.Cut(CutPartial, 3)
			if !bytes.Equal(e.Bytes(), tc.want) {
				t.Errorf("got % x, want % x", e.Bytes(), tc.want)
			}
		})
	}
}

func TestEncoder_Errors(t *testing.T) {
	p := loadProfile(t, "epson-tm-t20")
	e := NewEncoder(p)
	if err := e.EAN13("4006381333932", BarcodeOptions{}); err == nil {
		t.Errorf("EAN13 with a wrong check digit: want an error")
	}
	if err := e.EAN13("40063813339", BarcodeOptions{}); err == nil {
		t.Errorf("EAN13 with 11 digits: want an error")
	}
	if err := e.Code128("é", BarcodeOptions{}); err == nil {
		t.Errorf("Code128 with non-ASCII: want an error")
	}
	if e.Len() != 0 {
		t.Errorf("failed commands wrote % x", e.Bytes())
	}
	e58 := NewEncoder(loadProfile(t, "generic-58mm"))
	if err := e58.EAN13("400638133393", BarcodeOptions{}); err == nil {
		t.Errorf("EAN13 on a profile without barcodes: want an error")
	}
	p.Drawer.Pins = nil
	if err := NewEncoder(p).KickDrawer(); err == nil {
		t.Errorf("KickDrawer without a drawer port: want an error")
	}
}

func TestEncoder_Raster(t *testing.T) {
	p := loadProfile(t, "epson-tm-t20")
	// A 10×2 image: row 0 black from x=0..8, row 1 all white. 10 dots need 2 bytes a row.
	img := image.NewGray(image.Rect(0, 0, 10, 2))
	for x := 0; x < 10; x++ {
		img.SetGray(x, 0, color.Gray{Y: 255})
		img.SetGray(x, 1, color.Gray{Y: 255})
	}
	for x := 0; x < 9; x++ {
		img.SetGray(x, 0, color.Gray{Y: 0})
	}
	e := NewEncoder(p)
	if err := e.Raster(img); err != nil {
		t.Fatal(err)
	}
	want := []byte{0x1d, 0x76, 0x30, 0x00, 2, 0, 2, 0, 0xff, 0x80, 0x00, 0x00}
	if !bytes.Equal(e.Bytes(), want) {
		t.Errorf("got % x\nwant % x", e.Bytes(), want)
	}

	t.Run("wider than the paper is scaled down", func(t *testing.T) {
		wide := image.NewGray(image.Rect(0, 0, 1152, 10))
		e := NewEncoder(p)
		if err := e.Raster(wide); err != nil {
			t.Fatal(err)
		}
		b := e.Bytes()
		if xb, rows := int(b[4])|int(b[5])<<8, int(b[6])|int(b[7])<<8; xb != 72 || rows != 5 {
			t.Errorf("got %d bytes × %d rows, want 72 × 5", xb, rows)
		}
	})

	t.Run("mid grey is dithered to about half black", func(t *testing.T) {
		grey := image.NewGray(image.Rect(0, 0, 64, 64))
		for i := range grey.Pix {
			grey.Pix[i] = 128
		}
		bits := dither(grey)
		black := 0
		for _, b := range bits {
			if b {
				black++
			}
		}
		if frac := float64(black) / float64(len(bits)); frac < 0.4 || frac > 0.6 {
			t.Errorf("black fraction = %.2f, want about 0.5", frac)
		}
	})
}

func TestEncoder_RasterQR(t *testing.T) {
	e := NewEncoder(loadProfile(t, "generic-80mm")) // qr: raster
	if err := e.QR("https://shop.example/r/42", 4, QRLevelM); err != nil {
		t.Fatal(err)
	}
	b := e.Bytes()
	if !bytes.HasPrefix(b, []byte{0x1d, 0x76, 0x30, 0x00}) {
		t.Fatalf("raster QR starts % x, want GS v 0", b[:min(8, len(b))])
	}
	if bytes.Contains(b, []byte{0x1d, 0x28, 0x6b}) {
		t.Errorf("raster profile got a GS ( k command")
	}
	doc, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	imgs := doc.Images()
	if len(imgs) != 1 {
		t.Fatalf("got %d images, want 1", len(imgs))
	}
	got, err := DecodeQRImage(imgs[0])
	if err != nil || got != "https://shop.example/r/42" {
		t.Errorf("QR read back = %q, %v; want the URL", got, err)
	}
}
