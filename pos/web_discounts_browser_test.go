package pos

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/storeagent/storeagent/pos/browsertest"
	"github.com/storeagent/storeagent/pos/promo"
)

// screenPromotions: 3 for 2 on coffee and 10 % off pasta, named in Italian and English.
var screenPromotions = []promo.Promotion{
	{ID: "caffe-3x2", Version: 2, Active: true, Name: map[string]string{"en": "Coffee 3 for 2", "it": "Caffè 3x2"}, Kind: promo.Multibuy,
		SKUs: []string{"CAFFE-250"}, Params: promo.Params{Buy: 3, Pay: 2}},
	{ID: "pasta-10", Version: 1, Active: true, Name: map[string]string{"en": "Pasta -10%", "it": "Pasta -10%"}, Kind: promo.Percent,
		Categories: []string{"pasta"}, Params: promo.Params{PercentBP: 1000}},
}

// TestBrowser_POSDiscounts sells a discounted basket in Italian: each line shows its promotion's
// name (the store's language) and amount off, the totals show the saving, and what the screen
// showed is what the sale stored, to the cent.
func TestBrowser_POSDiscounts(t *testing.T) {
	for _, size := range screenSizes() {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) { posDiscounts(t, size) })
	}
}

func posDiscounts(t *testing.T, size [2]int) {
	{
		e := newPageEnv(t)
		e.svc.opts.Lang = "it"
		if err := e.svc.SeedPromotions(t.Context(), screenPromotions); err != nil {
			t.Fatal(err)
		}
		b := browsertest.New(t, size[0], size[1])
		posLogin(b, e.srv.URL)
		// No promotion yet: no saving row.
		b.TypeInto("#code", "8001234567903\ue007")
		b.WaitFor("one coffee", textIs("total", "4,98 €"))
		if b.Text("#saving") != "" || b.Text(".disc") != "" {
			t.Errorf("a basket without discounts shows saving %q, discount %q", b.Text("#saving"), b.Text(".disc"))
		}
		b.TypeInto("#code", "8001234567903\ue007")
		b.TypeInto("#code", "8001234567903\ue007")
		b.TypeInto("#code", "8001234567897\ue007")
		b.TypeInto("#code", "8001234567897\ue007")
		// Coffee 3 × 4,98 = 14,94, one free: 9,96. Pasta 2 × 1,29 = 2,58, 10 % = 0,26: 2,32.
		b.WaitFor("discounted total", textIs("total", "12,28 €"))
		b.WaitFor("saving", textIs("saving", "−5,24 €"))
		var shown []struct {
			Amount string   `json:"amount"`
			Discs  []string `json:"discs"`
		}
		b.Eval(`return Array.prototype.map.call(document.querySelectorAll("#basket tbody tr"), function (tr) {
			return {amount: tr.children[3].innerText.replace(/\s/g, " "),
				discs: Array.prototype.map.call(tr.querySelectorAll(".disc"), function (d) { return d.innerText.replace(/\s+/g, " "); })};
		});`, &shown)
		want := []struct {
			amount, disc string
		}{{"9,96 €", "Caffè 3x2 −4,98 €"}, {"2,32 €", "Pasta -10% −0,26 €"}}
		if len(shown) != len(want) {
			t.Fatalf("screen lines %+v, want %d", shown, len(want))
		}
		for i, w := range want {
			if shown[i].Amount != w.amount || len(shown[i].Discs) != 1 || shown[i].Discs[0] != w.disc {
				t.Errorf("screen line %d: %+v, want %s with %q", i, shown[i], w.amount, w.disc)
			}
		}
		b.Screenshot(sizeName("pos-discounts", size))
		// Both pay buttons and the cash field fit without scrolling with this basket (issue 13).
		assertInViewport(t, b, "#cash", "#cash-form button[type=submit]", "#card", "#total")
		b.TypeInto("#code", "\ue034") // F4
		b.TypeInto("#cash", "20\ue007")
		b.WaitFor("change", textIs("change", "7,72 €"))

		var id string
		if err := e.db.R.QueryRow(`SELECT sale_id FROM sales`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		s := decode[Sale](t, must(e.svc.GetSale(t.Context(), id)))
		if s.TotalMinor != 1228 || s.SavingMinor != 524 || s.ChangeMinor != 772 {
			t.Errorf("stored sale total %d saving %d change %d, want 1228 524 772", s.TotalMinor, s.SavingMinor, s.ChangeMinor)
		}
		var sum, off int64
		for _, l := range s.Lines {
			sum += l.AmountMinor
			for _, d := range l.Discounts {
				off += d.AmountMinor
			}
		}
		if sum != s.TotalMinor || off != s.SavingMinor || s.Lines[0].Discounts[0].Name != "Caffè 3x2" {
			t.Errorf("stored lines add up to %d with %d off (names %+v), want %d and %d", sum, off, s.Lines, s.TotalMinor, s.SavingMinor)
		}
		used, _ := json.Marshal(s.Promotions)
		if string(used) != `[{"promotion_id":"caffe-3x2","version":2,"amount_minor":498},{"promotion_id":"pasta-10","version":1,"amount_minor":26}]` {
			t.Errorf("stored promotions %s", used)
		}
	}
}

// screenSizes are the screens a new-screen test runs at: 1024×768, the tighter, in CI; with
// STOREAGENT_SCREENSHOT_DIR set (a person will look at the screenshots) 1366×768 as well.
func screenSizes() [][2]int {
	if os.Getenv("STOREAGENT_SCREENSHOT_DIR") == "" {
		return [][2]int{{1024, 768}}
	}
	return [][2]int{{1366, 768}, {1024, 768}}
}

func sizeName(name string, size [2]int) string {
	return fmt.Sprintf("%s-%dx%d", name, size[0], size[1])
}
