package scanner

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"reflect"
	"testing"

	"github.com/makiuchi-d/gozxing"
)

// codeCase is one code drawn for the image tests.
type codeCase struct {
	name     string
	format   gozxing.BarcodeFormat
	contents string
	w, h     int
	want     Code
}

func writerCases() []codeCase {
	gs1 := fnc1 + "0109501101530003" + "10ABC" + fnc1 + "21XYZ"
	return []codeCase{
		{"qr", gozxing.BarcodeFormat_QR_CODE, "hello, storeagent", 200, 200, Code{QR, "hello, storeagent"}},
		{"datamatrix", gozxing.BarcodeFormat_DATA_MATRIX, "DM-12345", 120, 120, Code{DataMatrix, "DM-12345"}},
		{"ean13", gozxing.BarcodeFormat_EAN_13, "4006381333931", 300, 120, Code{EAN13, "4006381333931"}},
		{"ean8", gozxing.BarcodeFormat_EAN_8, "96385074", 220, 100, Code{EAN8, "96385074"}},
		{"upca", gozxing.BarcodeFormat_UPC_A, "036000291452", 300, 120, Code{UPCA, "036000291452"}},
		{"upce", gozxing.BarcodeFormat_UPC_E, "04252614", 200, 100, Code{UPCE, "04252614"}},
		{"code128", gozxing.BarcodeFormat_CODE_128, "ABC-123", 300, 100, Code{Code128, "ABC-123"}},
		{"gs1-128", gozxing.BarcodeFormat_CODE_128, gs1, 900, 100, Code{GS1128, "010950110153000310ABC\x1d21XYZ"}},
		{"code39", gozxing.BarcodeFormat_CODE_39, "CODE39", 300, 100, Code{Code39, "CODE39"}},
		{"code93", gozxing.BarcodeFormat_CODE_93, "CODE93", 300, 100, Code{Code93, "CODE93"}},
		{"itf", gozxing.BarcodeFormat_ITF, "15012345678907", 600, 100, Code{ITF, "15012345678907"}},
		{"codabar", gozxing.BarcodeFormat_CODABAR, "A123456B", 300, 100, Code{Codabar, "123456"}},
	}
}

// onCanvas places a drawn code in the middle of a scene of at least w×h
// (larger when the code would not fit at any rotation).
func onCanvas(t testing.TB, c codeCase, w, h int, scale, deg float64) *image.Gray {
	t.Helper()
	code := drawCode(t, c.format, c.contents, c.w, c.h)
	cw, ch := float64(code.Bounds().Dx())*scale, float64(code.Bounds().Dy())*scale
	w, h = max(w, int(cw*1.2)), max(h, int(cw*1.2))
	f := canvas(w, h)
	place(f, code, int((float64(w)-cw)/2), int((float64(h)-ch)/2), scale, deg)
	return f
}

