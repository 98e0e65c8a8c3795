package receipt

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/storeagent/storeagent/devices/escpos"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// profile loads a built-in printer profile from the source tree (read as files: this package
// does not import firmware-profiles, which only devices and agent may).
func profile(t testing.TB, id string) escpos.Profile {
	t.Helper()
	all, err := escpos.LoadProfiles(os.DirFS(filepath.Join("..", "..", "firmware-profiles")), "printers")
	if err != nil {
		t.Fatal(err)
	}
	p, ok := all[id]
	if !ok {
		t.Fatalf("no profile %s", id)
	}
	return p
}

func ptr(v int64) *int64 { return &v }

// sample is a cash sale with a weighed item, a long name, accents, two VAT rates and rounding.
func sample(t testing.TB, locale string) Receipt {
	tz, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return Receipt{
		StoreName:    "Bottega Centrale",
		StoreAddress: "Via Roma 1, 20121 Milano",
		StoreVATID:   "IT01234567890",
		ReceiptNo:    "lane1-000042",
		Terminal:     "lane1",
		Cashier:      "Giulia",
		SaleID:       "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
		CompletedAt:  time.Date(2026, 11, 23, 18, 5, 0, 0, time.UTC),
		Timezone:     tz,
		Locale:       locale,
		Currency:     "EUR",
		Lines: []Line{
			{Name: "Caffè espresso macinato 250 g", Qty: 2, UnitPriceMinor: 249, AmountMinor: 498, TaxRateBP: 2200},
			{Name: "Pâté de campagne", Qty: 1, UnitPriceMinor: 1250, AmountMinor: 1250, TaxRateBP: 1000},
			{Name: "Mele Golden", Qty: 1, WeightG: ptr(1234), UnitPriceMinor: 199, AmountMinor: 246, TaxRateBP: 1000},
			{Name: "Jäätelö Åland mansikka-vanilja erikoispakkaus perheelle", Qty: 1, UnitPriceMinor: 399, AmountMinor: 399, TaxRateBP: 2200},
		},
		Taxes: []Tax{
			{TaxRateBP: 1000, GrossMinor: 1496, TaxMinor: 136},
			{TaxRateBP: 2200, GrossMinor: 897, TaxMinor: 162},
		},
		TotalMinor:    2393,
		RoundingMinor: 2,
		Payments:      []Payment{{Method: "cash", AmountMinor: 3000}},
		ChangeMinor:   605,
		FooterURL:     "https://shop.example/r/{sale_id}",
		OpenDrawer:    true,
	}
}

// Golden receipts per locale and per column width, decoded back to text and commands.
// Regenerate with: go test ./pos/receipt -run TestBuild_Golden -update
func TestBuild_Golden(t *testing.T) {
	widths := map[int]string{32: "generic-58mm", 42: "epson-tm-t88v", 48: "epson-tm-t20"}
	for _, locale := range []string{"it-IT", "fr-FR", "fi-FI", "en-GB"} {
		for cols, id := range widths {
			name := fmt.Sprintf("%s-%dcol", locale, cols)
			t.Run(name, func(t *testing.T) {
				p := profile(t, id)
				b, err := build(sample(t, locale), p)
				if err != nil {
					t.Fatal(err)
				}
				doc, err := escpos.DecodeProfile(b, p)
				if err != nil {
					t.Fatal(err)
				}
				checkWidths(t, doc, p)
				checkGolden(t, filepath.Join("testdata", "golden", name), doc.String())
			})
		}
	}
}

// checkWidths fails when a printed line is longer than its font's columns (double width
// counts twice).
func checkWidths(t *testing.T, doc escpos.Document, p escpos.Profile) {
	t.Helper()
	font, sw, n := 0, 1, 0
	for _, op := range doc.Ops {
		switch op.Kind {
		case escpos.OpFont:
			font = op.Args[0]
		case escpos.OpSize:
			sw = op.Args[0]
		case escpos.OpText:
			n += utf8.RuneCountInString(op.Text) * sw
		case escpos.OpNewline, escpos.OpFeed:
			if n > p.Columns(font) {
				t.Errorf("a line has %d columns, font %d has %d", n, font, p.Columns(font))
			}
			n = 0
		}
	}
}

// diff shows the first differing line.
func diff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, g, w)
		}
	}
	return "(same lines)"
}

