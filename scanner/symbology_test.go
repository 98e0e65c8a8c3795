package scanner

import "testing"

func TestIdentify(t *testing.T) {
	cfg := IDConfig{VendorIDs: map[string]string{"d": EAN13, "dd": Code128, "j": Code128}}
	for _, c := range []struct {
		name, in, wantSym, wantData string
	}{
		{"aim-wins-over-vendor", "]E04006381333931", EAN13, "4006381333931"},
		{"longest-vendor-prefix", "ddABC", Code128, "ABC"},
		{"short-vendor-prefix", "d4006381333931", EAN13, "4006381333931"},
		{"vendor-then-aim", "j]C1ABC", Code128, "ABC"},
		{"unknown-aim-code-is-data", "]W1xyz", Code128, "]W1xyz"},
		{"gs1-qr-ECI", "]Q4010950110153000", GS1QR, "010950110153000"},
		{"gs1-datamatrix-ECI", "]d5010950110153000", GS1DataMatrix, "010950110153000"},
		{"aim-datamatrix-d3", "]d3X", DataMatrix, "X"},
		{"code128-fnc1-second-C2", "]C2A1", Code128, "A1"},
		{"binary", "\x01\x02\x03", QR, "\x01\x02\x03"},
		{"multiline-text", "line1\nline2", QR, "line1\nline2"},
		{"digits-14", "15012345678907", ITF, "15012345678907"},
		{"digits-5", "12345", Code128, "12345"},
		{"empty", "", Unknown, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			sym, data := Identify([]byte(c.in), cfg)
			if sym != c.wantSym || string(data) != c.wantData {
				t.Errorf("Identify(%q) = %q, %q; want %q, %q", c.in, sym, data, c.wantSym, c.wantData)
			}
		})
	}
}
