package pos

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/storeagent/storeagent/pos/promo"
)

var promoNow = time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)

func tp(t time.Time) *time.Time { return &t }

// testPromotions: 3 for 2 on coffee, 10 % off pasta, an expired 50 % on rye bread and a gold-tier
// 1.00 off wine.
var testPromotions = []promo.Promotion{
	{ID: "caffe-3x2", Version: 2, Active: true, Name: map[string]string{"en": "Coffee 3 for 2", "it": "Caffè 3x2"}, Kind: promo.Multibuy,
		SKUs: []string{"CAFFE-250"}, Params: promo.Params{Buy: 3, Pay: 2}},
	{ID: "pasta-10", Version: 1, Active: true, Name: map[string]string{"en": "Pasta -10%"}, Kind: promo.Percent,
		Categories: []string{"pasta"}, Params: promo.Params{PercentBP: 1000}, EndsAt: tp(promoNow.Add(time.Hour))},
	{ID: "rye-50", Version: 1, Active: true, Name: map[string]string{"en": "Rye -50%"}, Kind: promo.Percent,
		SKUs: []string{"RUISLEIPA"}, Params: promo.Params{PercentBP: 5000}, EndsAt: tp(promoNow)},
	{ID: "wine-gold", Version: 1, Active: true, Name: map[string]string{"en": "Gold: wine -1.00"}, Kind: promo.AmountOff,
		SKUs: []string{"VINO-ROSSO"}, Params: promo.Params{AmountMinor: 100}, CustomerTiers: []string{"gold"}},
}

