package scanner

import (
	"testing"

	"github.com/makiuchi-d/gozxing"
)

// TestDecodeImage_Code39FullASCII checks that Code 39 Full ASCII pairs decode to the characters
// they stand for, once, and that plain Code 39 still reads.
func TestDecodeImage_Code39FullASCII(t *testing.T) {
	for _, c := range []codeCase{
		{"full-ascii", gozxing.BarcodeFormat_CODE_39, "A+B+C-1", 400, 100, Code{Code39, "Abc-1"}},
		{"plain", gozxing.BarcodeFormat_CODE_39, "AB-1", 300, 100, Code{Code39, "AB-1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := DecodeImage(onCanvas(t, c, 640, 400, 1, 0))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0] != c.want {
				t.Errorf("got %v; want exactly [%v]", got, c.want)
			}
		})
	}
}

// TestCodeFromResult_Code128Latin1 checks that Code 128 extended (FNC4) characters, which the
// reader returns as ISO 8859-1 bytes, come out as UTF-8.
func TestCodeFromResult_Code128Latin1(t *testing.T) {
	res := gozxing.NewResult("Caf\xe9 \xc0 la carte", nil, nil, gozxing.BarcodeFormat_CODE_128)
	got, ok := codeFromResult(res)
	if !ok || got.Data != "Café À la carte" {
		t.Errorf("got %q; want %q", got.Data, "Café À la carte")
	}
	res = gozxing.NewResult("Café", nil, nil, gozxing.BarcodeFormat_CODE_128) // already UTF-8
	if got, _ := codeFromResult(res); got.Data != "Café" {
		t.Errorf("UTF-8 text changed: %q", got.Data)
	}
}
