package pos

import (
	"fmt"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/pos/browsertest"
)

// TestBrowser_POSNumpadAndShortCash: the cash amount is typed on the on-screen numpad alone (no
// keyboard), a cash amount below the total is refused with a sentence in the store's language and
// money as on the receipt (never minor units), nothing is sold, and the numpad's Enter then pays
// with the full-screen change.
func TestBrowser_POSNumpadAndShortCash(t *testing.T) {
	for _, size := range screenSizes() {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			e := newPageEnv(t)
			b := browsertest.New(t, size[0], size[1])
			posLogin(b, e.srv.URL)
			b.TypeInto("#code", "8001234567903\ue007")
			b.WaitFor("coffee", textIs("total", "4,98 €"))
			key := func(k string) { b.Click(`#numpad button[data-key="` + k + `"]`) }
			b.Click("#cash")
			key("2")
			key(",")
			key("5")
			key("0")
			if got := b.Find("#cash"); got == "" {
				t.Fatal("no cash field")
			}
			var typed string
			b.Eval(`return document.getElementById("cash").value;`, &typed)
			if typed != "2,50" {
				t.Fatalf("numpad typed %q into the cash field, want 2,50", typed)
			}
			key("↵")
			b.WaitFor("short said", `return document.getElementById("msg").innerText.indexOf("Mancano") === 0;`)
			// 4,98 € due, 2,50 € given: the cashier reads what is still missing.
			if msg := strings.ReplaceAll(b.Text("#msg"), "\u00a0", " "); msg != "Mancano 2,48 €." {
				t.Errorf("short cash message %q, want %q", msg, "Mancano 2,48 €.")
			}
			var sales int
			e.svc.db.R.QueryRow(`SELECT count(*) FROM sales`).Scan(&sales)
			if sales != 0 {
				t.Fatalf("%d sales stored after a short cash payment, want 0", sales)
			}
			b.Screenshot(sizeName("pos-short-cash", size))
			// ⌫ corrects the amount on the numpad, ↵ pays.
			for range 4 {
				key("⌫")
			}
			key("1")
			key("0")
			key("↵")
			b.WaitFor("change screen", `return !document.getElementById("done").hidden;`)
			if got := strings.ReplaceAll(b.Text("#change"), "\u00a0", " "); got != "5,02 €" {
				t.Errorf("change %q, want 5,02 €", got)
			}
			e.svc.db.R.QueryRow(`SELECT count(*) FROM sales`).Scan(&sales)
			if sales != 1 {
				t.Fatalf("%d sales after paying 10,00 €, want 1", sales)
			}
		})
	}
}
