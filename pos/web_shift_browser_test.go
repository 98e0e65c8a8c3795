package pos

import (
	"testing"

	"github.com/storeagent/storeagent/pos/browsertest"
)

// TestBrowser_POSWholeShift is one cashier's whole shift on one screen, in Italian: open the
// till with a typed float, sell by cash, card, split (card part + cash), a weighed item and a
// weight-embedded label, reprint and refund a receipt, and close the till counted exactly; the
// stored sales, refund and Z add up to the cent.
func TestBrowser_POSWholeShift(t *testing.T) {
	e := newTillPageEnv(t)
	b := browsertest.New(t, 1024, 768)
	posLogin(b, e.srv.URL)
	next := func() { b.TypeInto("#new-sale", "\ue039") } // F9

	b.Click("#session")
	b.WaitFor("open form", `return !document.getElementById("tillp").hidden && !document.getElementById("open-form").hidden;`)
	b.TypeInto("#open-sum", "100")
	b.WaitFor("float", textIs("open-total", "100,00 €"))
	b.Click("#open-form button[type=submit]")
	b.WaitFor("open", `return document.getElementById("session").getAttribute("data-state") === "open";`)
	b.Click("#tillp-back")

	// Cash: 4,98 € for 10 €.
	b.TypeInto("#code", "8001234567903\ue007")
	b.WaitFor("coffee", textIs("total", "4,98 €"))
	b.TypeInto("#code", "\ue034")
	b.TypeInto("#cash", "10\ue007")
	b.WaitFor("cash change", textIs("change", "5,02 €"))
	next()
	// Card: pasta.
	b.TypeInto("#code", "8001234567897\ue007")
	b.WaitFor("pasta", textIs("total", "1,29 €"))
	b.TypeInto("#code", "\ue038")
	b.WaitFor("card paid", `return !document.getElementById("done").hidden;`)
	next()
	// Split: 9,96 €, 3 € by card, the rest in cash from 10 €.
	b.TypeInto("#code", "8001234567903\ue007")
	b.TypeInto("#code", "8001234567903\ue007")
	b.WaitFor("two coffees", textIs("total", "9,96 €"))
	b.TypeInto("#cash", "3")
	b.Click("#part-card")
	b.WaitFor("left", textIs("cashdue", "6,96 €"))
	b.TypeInto("#cash", "10\ue007")
	b.WaitFor("split change", textIs("change", "3,04 €"))
	next()
	// Weighed (500 g typed) and a weight-embedded label (1,234 kg), by card.
	b.TypeInto("#code", "500*PARMIGIANO\ue007")
	b.WaitFor("weighed", textIs("total", "14,95 €"))
	b.TypeInto("#code", "2012345012342\ue007")
	b.WaitFor("label", textIs("total", "51,85 €"))
	b.TypeInto("#code", "\ue038")
	b.WaitFor("weighed paid", `return !document.getElementById("done").hidden;`)
	next()

	// Reprint and refund the cash sale (receipt 1) in cash.
	b.TypeInto("#code", "\ue037") // F7
	b.WaitFor("receipts", `return !document.getElementById("rcp").hidden;`)
	b.TypeInto("#rcp-no", "1\ue007")
	b.WaitFor("found", `return !document.getElementById("rcp-view").hidden;`)
	b.Click("#rcp-reprint")
	b.WaitFor("reprinted", textHas("rcp-msg", "La copia è stata inviata"))
	b.TypeInto("#rq-0", "1")
	b.Click("#rcp-refund")
	b.WaitFor("refunded", textHas("rcp-msg", "4,98 € da restituire"))
	b.Click("#rcp-back")

	// Close: 100 + 4,98 + 6,96 in cash − 4,98 refunded = 106,96 €, counted exactly.
	b.TypeInto("#code", "\ue03a") // F10
	b.WaitFor("close form", `return !document.getElementById("tillp").hidden && !document.getElementById("open-view").hidden;`)
	b.WaitFor("expected", textIs("close-expected", "106,96 €"))
	for _, c := range []struct{ id, n string }{{"#close-10000", "1"}, {"#close-500", "1"}, {"#close-100", "1"}, {"#close-50", "1"}, {"#close-20", "2"}, {"#close-5", "1"}, {"#close-1", "1"}} {
		b.TypeInto(c.id, c.n)
	}
	b.WaitFor("no difference", textIs("close-diff", "0,00 €"))
	b.Screenshot("pos-shift-close-1024")
	var fits bool
	b.Eval(`var r = document.querySelector("#close-form button[type=submit]").getBoundingClientRect(); return r.bottom <= window.innerHeight;`, &fits)
	if !fits {
		t.Errorf("the close button is below the fold at 1024×768: the close needs scrolling")
	}
	b.Click("#close-form button[type=submit]")
	b.WaitFor("Z", `return !document.getElementById("z-view").hidden;`)
	b.WaitFor("Z difference", textIs("z-diff", "0,00 €"))

	if n := e.count(`SELECT count(*) FROM sales`); n != 4 {
		t.Errorf("%d sales, want 4", n)
	}
	if n := e.count(`SELECT sum(total_minor) FROM sales`); n != 498+129+996+5185 {
		t.Errorf("sales total %d, want %d", n, 498+129+996+5185)
	}
	if n := e.count(`SELECT count(*) FROM refunds WHERE total_minor = 498 AND method = 'cash'`); n != 1 {
		t.Errorf("cash refunds of 4,98 €: %d, want 1", n)
	}
	var id string
	if err := e.db.W.QueryRow(`SELECT session_id FROM till_sessions WHERE status = 'closed'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	_, body := e.do("GET", "/api/v1/till/sessions/"+id, tokenLane1, nil)
	z := decode[TillReport](t, body)
	tend := map[string]TillTender{}
	for _, x := range z.Tenders {
		tend[x.Method] = x
	}
	cash, card := tend["cash"], tend["card"]
	if z.FloatMinor != 10000 || z.Sales.Count != 4 || z.Sales.GrossMinor != 6808 || z.Refunds.GrossMinor != 498 ||
		cash.ExpectedMinor != 10696 || cash.CountedMinor == nil || *cash.CountedMinor != 10696 || *cash.DifferenceMinor != 0 ||
		card.SalesMinor != 129+300+5185 {
		t.Errorf("Z: %s", body)
	}
}