func TestDecodeImage(t *testing.T) {
	t.Run("writers", func(t *testing.T) {
		for _, c := range writerCases() {
			t.Run(c.name, func(t *testing.T) {
				got, err := DecodeImage(onCanvas(t, c, 640, 400, 1, 0))
				if err != nil {
					t.Fatal(err)
				}
				if want := []Code{c.want}; !reflect.DeepEqual(got, want) {
					t.Errorf("got %q, want %q", got, want)
				}
			})
		}
	})
	t.Run("photo-like", func(t *testing.T) {
		cases := writerCases()
		qr, dm, ean, gs1 := cases[0], cases[1], cases[2], cases[7]
		for _, v := range []struct {
			name       string
			c          codeCase
			scale, deg float64
			blurR      int
			noiseAmp   int
		}{
			{"ean13-tilted-noisy", ean, 1.4, 6, 1, 15},
			{"ean13-small-blurred", ean, 0.9, 0, 1, 8},
			{"ean13-upside-down", ean, 1.2, 180, 0, 10},
			{"ean13-rotated-90", ean, 1.2, 90, 1, 10},
			{"ean13-rotated-45", ean, 1.2, 45, 1, 10},
			{"gs1-128-tilted", gs1, 1.2, 4, 1, 10},
			{"qr-rotated-30-noisy", qr, 1.5, 30, 1, 20},
			{"qr-upscaled-blurred", qr, 2.2, -12, 1, 10},
			{"datamatrix-rotated-5", dm, 2, 5, 1, 8},
		} {
			t.Run(v.name, func(t *testing.T) {
				f := onCanvas(t, v.c, 800, 600, v.scale, v.deg)
				if v.blurR > 0 {
					f = blur(f, v.blurR)
				}
				noise(f, v.noiseAmp, 7)
				got, err := DecodeImage(f)
				if err != nil {
					t.Fatal(err)
				}
				if want := []Code{v.c.want}; !reflect.DeepEqual(got, want) {
					t.Errorf("got %q, want %q", got, want)
				}
			})
		}
	})
	t.Run("qr-and-ean-in-one-frame", func(t *testing.T) {
		got, err := DecodeImage(frame1280x720(t))
		if err != nil {
			t.Fatal(err)
		}
		want := map[Code]bool{
			{EAN13, "4006381333931"}:                             true,
			{QR, "https://id.gs1.org/01/09520123456788/10/ABC1"}: true,
		}
		if len(got) != len(want) {
			t.Fatalf("got %q, want the EAN-13 and the QR code", got)
		}
		for _, c := range got {
			if !want[c] {
				t.Errorf("unexpected code %q", c)
			}
		}
	})
	t.Run("two-ean13-and-a-code128", func(t *testing.T) {
		f := canvas(1280, 720)
		place(f, drawCode(t, gozxing.BarcodeFormat_EAN_13, "4006381333931", 300, 120), 60, 80, 1.2, 0)
		place(f, drawCode(t, gozxing.BarcodeFormat_EAN_13, "5901234123457", 300, 120), 700, 420, 1.2, 2)
		place(f, drawCode(t, gozxing.BarcodeFormat_CODE_128, "SHELF-0042", 300, 100), 700, 60, 1, 0)
		noise(f, 8, 11)
		got, err := DecodeImage(f)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"code128:SHELF-0042", "gtin:04006381333931", "gtin:05901234123457"}
		if g := comparableSet(got); !reflect.DeepEqual(g, want) {
			t.Errorf("got %q, want %q", g, want)
		}
	})
	t.Run("duplicates-deduplicated", func(t *testing.T) {
		f := canvas(1000, 500)
		qr := drawCode(t, gozxing.BarcodeFormat_QR_CODE, "SAME", 200, 200)
		place(f, qr, 50, 100, 1, 0)
		place(f, qr, 600, 150, 1, 0)
		got, err := DecodeImage(f)
		if err != nil {
			t.Fatal(err)
		}
		if want := []Code{{QR, "SAME"}}; !reflect.DeepEqual(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("no-code", func(t *testing.T) {
		f := canvas(640, 480)
		noise(f, 30, 3)
		got, err := DecodeImage(f)
		if err != nil {
			t.Fatal(err)
		}
		if got == nil || len(got) != 0 {
			t.Errorf("got %q, want an empty, non-nil slice", got)
		}
	})
	t.Run("empty-image", func(t *testing.T) {
		if _, err := DecodeImage(image.NewGray(image.Rect(0, 0, 0, 0))); !errors.Is(err, ErrNotImage) {
			t.Errorf("got %v, want ErrNotImage", err)
		}
	})
}

func TestDecodeImageBytes(t *testing.T) {
	ean := writerCases()[2]
	img := onCanvas(t, ean, 500, 300, 1, 0)
	pngBytes := encodePNG(t, img)
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		in      []byte
		want    []Code
		wantErr bool
	}{
		{"png", pngBytes, []Code{ean.want}, false},
		{"jpeg", jb.Bytes(), []Code{ean.want}, false},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), nil, true},
		{"text", []byte("hello, this is not an image"), nil, true},
		{"empty", nil, nil, true},
		{"truncated-png", pngBytes[:len(pngBytes)/2], nil, true},
		{"png-header-only", pngBytes[:8], nil, true},
		{"huge-canvas", hugePNGHeader(), nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := DecodeImageBytes(c.in)
			if c.wantErr {
				if !errors.Is(err, ErrNotImage) {
					t.Fatalf("got %q, %v; want an error wrapping ErrNotImage", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// hugePNGHeader is a PNG signature and IHDR declaring 100000×100000
// pixels, with nothing after it.
func hugePNGHeader() []byte {
	ihdr := []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0, 8, 0, 0, 0, 0}
	b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR")
	b = append(b, ihdr...)
	crc := crc32IEEE(append([]byte("IHDR"), ihdr...))
	return append(b, byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc))
}
