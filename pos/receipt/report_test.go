package receipt

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/escpos"
)

// sampleReport is a till report of kind x, z or day: a session with a float, sales at two VAT
// rates with cash rounding, a refund, pay-in, pay-out and a drop, a cash shortfall of 2,50 €
// with its reason, an uncounted voucher, and (day) three sessions on two terminals.
func sampleReport(t testing.TB, kind, locale string) TillReport {
	tz, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	r := TillReport{
		Kind:              kind,
		StoreName:         "Bottega Centrale",
		StoreAddress:      "Via Roma 1, 20121 Milano",
		StoreVATID:        "IT01234567890",
		Terminal:          "lane1",
		SessionID:         "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
		ZNo:               7,
		OpenedAt:          time.Date(2026, 11, 23, 7, 58, 0, 0, time.UTC),
		ClosedAt:          time.Date(2026, 11, 23, 18, 31, 0, 0, time.UTC),
		PrintedAt:         time.Date(2026, 11, 23, 18, 32, 0, 0, time.UTC),
		OpenedBy:          "Giulia",
		ClosedBy:          "Marco",
		Timezone:          tz,
		Locale:            locale,
		Currency:          "EUR",
		FloatMinor:        10000,
		SalesCount:        42,
		SalesGrossMinor:   123450,
		SalesTaxMinor:     17803,
		RoundingMinor:     -3,
		RefundsCount:      1,
		RefundsGrossMinor: 1250,
		Taxes: []Tax{
			{TaxRateBP: 1000, GrossMinor: 40200, TaxMinor: 3655},
			{TaxRateBP: 2200, GrossMinor: 82000, TaxMinor: 14787},
		},
		Tenders: []Tender{
			{Method: "cash", SalesMinor: 45047, RefundsMinor: 1250, PayInMinor: 2000, PayOutMinor: 1500, DropsMinor: 30000,
				ExpectedMinor: 24297, CountedMinor: 24047, DifferenceMinor: -250, Counted: true},
			{Method: "card", SalesMinor: 76400, ExpectedMinor: 76400, CountedMinor: 76400, Counted: true},
			{Method: "voucher", SalesMinor: 2000, ExpectedMinor: 2000},
		},
		CashCounted: []Denomination{
			{ValueMinor: 5000, Count: 2}, {ValueMinor: 2000, Count: 4}, {ValueMinor: 1000, Count: 3},
			{ValueMinor: 500, Count: 5}, {ValueMinor: 200, Count: 2}, {ValueMinor: 100, Count: 1},
			{ValueMinor: 20, Count: 2}, {ValueMinor: 5, Count: 1}, {ValueMinor: 2, Count: 1},
		},
		Reason: "Resto sbagliato a un cliente",
	}
	switch kind {
	case "x":
		r.ClosedAt, r.ClosedBy, r.CashCounted, r.Reason = time.Time{}, "", nil, ""
		r.PrintedAt = time.Date(2026, 11, 23, 12, 15, 0, 0, time.UTC)
		for i := range r.Tenders {
			r.Tenders[i].Counted, r.Tenders[i].CountedMinor, r.Tenders[i].DifferenceMinor = false, 0, 0
		}
	case "day":
		r.Terminal, r.SessionID, r.ZNo, r.OpenedBy, r.ClosedBy = "", "", 0, "", ""
		r.OpenedAt, r.ClosedAt, r.CashCounted, r.Reason = time.Time{}, time.Time{}, nil, ""
		r.Date = "2026-11-23"
		r.PrintedAt = time.Date(2026, 11, 24, 3, 5, 0, 0, time.UTC)
		r.FloatMinor = 20000
		r.Tenders[0].ExpectedMinor += 10000
		r.Tenders[0].CountedMinor += 10100
		r.Tenders[0].DifferenceMinor = -150
		r.Sessions = []ReportSession{
			{Terminal: "lane1", ZNo: 7, Status: "closed", DifferenceMinor: -250},
			{Terminal: "lane2", ZNo: 3, Status: "closed", DifferenceMinor: 100},
			{Terminal: "lane2", ZNo: 4, Status: "open"},
		}
	}
	return r
}