func newPromoEnv(t *testing.T, mod ...func(*Options)) *testEnv {
	e := newTestEnv(t, append([]func(*Options){func(o *Options) { o.Now = func() time.Time { return promoNow } }}, mod...)...)
	err := e.db.Group.Do(t.Context(), func(tx *sql.Tx) error {
		return StorePromotions(t.Context(), tx, testPromotions, 1, promoNow)
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func promoBasket() []LineRequest {
	return []LineRequest{line("CAFFE-250", 3), line("PASTA-500", 2), line("RUISLEIPA", 1), line("VINO-ROSSO", 1)}
}

// checkPromoLines checks the coffee, pasta, rye and wine lines of promoBasket without a tier.
func checkPromoLines(t *testing.T, lines []Line, saving, total int64, taxes []TaxLine) {
	t.Helper()
	// Coffee 3 × 4.98 = 14.94, one free: 9.96. Pasta 2.58, 10 % = 0.258 → 0.26: 2.32. Rye: expired
	// at 11:00 (ends_at is exclusive). Wine: gold only.
	want := []struct {
		amount int64
		disc   string
		off    int64
	}{{996, "caffe-3x2", 498}, {232, "pasta-10", 26}, {249, "", 0}, {1290, "", 0}}
	for i, w := range want {
		l := lines[i]
		if l.AmountMinor != w.amount {
			t.Errorf("line %d %s: amount %d, want %d", i, l.SKU, l.AmountMinor, w.amount)
		}
		if w.disc == "" {
			if len(l.Discounts) != 0 {
				t.Errorf("line %d %s: discounts %+v, want none", i, l.SKU, l.Discounts)
			}
			continue
		}
		if len(l.Discounts) != 1 || l.Discounts[0].PromotionID != w.disc || l.Discounts[0].AmountMinor != w.off {
			t.Errorf("line %d %s: discounts %+v, want %s %d", i, l.SKU, l.Discounts, w.disc, w.off)
		}
	}
	if saving != 524 || total != 996+232+249+1290 {
		t.Errorf("saving %d total %d, want 524 and %d", saving, total, 996+232+249+1290)
	}
	// VAT on the discounted amounts: 4 % of 2.32 = 0.089 → 0.09; 10 % of 2.49 → 0.23;
	// 22 % of 9.96 + 12.90 = 22.86 → 4.122 → 4.12.
	wantTaxes := []TaxLine{{400, 232, 9}, {1000, 249, 23}, {2200, 2286, 412}}
	got, _ := json.Marshal(taxes)
	exp, _ := json.Marshal(wantTaxes)
	if string(got) != string(exp) {
		t.Errorf("taxes %s, want %s", got, exp)
	}
}

func TestServer_Quote_Promotions(t *testing.T) {
	e := newPromoEnv(t)
	code, body := e.do("POST", "/api/v1/sales/quote", tokenLane1, SaleRequest{Lines: promoBasket()})
	if code != http.StatusOK {
		t.Fatalf("quote: %d %s", code, body)
	}
	q := decode[Quote](t, body)
	checkPromoLines(t, q.Lines, q.SavingMinor, q.TotalMinor, q.Taxes)
	if q.Lines[0].Discounts[0].Name != "Coffee 3 for 2" {
		t.Errorf("discount name %q", q.Lines[0].Discounts[0].Name)
	}
	// An Italian store shows the Italian name, and English where central sent no Italian one.
	it := newPromoEnv(t, func(o *Options) { o.Lang = "it" })
	_, body = it.do("POST", "/api/v1/sales/quote", tokenLane1, SaleRequest{Lines: promoBasket()})
	q = decode[Quote](t, body)
	if got := q.Lines[0].Discounts[0].Name; got != "Caffè 3x2" {
		t.Errorf("it-IT store: discount name %q, want Caffè 3x2", got)
	}
	for _, l := range q.Lines[1:] {
		for _, d := range l.Discounts {
			if d.Name == "" {
				t.Errorf("line %s: a discount without a name in it-IT", l.SKU)
			}
		}
	}
}

func TestServer_CreateSale_PromotionsAndRefund(t *testing.T) {
	e := newPromoEnv(t)
	id := newSaleID()
	code, body := e.do("POST", "/api/v1/sales", tokenLane1, saleBody(id, promoBasket(), []Payment{{Method: "card", AmountMinor: 2767}}))
	if code != http.StatusCreated {
		t.Fatalf("sale: %d %s", code, body)
	}
	s := decode[Sale](t, body)
	checkPromoLines(t, s.Lines, s.SavingMinor, s.TotalMinor, s.Taxes)
	want := []UsedPromotion{{"caffe-3x2", 2, 498}, {"pasta-10", 1, 26}}
	if got, _ := json.Marshal(s.Promotions); string(got) != mustJSON(t, want) {
		t.Errorf("promotions %s, want %s", got, mustJSON(t, want))
	}
	// Central changes the coffee promotion after the sale: the stored sale keeps version 2 and its
	// amounts, and refunds return what was paid: 9.96 for 3 coffees, in any split.
	err := e.db.Group.Do(t.Context(), func(tx *sql.Tx) error {
		p := testPromotions[0]
		p.Version, p.Params = 3, promo.Params{PercentBP: 9000}
		p.Kind = promo.Percent
		return StorePromotions(t.Context(), tx, []promo.Promotion{p}, 2, promoNow)
	})
	if err != nil {
		t.Fatal(err)
	}
	stored := decode[Sale](t, must(e.svc.GetSale(t.Context(), id)))
	if stored.Promotions[0].Version != 2 || stored.Lines[0].AmountMinor != 996 {
		t.Errorf("stored sale changed: %+v", stored.Promotions)
	}
	var refunded int64
	for _, qty := range []int64{1, 2} {
		code, body = e.do("POST", "/api/v1/refunds", tokenLane1, RefundRequest{RefundID: newSaleID(), SaleID: id,
			Lines: []RefundLineRequest{{"CAFFE-250", qty}}, Method: "card", Cashier: "anna", Terminal: "lane1"})
		if code != http.StatusCreated {
			t.Fatalf("refund: %d %s", code, body)
		}
		refunded += decode[Refund](t, body).TotalMinor
	}
	if refunded != 996 {
		t.Errorf("3 coffees refunded %d, paid 996", refunded)
	}
}

func TestServer_Quote_PromotionEndsOffline(t *testing.T) {
	now := promoNow
	e := newTestEnv(t, func(o *Options) { o.Now = func() time.Time { return now } })
	if err := e.db.Group.Do(t.Context(), func(tx *sql.Tx) error {
		return StorePromotions(t.Context(), tx, testPromotions, 1, now)
	}); err != nil {
		t.Fatal(err)
	}
	quote := func() Quote {
		code, body := e.do("POST", "/api/v1/sales/quote", tokenLane1, SaleRequest{Lines: []LineRequest{line("PASTA-500", 2)}})
		if code != http.StatusOK {
			t.Fatalf("quote: %d %s", code, body)
		}
		return decode[Quote](t, body)
	}
	if q := quote(); q.SavingMinor != 26 {
		t.Errorf("before ends_at: saving %d, want 26", q.SavingMinor)
	}
	now = promoNow.Add(time.Hour) // the pasta promotion's ends_at; nothing came from central
	if q := quote(); q.SavingMinor != 0 || q.TotalMinor != 258 {
		t.Errorf("at ends_at: saving %d total %d, want 0 and 258", q.SavingMinor, q.TotalMinor)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
