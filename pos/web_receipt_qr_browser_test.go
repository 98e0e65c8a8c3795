package pos

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/pos/browsertest"
)

// TestBrowser_POSReceiptQR: the cashier scans the QR code printed on a receipt (links.receipt
// with the sale's id) and the refund/reprint dialog opens on that sale, as the receipt-number
// search would; typing or pasting the link into the code field does the same. The basket being
// rung up is left as it was. Another store's receipt, a link that is no receipt and garbage
// after the link's prefix each get a sentence and add nothing. Refunds keep the till session
// rules: once the till is closed the scanned receipt still opens, but the refund is refused
// with the till's sentence. An inactive item's sentence names the product and its barcode.
func TestBrowser_POSReceiptQR(t *testing.T) {
	for _, size := range screenSizes() {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) { receiptQR(t, size) })
	}
}

func receiptQR(t *testing.T, size [2]int) {
	e := newTillPageEnv(t)
	e.svc.opts.Till.RequireOpen = true
	floatMinor := int64(0)
	var open TillReport
	code, body := e.do("POST", "/api/v1/till/open", tokenLane1, TillOpenRequest{SessionID: newSaleID(), Cashier: "anna", FloatMinor: &floatMinor})
	if code != http.StatusCreated {
		t.Fatalf("open the till: %d %s", code, body)
	}
	open = decode[TillReport](t, body)

	b := browsertest.New(t, size[0], size[1])
	posLogin(b, e.srv.URL)
	deadlineSubs(t, b, e.testEnv)
	b.TypeInto("#code", "8001234567903\ue007")
	b.TypeInto("#code", "8001234567903\ue007")
	b.WaitFor("two coffees", textIs("total", "9,96 €"))
	var saleID string
	b.Eval(`return window.POS.st.saleId;`, &saleID)
	b.TypeInto("#code", "\ue034")
	b.TypeInto("#cash", "10\ue007")
	b.WaitFor("change", textIs("change", "0,04 €"))
	b.TypeInto("#new-sale", "\ue039") // F9

	// The next customer's basket is being rung up when the receipt is scanned.
	b.TypeInto("#code", "8001234567897\ue007")
	b.WaitFor("pasta", textIs("total", "1,29 €"))
	link := "https://shop.example/r/" + saleID
	scan := func(data string) {
		e.svc.Events().Publish("lane1", Event{Name: "scan", Data: map[string]any{"device": "lane1-scanner", "symbology": "qr", "data": data, "valid": true}})
	}
	basketIsPasta := func(when string) {
		t.Helper()
		var rows int
		b.Eval(`return document.querySelectorAll("#basket tbody tr").length;`, &rows)
		if got := strings.ReplaceAll(b.Text("#total"), "\u00a0", " "); rows != 1 || got != "1,29 €" {
			t.Errorf("%s: basket has %d lines, total %q; want the pasta alone at 1,29 €", when, rows, got)
		}
	}
	scan(link)
	b.WaitFor("dialog on the sale", `return !document.getElementById("rcp").hidden && !document.getElementById("rcp-view").hidden;`)
	if got := b.Text("#rcp-lines"); !strings.Contains(got, "Caffè espresso 250 g") {
		t.Errorf("dialog lines %q", got)
	}
	if got := b.Text("#rcp-msg"); got != "lane1-000001" {
		t.Errorf("dialog names receipt %q, want lane1-000001", got)
	}
	b.Screenshot(sizeName("pos-receipt-qr", size))
	assertInViewport(t, b, "#rcp-refund", "#rcp-reprint", "#rq-0")
	b.Click("#rcp-reprint")
	b.WaitFor("reprinted", textHas("rcp-msg", "La copia è stata inviata"))
	b.TypeInto("#rq-0", "1")
	b.Click("#rcp-refund")
	b.WaitFor("refunded", textHas("rcp-msg", "4,98 € da restituire"))
	b.Click("#rcp-back")
	basketIsPasta("after the refund")
	var refunds int
	if err := e.db.R.QueryRow(`SELECT count(*) FROM refunds WHERE sale_id = ?1`, saleID).Scan(&refunds); err != nil || refunds != 1 {
		t.Errorf("stored refunds of the scanned sale: %d (%v), want 1", refunds, err)
	}

	// Pasted into the code field (host in capitals, as some scanners send it): the same dialog.
	b.TypeInto("#code", "HTTPS://SHOP.EXAMPLE/r/"+saleID+"\ue007")
	b.WaitFor("dialog again", `return !document.getElementById("rcp").hidden && !document.getElementById("rcp-view").hidden;`)
	b.Click("#rcp-back")
	basketIsPasta("after the pasted link")

	// Not this store's sales, not a receipt, garbage: a sentence, nothing opens, nothing is added.
	for _, c := range []struct{ data, want string }{
		{"https://shop.example/r/0b9f3a52-6c1d-4e8f-9a7b-2c3d4e5f6a7b", "Nessuna vendita di questo negozio corrisponde allo scontrino"},
		{"https://other-chain.example/r/" + saleID, "Questo QR non è uno scontrino di questo negozio"},
		{"https://shop.example/r/" + saleID + "'; DROP TABLE sales; --", "Questo QR non è uno scontrino di questo negozio"},
		{"https://shop.example/r/" + strings.Repeat("9", 600), "Questo QR non è uno scontrino di questo negozio"},
	} {
		b.Eval(`document.getElementById("msg").textContent = ""; return true;`, new(bool))
		scan(c.data)
		b.WaitFor("sentence for "+c.data[:30], textHas("msg", c.want))
		var hidden bool
		b.Eval(`return document.getElementById("rcp").hidden;`, &hidden)
		if !hidden {
			t.Errorf("%q opened the dialog", c.data)
		}
		basketIsPasta(c.data)
	}

	assertInViewport(t, b, "#msg")

	// An inactive item: its name and barcode.
	b.TypeInto("#code", "8001234567934\ue007")
	b.WaitFor("inactive said", textHas("msg", "Articolo ritirato (8001234567934) non è più in vendita."))
	basketIsPasta("after the inactive item")

	// The till is closed: the receipt still opens, the refund is refused with the till's sentence.
	cash := int64(10_00 - 4 - 4_98)
	if code, body := e.do("POST", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: open.SessionID, Cashier: "anna",
		Counted: []CountedTender{{Method: "cash", AmountMinor: &cash}}}); code != http.StatusCreated {
		t.Fatalf("close the till: %d %s", code, body)
	}
	scan(link)
	b.WaitFor("dialog after close", `return !document.getElementById("rcp").hidden && !document.getElementById("rcp-view").hidden;`)
	b.TypeInto("#rq-0", "1")
	b.Click("#rcp-refund")
	b.WaitFor("till rule", textHas("rcp-msg", "Nessuna cassa aperta su questa postazione"))
	if err := e.db.R.QueryRow(`SELECT count(*) FROM refunds WHERE sale_id = ?1`, saleID).Scan(&refunds); err != nil || refunds != 1 {
		t.Errorf("stored refunds after the closed-till attempt: %d (%v), want 1", refunds, err)
	}
}

// assertInViewport fails for each selector whose element is not wholly inside the viewport
// (visible without scrolling).
func assertInViewport(t *testing.T, b *browsertest.Browser, sels ...string) {
	t.Helper()
	for _, sel := range sels {
		var out string
		b.Eval(fmt.Sprintf(`var e = document.querySelector(%q); if (!e) { return "missing"; }
			var r = e.getBoundingClientRect();
			if (r.width === 0 || r.height === 0) { return "not shown"; }
			if (r.top < 0 || r.left < 0 || r.bottom > window.innerHeight || r.right > window.innerWidth) {
				return "at " + Math.round(r.left) + "," + Math.round(r.top) + "–" + Math.round(r.right) + "," + Math.round(r.bottom) + " outside " + window.innerWidth + "×" + window.innerHeight;
			}
			return "";`, sel), &out)
		if out != "" {
			t.Errorf("%s is not visible without scrolling: %s", sel, out)
		}
	}
}