// Golden till reports per kind and locale on 80 mm (48 columns), and each kind in Finnish
// (the longest words) and Italian on 58 mm (32 columns), decoded back to text and commands.
// Regenerate with: go test ./pos/receipt -run TestBuildReport_Golden -update
func TestBuildReport_Golden(t *testing.T) {
	type tc struct {
		kind, locale, profile string
		cols                  int
	}
	var cases []tc
	for _, kind := range []string{"x", "z", "day"} {
		for _, locale := range []string{"it-IT", "fr-FR", "fi-FI", "en-GB"} {
			cases = append(cases, tc{kind, locale, "epson-tm-t20", 48})
		}
		for _, locale := range []string{"it-IT", "fi-FI"} {
			cases = append(cases, tc{kind, locale, "generic-58mm", 32})
		}
	}
	for _, c := range cases {
		name := fmt.Sprintf("%s-%s-%dcol", c.kind, c.locale, c.cols)
		t.Run(name, func(t *testing.T) {
			p := profile(t, c.profile)
			if p.Columns(0) != c.cols {
				t.Fatalf("profile %s has %d columns, want %d", c.profile, p.Columns(0), c.cols)
			}
			b, err := buildReport(sampleReport(t, c.kind, c.locale), p)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := escpos.DecodeProfile(b, p)
			if err != nil {
				t.Fatal(err)
			}
			checkWidths(t, doc, p)
			checkGolden(t, filepath.Join("testdata", "report", name+".txt"), doc.String())
		})
	}
}

// reportLines builds r on p and returns the printed lines.
func reportLines(t *testing.T, r TillReport, p escpos.Profile) ([]byte, []string) {
	t.Helper()
	b, err := buildReport(r, p)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := escpos.DecodeProfile(b, p)
	if err != nil {
		t.Fatal(err)
	}
	checkWidths(t, doc, p)
	return b, doc.Lines()
}

// lineWith returns the first line starting with label (after trimming), or "".
func lineWith(lines []string, label string, from int) (string, int) {
	for i := from; i < len(lines); i++ {
		if strings.HasPrefix(strings.TrimSpace(lines[i]), label) {
			return lines[i], i
		}
	}
	return "", -1
}

