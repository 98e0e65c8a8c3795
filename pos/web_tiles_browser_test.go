package pos

import (
	"fmt"
	"testing"

	"github.com/storeagent/storeagent/pos/browsertest"
)

// TestBrowser_POSQuickKeysAndSearch: the store's quick keys are tiles in their configured order
// (an unknown and an inactive SKU show none); a tap sells the item; a search by name shows its
// results as tiles, a tap sells and brings the quick keys back; a search without results says so.
func TestBrowser_POSQuickKeysAndSearch(t *testing.T) {
	for _, size := range screenSizes() {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			e := newPageEnv(t)
			e.svc.SetQuickKeys([]string{"CAFFE-250", "NOT-THERE", "VINO-ROSSO", "OLD-ITEM", "CREME-BRULEE", "RUISLEIPA"})
			b := browsertest.New(t, size[0], size[1])
			posLogin(b, e.srv.URL)
			b.WaitFor("quick keys", `return document.querySelectorAll("#tiles .tile").length === 4;`)
			var skus []string
			b.Eval(`return Array.prototype.map.call(document.querySelectorAll("#tiles .tile"), function (b) { return b.getAttribute("data-sku"); });`, &skus)
			if fmt.Sprint(skus) != "[CAFFE-250 VINO-ROSSO CREME-BRULEE RUISLEIPA]" {
				t.Errorf("tiles %v", skus)
			}
			if got := b.Text(`#tiles .tile[data-sku="VINO-ROSSO"]`); got != "Chianti Classico DOCG\n12,90 €" && got != "Chianti Classico DOCG\n12,90\u00a0€" {
				t.Errorf("wine tile %q", got)
			}
			b.Click(`#tiles .tile[data-sku="CAFFE-250"]`)
			b.Click(`#tiles .tile[data-sku="CAFFE-250"]`)
			b.WaitFor("two coffees", textIs("total", "9,96 €"))
			b.Screenshot(sizeName("pos-quick-keys", size))

			b.TypeInto("#search", "spag")
			b.WaitFor("search result", `var t = document.querySelectorAll("#tiles .tile"); return t.length === 1 && t[0].getAttribute("data-sku") === "PASTA-500";`)
			b.Screenshot(sizeName("pos-search", size))
			b.Click(`#tiles .tile[data-sku="PASTA-500"]`)
			b.WaitFor("pasta sold", textIs("total", "11,25 €"))
			b.WaitFor("quick keys back", `return document.getElementById("search").value === "" && document.querySelectorAll("#tiles .tile").length === 4;`)

			b.TypeInto("#search", "ritirato") // only an inactive item has this name
			b.WaitFor("no match said", textHas("tiles", "Nessun articolo corrisponde a «ritirato»"))
			if n := e.count(`SELECT count(*) FROM sales`); n != 0 {
				t.Errorf("%d sales from browsing tiles", n)
			}
		})
	}
}
