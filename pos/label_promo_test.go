package pos

import (
	"bytes"
	"database/sql"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/pos/promo"
)

// promoteForLabels stores two promotions that began a day ago: coffee (4,98 €, 250 g) 20 % off,
// 3,98 €; Chianti (12,90 €, 0,75 l) at a fixed 9,99 €. Coffee was 4,50 € 20 days before.
func promoteForLabels(t *testing.T, e *testEnv) {
	t.Helper()
	now := time.Now().UTC()
	start := now.Add(-24 * time.Hour)
	err := e.db.Group.Do(t.Context(), func(tx *sql.Tx) error {
		for _, h := range []struct {
			sku   string
			days  int
			price int64
		}{{"CAFFE-250", 41, 498}, {"CAFFE-250", 21, 450}, {"CAFFE-250", 11, 498}, {"VINO-ROSSO", 60, 1290}} {
			if _, err := tx.Exec(`INSERT INTO price_history (sku, price_minor, effective_at) VALUES (?1, ?2, ?3)`,
				h.sku, h.price, now.Add(-time.Duration(h.days)*24*time.Hour).Format(historyStamp)); err != nil {
				return err
			}
		}
		return StorePromotions(t.Context(), tx, []promo.Promotion{
			{ID: "caffe-20", Version: 1, Active: true, Name: map[string]string{"en": "Coffee -20%"}, Kind: promo.Percent,
				SKUs: []string{"CAFFE-250"}, Params: promo.Params{PercentBP: 2000}, StartsAt: &start},
			{ID: "chianti-999", Version: 1, Active: true, Name: map[string]string{"en": "Chianti 9.99"}, Kind: promo.FixedPrice,
				SKUs: []string{"VINO-ROSSO"}, Params: promo.Params{PriceMinor: 999}, StartsAt: &start},
		}, 1, now)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPages_Aisle_PromotionUnitPrice: the aisle page of a promoted packed item shows the
// promotion's price, the unit price recomputed from it (15,92 €/kg for 3,98 € per 250 g, 13,32 €/l
// for 9,99 € per 0,75 l), never the shelf price's (19,92, 17,20), and the 30-day lowest price, in
// the shopper's language.
func TestPages_Aisle_PromotionUnitPrice(t *testing.T) {
	e := newPageEnv(t)
	promoteForLabels(t, e)
	for _, c := range []struct {
		path, lang string
		want       []string
		not        []string
	}{
		{"/p/CAFFE-250", "it", []string{"3,98 €", "(15,92 € al kg)", "Prezzo più basso dei 30 giorni precedenti la riduzione: 4,50 €"}, []string{"19,92"}},
		{"/p/CAFFE-250", "en", []string{"€3.98", "(€15.92 per kg)", "Lowest price in the 30 days before the reduction: €4.50"}, []string{"19.92"}},
		{"/p/CAFFE-250", "fr", []string{"3,98 €", "15,92 € le kg", "Prix le plus bas des 30 jours précédant la réduction : 4,50 €"}, []string{"19,92"}},
		{"/p/CAFFE-250", "fi", []string{"3,98 €", "15,92 €/kg", "Alin hinta alennusta edeltäneiden 30 päivän aikana: 4,50 €"}, []string{"19,92"}},
		{"/p/VINO-ROSSO", "it", []string{`<s class="regular">12,90 €</s> 9,99 €`, "13,32 € al litro", "30 giorni precedenti la riduzione: 12,90 €"}, []string{"17,20"}},
		{"/p/VINO-ROSSO", "en", []string{"€9.99", "€13.32 per litre", "€12.90"}, []string{"17.20"}},
	} {
		status, _, body := e.getPage(c.path, c.lang)
		if status != 200 {
			t.Fatalf("%s %s: status %d", c.path, c.lang, status)
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s %s: page lacks %q:\n%s", c.path, c.lang, w, body)
			}
		}
		for _, w := range c.not {
			if strings.Contains(body, w) {
				t.Errorf("%s %s: page shows the shelf price's unit price %q", c.path, c.lang, w)
			}
		}
	}
	// Without a promotion the unit price is the shelf price's: pasta 1,29 € per 500 g.
	if _, _, body := e.getPage("/p/PASTA-500", "it"); !strings.Contains(body, "2,58 € al kg") {
		t.Errorf("pasta page lacks its unit price 2,58 € al kg:\n%s", body)
	}
}

// TestLabeler_PromotionUnitPrice: a promoted item's shelf label carries the promotion's price, the
// unit price recomputed from it and the 30-day lowest price in the store's language; the label
// sheet the API serves is that label, pixel for pixel, and not the shelf-price one.
func TestLabeler_PromotionUnitPrice(t *testing.T) {
	e := newPageEnv(t)
	promoteForLabels(t, e)
	w := LabelWidth - (LabelHeight - 2*labelPxPerMM*2) - 5*labelPxPerMM
	coffee, err := e.svc.Lookup(t.Context(), "CAFFE-250")
	if err != nil {
		t.Fatal(err)
	}
	promoted := e.svc.LabelProduct(t.Context(), coffee)
	for loc, want := range map[string][]string{
		"it-IT": {"3,98 €", "15,92 € al kg", "4,50 €"}, "fr-FR": {"3,98 €", "15,92 € le kg", "4,50 €"},
		"fi-FI": {"3,98 €", "15,92 €/kg", "4,50 €"}, "en-GB": {"€3.98", "€15.92 per kg", "€4.50"},
	} {
		lab, err := NewLabeler(PageOptions{Locale: loc, Currency: "EUR", AisleBase: "http://store.local"})
		if err != nil {
			t.Fatal(err)
		}
		var all []string
		for _, tx := range lab.priceTexts(promoted, w) {
			all = append(all, tx.text)
		}
		got := strings.Join(all, " ")
		for _, s := range want {
			if !strings.Contains(got, s) {
				t.Errorf("%s: label texts %q lack %q", loc, got, s)
			}
		}
		if strings.Contains(got, "19,92") || strings.Contains(got, "19.92") || strings.Contains(got, "4,98") || strings.Contains(got, "4.98") {
			t.Errorf("%s: label shows the shelf price or its unit price: %q", loc, got)
		}
	}

	lab, err := NewLabeler(PageOptions{Locale: "it-IT", Currency: "EUR", AisleBase: "http://store.local:8080"})
	if err != nil {
		t.Fatal(err)
	}
	status, body := e.do("GET", "/api/v1/labels?sku=CAFFE-250", tokenLane1, nil)
	if status != 200 {
		t.Fatalf("label sheet: %d %s", status, body)
	}
	served, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sheet := func(p Product) image.Image {
		s, err := lab.Sheets([]Product{p})
		if err != nil {
			t.Fatal(err)
		}
		return s[0]
	}
	if !sameGray(served, sheet(promoted)) {
		t.Error("the served label sheet is not the promoted label")
	}
	if sameGray(served, sheet(coffee)) {
		t.Error("the served label sheet is the shelf-price label")
	}
}

func sameGray(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			ga, _, _, _ := a.At(x, y).RGBA()
			gb, _, _, _ := b.At(x, y).RGBA()
			if ga != gb {
				return false
			}
		}
	}
	return true
}

// TestUnitPriceMinor: the unit price is exact to the cent, half up, from the net content in grams
// or millilitres.
func TestUnitPriceMinor(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, c := range []struct {
		net   *float64
		unit  string
		price int64
		want  int64
		ok    bool
	}{
		{f(0.25), "kg", 398, 1592, true},
		{f(0.75), "l", 999, 1332, true},
		{f(0.75), "l", 1001, 1335, true}, // 1334.67
		{f(0.4), "kg", 299, 748, true},   // 747.5, half up
		{f(0.3), "l", 100, 333, true},    // 0.3 is not exact in binary: 300 ml
		{f(0.333), "l", 100, 300, true},  // 300.3
		{f(0.0004), "kg", 1, 0, false},   // under half a gram: no unit price rather than a division by zero
		{nil, "kg", 2990, 0, false},      // weighed: the price is already per kg
		{f(0.5), "each", 249, 0, false},
	} {
		p := Product{SKU: "X", Unit: c.unit, NetContent: c.net}
		got, ok := UnitPriceMinor(p, c.price)
		if got != c.want || ok != c.ok {
			t.Errorf("%v %s at %d: got %d %v, want %d %v", c.net, c.unit, c.price, got, ok, c.want, c.ok)
		}
	}
}