func TestBuildReport_Content(t *testing.T) {
	p := profile(t, "epson-tm-t20")
	t.Run("z figures", func(t *testing.T) {
		r := sampleReport(t, "z", "it-IT")
		b, lines := reportLines(t, r, p)
		text := strings.Join(lines, "\n")
		for _, want := range []string{
			"CHIUSURA Z", "Z n.", "lane1", "23/11/2026 08:58", "23/11/2026 19:31", "Aperta da", "Giulia", "Chiusa da", "Marco",
			"Fondo cassa", "100,00 €", "1.234,50 €", "178,03 €", "Arrotondamento", "-0,03 €", "12,50 €",
			"50,00 € x 2", "Motivo: Resto sbagliato a un cliente", "DOCUMENTO NON FISCALE", "Stampato il",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("Z lacks %q:\n%s", want, text)
			}
		}
		// The cash block: expected, counted and a negative difference, in that order.
		_, i := lineWith(lines, "CONTANTI", 0)
		if i < 0 {
			t.Fatalf("no cash block:\n%s", text)
		}
		for _, want := range []struct{ label, amount string }{
			{"Atteso", "242,97 €"}, {"Contato", "240,47 €"}, {"Differenza", "-2,50 €"},
		} {
			ln, j := lineWith(lines, want.label, i)
			if j < 0 || !strings.HasSuffix(ln, " "+want.amount) {
				t.Errorf("cash %s line = %q, want it to end with %q", want.label, ln, want.amount)
			}
			i = j
		}
		// The counted denominations add up to the counted cash.
		var sum int64
		for _, d := range r.CashCounted {
			sum += d.ValueMinor * d.Count
		}
		if sum != r.Tenders[0].CountedMinor {
			t.Fatalf("sample: denominations sum to %d, counted %d", sum, r.Tenders[0].CountedMinor)
		}
		if ln, _ := lineWith(lines, "Totale contato", 0); !strings.HasSuffix(ln, " 240,47 €") {
			t.Errorf("counted total line = %q", ln)
		}
		// The voucher was not counted.
		_, i = lineWith(lines, "BUONO", 0)
		if ln, _ := lineWith(lines, "Contato", i); !strings.HasSuffix(ln, "non contato") {
			t.Errorf("voucher counted line = %q", ln)
		}
		if strings.Contains(text, "COPIA") {
			t.Errorf("first print marked as a copy")
		}
		cmds := mustDecode(t, b, p).Commands()
		for _, op := range cmds {
			if op.Kind == escpos.OpDrawer {
				t.Errorf("a till report kicks the drawer")
			}
		}
		if last := cmds[len(cmds)-1]; last.Kind != escpos.OpCut || escpos.CutMode(last.Args[0]) != escpos.CutPartial {
			t.Errorf("last command = %s, want a partial cut", last)
		}
	})
	t.Run("x is open and uncounted", func(t *testing.T) {
		_, lines := reportLines(t, sampleReport(t, "x", "en-GB"), p)
		text := strings.Join(lines, "\n")
		for _, want := range []string{"X REPORT", "Expected", "€242.97", "Opened"} {
			if !strings.Contains(text, want) {
				t.Errorf("X lacks %q:\n%s", want, text)
			}
		}
		for _, not := range []string{"Closed", "Counted", "Difference", "CASH COUNT", "not counted"} {
			if strings.Contains(text, not) {
				t.Errorf("X shows %q:\n%s", not, text)
			}
		}
	})
	t.Run("day sessions", func(t *testing.T) {
		_, lines := reportLines(t, sampleReport(t, "day", "fr-FR"), p)
		text := strings.Join(lines, "\n")
		for _, want := range []string{"RAPPORT JOURNALIER", "Journée", "23/11/2026", "SESSIONS", "24/11/2026 04:05"} {
			if !strings.Contains(text, want) {
				t.Errorf("day report lacks %q:\n%s", want, text)
			}
		}
		for _, want := range []struct{ label, amount string }{
			{"lane1 Z n° 7 clôturée", "-2,50 €"}, {"lane2 Z n° 3 clôturée", "+1,00 €"}, {"lane2 Z n° 4 ouverte", ""},
		} {
			ln, i := lineWith(lines, want.label, 0)
			if i < 0 || !strings.HasSuffix(strings.TrimSpace(ln), want.amount) {
				t.Errorf("session line %q = %q, want it to end with %q", want.label, ln, want.amount)
			}
		}
		if strings.Contains(text, "Caisse") {
			t.Errorf("a day report names a terminal:\n%s", text)
		}
	})
	t.Run("implicit and copy", func(t *testing.T) {
		r := sampleReport(t, "z", "fi-FI")
		r.Implicit, r.Copy, r.FloatMinor = true, true, 0
		_, lines := reportLines(t, r, profile(t, "generic-58mm"))
		text := strings.Join(lines, "\n")
		if n := strings.Count(text, "KOPIO"); n != 2 {
			t.Errorf("KOPIO marks = %d, want 2 (head and foot)", n)
		}
		if !strings.Contains(strings.Join(strings.Fields(text), " "), "Istunto avattu myynnillä") {
			t.Errorf("no implicit note:\n%s", text)
		}
	})
	t.Run("unknown language prints English", func(t *testing.T) {
		_, lines := reportLines(t, sampleReport(t, "z", "de-DE"), p)
		if text := strings.Join(lines, "\n"); !strings.Contains(text, "Z REPORT") || !strings.Contains(text, "€242,97") {
			t.Errorf("de-DE report:\n%s", text)
		}
	})
	t.Run("errors", func(t *testing.T) {
		r := sampleReport(t, "z", "it-IT")
		r.Kind = "y"
		if _, err := buildReport(r, p); err == nil || !strings.Contains(err.Error(), "kind") {
			t.Errorf("unknown kind: err = %v", err)
		}
		narrow := p
		narrow.Fonts = []escpos.Font{{Name: "A", Columns: 20}}
		if _, err := buildReport(sampleReport(t, "z", "it-IT"), narrow); err == nil || !strings.Contains(err.Error(), "columns") {
			t.Errorf("20 columns: err = %v", err)
		}
		r = sampleReport(t, "day", "it-IT")
		r.Date = "23/11/2026"
		if _, err := buildReport(r, p); err == nil {
			t.Errorf("bad business day: want an error")
		}
		r = sampleReport(t, "x", "it-IT")
		r.Currency = "EURO"
		if _, err := buildReport(r, p); err == nil {
			t.Errorf("bad currency: want an error")
		}
	})
}

func mustDecode(t *testing.T, b []byte, p escpos.Profile) escpos.Document {
	t.Helper()
	doc, err := escpos.DecodeProfile(b, p)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestBuildReport_PNG renders an Italian Z (80 mm) and a French day report (58 mm) as printed,
// to look at. The images go to $REPORT_PNG_DIR when set (kept), else to a temporary directory
// removed after the test; the paths are logged (run with -v):
//
//	REPORT_PNG_DIR=/tmp/reports go test ./pos/receipt -run TestBuildReport_PNG -v
func TestBuildReport_PNG(t *testing.T) {
	dir := os.Getenv("REPORT_PNG_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ kind, locale, profile string }{
		{"z", "it-IT", "epson-tm-t20"}, {"day", "fr-FR", "generic-58mm"},
	} {
		p := profile(t, c.profile)
		b, err := buildReport(sampleReport(t, c.kind, c.locale), p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := escpos.RenderPNG(b, p)
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != p.WidthDots || img.Bounds().Dy() < 400 {
			t.Errorf("%s image is %v", c.kind, img.Bounds())
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("%s-%s-%s.png", c.kind, c.locale, c.profile))
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rendered %s", path)
	}
}
