package pos

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/pos/promo"
)

func TestPages_Aisle_Lowest30Days(t *testing.T) {
	e := newPageEnv(t)
	now := time.Now().UTC()
	start := now.Add(-24 * time.Hour)
	err := e.db.Group.Do(t.Context(), func(tx *sql.Tx) error {
		// Coffee was 5.20 from 40 days before the reduction (in force when the window opens),
		// 4.50 from 20 days before, 4.98 from 10 days before; its reduction began a day ago.
		for _, h := range []struct {
			days  int
			price int64
		}{{41, 520}, {21, 450}, {11, 498}} {
			if _, err := tx.Exec(`INSERT INTO price_history (sku, price_minor, effective_at) VALUES ('CAFFE-250', ?1, ?2)`,
				h.price, now.Add(-time.Duration(h.days)*24*time.Hour).Format(historyStamp)); err != nil {
				return err
			}
		}
		return StorePromotions(t.Context(), tx, []promo.Promotion{{ID: "caffe-20", Version: 1, Active: true,
			Name: map[string]string{"en": "Coffee -20%"}, Kind: promo.Percent, SKUs: []string{"CAFFE-250"},
			Params: promo.Params{PercentBP: 2000}, StartsAt: &start}}, 1, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, want string }{
		{"it", "Prezzo più basso dei 30 giorni precedenti la riduzione: 4,50 €"},
		{"en", "Lowest price in the 30 days before the reduction: €4.50"},
		{"fr", "Prix le plus bas des 30 jours précédant la réduction"},
		{"fi", "Alin hinta alennusta edeltäneiden 30 päivän aikana"},
	} {
		status, _, body := e.getPage("/p/CAFFE-250", c.lang)
		if status != 200 || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d, page lacks %q:\n%s", c.lang, status, c.want, body)
		}
	}
	_, _, body := e.getPage("/p/CAFFE-250", "it")
	if !strings.Contains(body, `<s class="regular">4,98 €</s> 3,98 €`) {
		t.Errorf("page lacks the shelf price struck and the promotion price 3,98 €:\n%s", body)
	}
	// A product without a promotion shows neither.
	if _, _, body := e.getPage("/p/VINO-ROSSO", "en"); strings.Contains(body, "Lowest price") || strings.Contains(body, "regular") {
		t.Errorf("unreduced product shows a reduction:\n%s", body)
	}
}

func TestLowestPrice(t *testing.T) {
	e := newTestEnv(t)
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, h := range []struct {
		at    time.Time
		price int64
	}{{t0, 300}, {t0.AddDate(0, 0, 10), 200}, {t0.AddDate(0, 0, 20), 250}} {
		if _, err := e.db.W.Exec(`INSERT INTO price_history (sku, price_minor, effective_at) VALUES ('X', ?1, ?2)`, h.price, h.at.Format(historyStamp)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		from, to time.Time
		want     int64
	}{
		{t0.AddDate(0, 0, 15), t0.AddDate(0, 0, 30), 200}, // 2.00 in force at the start
		{t0.AddDate(0, 0, 21), t0.AddDate(0, 0, 30), 250},
		{t0.AddDate(0, 0, 1), t0.AddDate(0, 0, 10), 300}, // the 2.00 of day 10 is not before to
		{t0.AddDate(0, 0, -30), t0, -1},                  // nothing known before
	} {
		got, err := LowestPrice(t.Context(), e.svc.r(), "X", c.from, c.to)
		if err != nil || got != c.want {
			t.Errorf("LowestPrice(%s, %s) = %d %v, want %d", c.from.Format(time.DateOnly), c.to.Format(time.DateOnly), got, err, c.want)
		}
	}
}

// TestLabeler_Reduction checks that a reduced label shows the promotion price and the whole
// 30-day lowest price text within the text column, in every label language.
func TestLabeler_Reduction(t *testing.T) {
	p := Product{SKU: "P", Name: "Caffè", PriceMinor: 498, Unit: "each", Currency: "EUR",
		reduction: &Reduction{PriceMinor: 398, LowestMinor: 450}}
	w := LabelWidth - (LabelHeight - 2*labelPxPerMM*2) - 5*labelPxPerMM
	for loc, want := range map[string][]string{
		"it-IT": {"3,98", "Prezzo più basso", "4,50"}, "fr-FR": {"3,98", "Prix le plus bas", "4,50"},
		"fi-FI": {"3,98", "Alin hinta", "4,50"}, "en-GB": {"3.98", "Lowest price", "4.50"},
	} {
		lab, err := NewLabeler(PageOptions{Locale: loc, Currency: "EUR", AisleBase: "http://store.local"})
		if err != nil {
			t.Fatal(err)
		}
		var all []string
		for _, tx := range lab.priceTexts(p, w) {
			if strings.Contains(tx.text, "…") {
				t.Errorf("%s: %q is cut", loc, tx.text)
			}
			all = append(all, tx.text)
		}
		got := strings.Join(all, " ")
		for _, s := range want {
			if !strings.Contains(got, s) {
				t.Errorf("%s: label texts %q lack %q", loc, got, s)
			}
		}
		if strings.Contains(got, "4,98") || strings.Contains(got, "4.98") {
			t.Errorf("%s: label shows the shelf price as the price: %q", loc, got)
		}
	}
}