func TestBuild_Content(t *testing.T) {
	p := profile(t, "epson-tm-t20")
	t.Run("local time, non-fiscal, QR and drawer", func(t *testing.T) {
		b, err := build(sample(t, "it-IT"), p)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := escpos.DecodeProfile(b, p)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(doc.Lines(), "\n")
		for _, want := range []string{"23/11/2026 19:05", "DOCUMENTO NON FISCALE", "4,98 €", "1,234 kg x 1,99 €/kg", "2 x 2,49 €", "Resto", "6,05 €", "Arrotondamento", "0,02 €"} {
			if !strings.Contains(text, want) {
				t.Errorf("receipt lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "COPIA") {
			t.Errorf("first print marked as a copy")
		}
		if got := doc.QRCodes(); len(got) != 1 || got[0] != "https://shop.example/r/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b" {
			t.Errorf("QR = %q", got)
		}
		if n := bytes.Count(b, []byte{0x1b, 0x70}); n != 1 {
			t.Errorf("drawer kicks = %d, want 1", n)
		}
	})
	t.Run("copy without drawer", func(t *testing.T) {
		r := sample(t, "fr-FR")
		r.Copy, r.OpenDrawer = true, false
		b, err := build(r, p)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := escpos.DecodeProfile(b, p)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(strings.Join(doc.Lines(), "\n"), "DUPLICATA"); n != 2 {
			t.Errorf("DUPLICATA marks = %d, want 2 (head and foot)", n)
		}
		for _, op := range doc.Commands() {
			if op.Kind == escpos.OpDrawer {
				t.Errorf("reprint kicks the drawer")
			}
		}
	})
	t.Run("raster QR reads back", func(t *testing.T) {
		p58 := profile(t, "generic-58mm")
		b, err := build(sample(t, "en-GB"), p58)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := escpos.DecodeProfile(b, p58)
		if err != nil {
			t.Fatal(err)
		}
		imgs := doc.Images()
		if len(imgs) != 1 {
			t.Fatalf("images = %d, want 1", len(imgs))
		}
		got, err := escpos.DecodeQRImage(imgs[0])
		if err != nil || !strings.HasSuffix(got, "/r/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b") {
			t.Errorf("raster QR = %q, %v", got, err)
		}
	})
	t.Run("never raw UTF-8", func(t *testing.T) {
		b, err := build(sample(t, "fi-FI"), p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("ä")) || bytes.Contains(b, []byte("€")) {
			t.Errorf("UTF-8 sequences in the printer bytes")
		}
	})
	t.Run("errors", func(t *testing.T) {
		r := sample(t, "it-IT")
		r.Currency = "EURO"
		if _, err := build(r, p); err == nil {
			t.Errorf("bad currency: want an error")
		}
		r = sample(t, "it-IT")
		r.Locale = "??"
		if _, err := build(r, p); err == nil {
			t.Errorf("bad locale: want an error")
		}
		narrow := p
		narrow.Fonts = []escpos.Font{{Name: "A", Columns: 20}}
		if _, err := build(sample(t, "it-IT"), narrow); err == nil {
			t.Errorf("20 columns: want an error")
		}
	})
}

func TestLocale_Money(t *testing.T) {
	tests := []struct {
		locale string
		minor  int64
		want   string
	}{
		{"it-IT", 498, "4,98 €"},
		{"fr-FR", 498, "4,98 €"},
		{"fi-FI", 498, "4,98 €"},
		{"en-GB", 498, "€4.98"},
		{"it-IT", 123450, "1.234,50 €"},
		{"fr-FR", 123450, "1 234,50 €"},
		{"fi-FI", 123450, "1 234,50 €"},
		{"en-GB", 123450, "€1,234.50"},
		{"it-IT", -3, "-0,03 €"},
		{"en-GB", -3, "-€0.03"},
		{"de-DE", 498, "€4,98"}, // no German table: English texts and placement, German digits
	}
	for _, tc := range tests {
		t.Run(tc.locale, func(t *testing.T) {
			l, err := newLocale(tc.locale, "EUR")
			if err != nil {
				t.Fatal(err)
			}
			if got := l.money(tc.minor); got != tc.want {
				t.Errorf("money(%d) = %q, want %q", tc.minor, got, tc.want)
			}
		})
	}
	l, _ := newLocale("it-IT", "EUR")
	for bp, want := range map[int64]string{2200: "22%", 550: "5,5%", 1000: "10%", 2550: "25,5%", 1234: "12,34%"} {
		if got := l.rate(bp); got != want {
			t.Errorf("rate(%d) = %q, want %q", bp, got, want)
		}
	}
	if got := l.weight(512); got != "0,512 kg" {
		t.Errorf("weight(512) = %q", got)
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		s     string
		width int
		want  []string
	}{
		{"Caffè espresso macinato", 10, []string{"Caffè", "espresso", "macinato"}},
		{"a b c d", 3, []string{"a b", "c d"}},
		{"Supercalifragilistic", 8, []string{"Supercal", "ifragili", "stic"}},
		{"", 8, nil},
	}
	for _, tc := range tests {
		got := wrap(tc.s, tc.width)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.s, tc.width, got, tc.want)
		}
	}
}

// checkGolden compares got with the golden file at path; -update rewrites the file first.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n%s", path, diff(string(want), got))
	}
}

// TestLocale_MoneyExponent: amounts are in the currency's ISO 4217 minor unit, so a yen
// amount has no decimals, a Kuwaiti dinar three and an Iraqi dinar three (CLDR, which x/text
// follows, would print IQD with none and so show 1000 times the price).
func TestLocale_MoneyExponent(t *testing.T) {
	for _, tc := range []struct {
		locale, cur string
		minor       int64
		want        string
	}{
		{"en-US", "JPY", 1980, "¥1,980"},
		{"en-US", "KWD", 1250, "KWD1.250"},
		{"en-US", "IQD", 1250, "IQD1.250"},
		{"en-US", "CLF", 12345, "CLF1.2345"},
		{"en-US", "VES", 12345, "VES123.45"}, // current code x/text lacks: the code is the symbol
	} {
		l, err := newLocale(tc.locale, tc.cur)
		if err != nil {
			t.Fatalf("%s: %v", tc.cur, err)
		}
		if got := l.money(tc.minor); got != tc.want {
			t.Errorf("%s money(%d) = %q, want %q", tc.cur, tc.minor, got, tc.want)
		}
	}
	for _, cur := range []string{"DEM", "XAU", "eur"} {
		if _, err := newLocale("en-US", cur); err == nil {
			t.Errorf("currency %s accepted, want an error (withdrawn, no minor unit, lower case)", cur)
		}
	}
}
