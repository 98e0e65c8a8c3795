package pos

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/image/font"
)

// decodeQR reads the QR code in img with gozxing's reader.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code on the label: %v", err)
	}
	return res.GetText()
}

// inkRatio is the share of dark pixels in r of img.
func inkRatio(img image.Image, r image.Rectangle) float64 {
	dark, all := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			g, _, _, _ := img.At(x, y).RGBA()
			if g < 0x8000 {
				dark++
			}
			all++
		}
	}
	return float64(dark) / float64(all)
}

func TestLabeler_Label(t *testing.T) {
	e := newTestEnv(t)
	lab, err := NewLabeler(PageOptions{Locale: "it-IT", Currency: "EUR", AisleBase: "http://store.local:8080/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"CAFFE-250", "PARMIGIANO", "CREME-BRULEE"} {
		t.Run(code, func(t *testing.T) {
			p, err := e.svc.Lookup(t.Context(), code)
			if err != nil {
				t.Fatal(err)
			}
			img, err := lab.Label(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := img.Bounds().Size(); got != image.Pt(LabelWidth, LabelHeight) {
				t.Errorf("size got %v, want %dx%d", got, LabelWidth, LabelHeight)
			}
			if got, want := decodeQR(t, img), "http://store.local:8080/p/"+p.GTIN; got != want {
				t.Errorf("QR got %q, want %q", got, want)
			}
			// The text column (left of the QR code) carries ink: name and price are drawn.
			if r := inkRatio(img, image.Rect(0, 0, LabelWidth/2, LabelHeight)); r < 0.02 || r > 0.5 {
				t.Errorf("text area ink ratio %.3f, want between 0.02 and 0.5", r)
			}
		})
	}
}

func TestLabeler_Sheets(t *testing.T) {
	e := newTestEnv(t)
	lab, err := NewLabeler(PageOptions{Locale: "fr-FR", Currency: "EUR", AisleBase: "http://store.local:8080"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.Lookup(t.Context(), "VINO-ROSSO")
	if err != nil {
		t.Fatal(err)
	}
	ps := make([]Product, LabelsPerSheet+1)
	for i := range ps {
		ps[i] = p
	}
	sheets, err := lab.Sheets(ps)
	if err != nil {
		t.Fatal(err)
	}
	if len(sheets) != 2 {
		t.Fatalf("sheets got %d, want 2 for %d labels", len(sheets), len(ps))
	}
	if got := sheets[0].Bounds().Size(); got != image.Pt(SheetWidth, SheetHeight) {
		t.Errorf("A4 size got %v", got)
	}
	// The second sheet has one label at the top left and is blank elsewhere.
	if r := inkRatio(sheets[1], image.Rect(0, 0, LabelWidth, LabelHeight+8)); r < 0.02 {
		t.Errorf("first label slot of sheet 2 is blank (ink %.3f)", r)
	}
	if r := inkRatio(sheets[1], image.Rect(LabelWidth+1, LabelHeight+8, SheetWidth, SheetHeight)); r != 0 {
		t.Errorf("rest of sheet 2 has ink %.4f, want 0", r)
	}
	// The last slot of sheet 1 holds a readable QR code.
	last := sheets[0].SubImage(image.Rect(2*LabelWidth, 4+7*LabelHeight, 3*LabelWidth, 4+8*LabelHeight))
	if got := decodeQR(t, last); got != "http://store.local:8080/p/08001234567927" {
		t.Errorf("last label QR got %q", got)
	}
}

func TestWrap(t *testing.T) {
	lab, err := NewLabeler(PageOptions{Locale: "en-GB", Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	lines := wrap(lab.name, strings.Repeat("Parmigiano Reggiano ", 10), 200, 3)
	if len(lines) != 3 || !strings.HasSuffix(lines[2], "…") {
		t.Errorf("got %q, want 3 lines ending in an ellipsis", lines)
	}
	if got := wrap(lab.name, "Pane", 200, 3); len(got) != 1 || got[0] != "Pane" {
		t.Errorf("short name got %q", got)
	}
}

func TestPages_LabelSheet(t *testing.T) {
	e := newPageEnv(t)
	t.Run("needs a token", func(t *testing.T) {
		if status, _ := e.do("GET", "/api/v1/labels?sku=PASTA-500", "", nil); status != http.StatusUnauthorized {
			t.Errorf("status got %d, want 401", status)
		}
	})
	t.Run("sheet PNG", func(t *testing.T) {
		status, body := e.do("GET", "/api/v1/labels?sku=PASTA-500,CAFFE-250&sku=8001234567927", tokenLane1, nil)
		if status != http.StatusOK {
			t.Fatalf("status got %d: %s", status, body)
		}
		img, err := png.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if got := img.Bounds().Size(); got != image.Pt(SheetWidth, SheetHeight) {
			t.Errorf("size got %v", got)
		}
		if got := decodeQR(t, img.(*image.Gray).SubImage(image.Rect(LabelWidth, 4, 2*LabelWidth, 4+LabelHeight))); got != "http://store.local:8080/p/08001234567903" {
			t.Errorf("second label QR got %q", got)
		}
	})
	t.Run("bad requests", func(t *testing.T) {
		for _, q := range []string{"", "?sku=", "?sku=NOPE", "?sku=" + strings.Repeat("A,", LabelsPerSheet+1)} {
			if status, _ := e.do("GET", "/api/v1/labels"+q, tokenLane1, nil); status != 400 && status != 404 {
				t.Errorf("%q: status got %d, want 400 or 404", q, status)
			}
		}
	})
}

// TestLabeler_PriceKeepsUnit checks that the price per kg and the unit price are never cut, in
// every label language, even for prices as wide as a label allows.
func TestLabeler_PriceKeepsUnit(t *testing.T) {
	w := 0
	weighed := Product{SKU: "W", Name: "Prosciutto", PriceMinor: 12990, Unit: "kg", Currency: "EUR"}
	packed := Product{SKU: "P", Name: "Caffè", PriceMinor: 9998, Unit: "kg", NetContent: func() *float64 { v := 0.25; return &v }(), Currency: "EUR"}
	for _, loc := range []string{"it-IT", "fr-FR", "fi-FI", "en-GB"} {
		lab, err := NewLabeler(PageOptions{Locale: loc, Currency: "EUR", AisleBase: "http://store.local"})
		if err != nil {
			t.Fatal(err)
		}
		w = LabelWidth - (LabelHeight - 2*labelPxPerMM*2) - 5*labelPxPerMM // the text column beside the QR code
		for _, p := range []Product{weighed, packed} {
			var all []string
			for _, tx := range lab.priceTexts(p, w) {
				if strings.Contains(tx.text, "…") {
					t.Errorf("%s %s: %q is cut", loc, p.SKU, tx.text)
				}
				if end := tx.dx + font.MeasureString(tx.face, tx.text).Ceil(); end > w {
					t.Errorf("%s %s: %q ends at %d px, past the %d px column", loc, p.SKU, tx.text, end, w)
				}
				all = append(all, tx.text)
			}
			got := strings.Join(all, "|")
			if p.Weighed() && !strings.Contains(strings.ReplaceAll(got, "|", ""), "/kg") {
				t.Errorf("%s weighed: %q lacks /kg", loc, got)
			}
			if !p.Weighed() && len(all) != 2 {
				t.Errorf("%s packed: %q; want the price and the unit price", loc, got)
			}
			if loc == "fi-FI" && !p.Weighed() && !strings.HasSuffix(all[1], "€/kg") {
				t.Errorf("fi unit price %q; want it to end in €/kg with no space before the slash", all[1])
			}
		}
	}
}

// TestPages_LabelSheetNeedsAisleBase checks that the label endpoint refuses sheets whose QR codes
// would hold a relative path.
func TestPages_LabelSheetNeedsAisleBase(t *testing.T) {
	e := newPageEnv(t, func(o *PageOptions) { o.AisleBase = "" })
	status, body := e.do("GET", "/api/v1/labels?sku=PASTA-500", tokenLane1, nil)
	if status != http.StatusServiceUnavailable || !strings.Contains(string(body), "links.aisle_base") {
		t.Errorf("got %d %s; want 503 naming links.aisle_base", status, body)
	}
}
