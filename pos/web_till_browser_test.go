package pos

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	stdsync "sync"
	"testing"

	"github.com/storeagent/storeagent/pos/browsertest"
)

// newTillPageEnv is the page environment with a (demo) printer and the till rules a store sets:
// euro notes and coins and a 5 € difference allowed at a close without a reason.
func newTillPageEnv(t *testing.T) *printEnv {
	t.Helper()
	e, _ := newDemoEnv(t)
	e.svc.opts.Till.Denominations = euro
	e.svc.opts.Till.MaxDifferenceMinor = 500
	opts := PageOptions{StoreName: "Negozio Milano", Locale: "it-IT", Currency: "EUR", RatePerIP: -1}
	if err := RegisterPages(e.api, e.svc, opts); err != nil {
		t.Fatal(err)
	}
	return e
}

// posLogin opens /pos on base and logs lane1's cashier anna in.
func posLogin(b *browsertest.Browser, base string) {
	b.Open(base + "/pos")
	b.WaitFor("login form", `return !document.getElementById("login").hidden;`)
	b.TypeInto("#token", tokenLane1)
	b.TypeInto("#cashier", "anna\ue007")
	b.WaitFor("till", `return !document.getElementById("till").hidden;`)
}

// textIs is a script that waits for an element's text, spaces of any kind made plain.
func textIs(id, want string) string {
	return fmt.Sprintf(`var e = document.getElementById(%q); return !!e && e.innerText.replace(/\s/g, " ") === %q;`, id, want)
}

func textHas(id, want string) string {
	return fmt.Sprintf(`var e = document.getElementById(%q); return !!e && e.innerText.replace(/\s/g, " ").indexOf(%q) >= 0;`, id, want)
}

// TestBrowser_POSTillShift is a cashier's shift in Italian at both screen sizes: open the till
// with a counted float, a pay-out with its reason, sales by cash preset and card (a double tap
// sends one sale), a weighed line and its refusals, the close counted short beyond the limit (a
// reason is required), and the Z with its print button and preview.
func TestBrowser_POSTillShift(t *testing.T) {
	for _, size := range [][2]int{{1366, 768}, {1024, 768}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) { tillShift(t, size[0], size[1]) })
	}
}

func tillShift(t *testing.T, w, h int) {
	e := newTillPageEnv(t)
	b := browsertest.New(t, w, h)
	shot := func(name string) { b.Screenshot(fmt.Sprintf("%s-%d", name, w)) }
	posLogin(b, e.srv.URL)
	var lang string
	b.Eval(`return document.documentElement.lang;`, &lang)
	if lang != "it" {
		t.Errorf("html lang %q, want it", lang)
	}
	b.WaitFor("session closed", `return document.getElementById("session").getAttribute("data-state") === "closed";`)

	// Open: 1 × 100 € and 5 × 10 € counted on the grid.
	b.Click("#session")
	b.WaitFor("open form", `return !document.getElementById("tillp").hidden && !document.getElementById("open-form").hidden;`)
	b.TypeInto("#open-10000", "1")
	b.TypeInto("#open-1000", "5")
	b.WaitFor("float 150", textIs("open-total", "150,00 €"))
	shot("till-open")
	b.Click("#open-form button[type=submit]")
	b.WaitFor("session open", `return document.getElementById("session").getAttribute("data-state") === "open" &&
		!document.getElementById("open-view").hidden;`)
	if n := e.count(`SELECT count(*) FROM till_sessions WHERE status = 'open' AND float_minor = 15000`); n != 1 {
		t.Errorf("open sessions with a 150 € float: %d, want 1", n)
	}

	// Pay-out needs a reason; then the X report expects 137,50 € in cash.
	b.TypeInto("#mov-amount", "12,50")
	b.Click("#mov-form button[type=submit]")
	b.WaitFor("reason asked", textHas("till-msg", "Indica un motivo"))
	b.Eval(`document.getElementById("mov-kind").value = "pay_out"; return true;`, nil)
	b.TypeInto("#mov-reason", "latte dal fornitore\ue007")
	b.WaitFor("pay-out recorded", textHas("till-msg", "Prelievo di 12,50 € registrato"))
	b.WaitFor("X expected", textHas("x-view", "137,50 €"))
	shot("till-x")
	assertTillLayout(t, b)
	b.Click("#tillp-back")

	// A cash sale by preset: 4,98 € due, the 10 € preset gives 5,02 € change full screen.
	b.TypeInto("#code", "8001234567903\ue007")
	b.WaitFor("total", textIs("total", "4,98 €"))
	var presets []string
	b.Eval(`return Array.prototype.map.call(document.querySelectorAll("#presets button"), function (b) { return b.innerText.replace(/\s/g, " "); });`, &presets)
	if got := strings.Join(presets, " | "); got != "Importo esatto 4,98 € | 5,00 € | 10,00 € | 20,00 € | 50,00 €" {
		t.Errorf("presets %q", got)
	}
	b.Click(`#presets button[data-minor="1000"]`)
	b.WaitFor("change shown", `return !document.getElementById("done").hidden;`)
	b.WaitFor("change 5,02", textIs("change", "5,02 €"))
	var big struct{ Font float64 }
	b.Eval(`return {font: parseFloat(getComputedStyle(document.getElementById("change")).fontSize)};`, &big)
	if big.Font < 60 {
		t.Errorf("change font %v px, want a full-screen figure (≥ 60 px)", big.Font)
	}
	shot("pos-change")
	b.TypeInto("#new-sale", "\ue039") // F9

	// Card on an empty basket says why nothing happens.
	b.Click("#card")
	b.WaitFor("empty basket", textHas("msg", "Il carrello è vuoto"))

	// A weighed line shows its weight and price per kg; + says why it cannot change.
	b.TypeInto("#code", "350*PARMIGIANO\ue007")
	b.WaitFor("weighed line", `var r = document.querySelector("#basket tbody tr"); return !!r &&
		r.children[0].innerText.replace(/\s/g, " ").indexOf("0,350 kg × 29,90 €/kg") > 0;`)
	b.WaitFor("weighed total", textIs("total", "10,47 €"))
	b.Click("#plus")
	b.WaitFor("weighed refusal", textHas("msg", "si vende a peso"))
	b.WaitFor("total unchanged", textIs("total", "10,47 €"))
	// An embedded weight of 0 is refused, naming the line, and leaves the basket as it was.
	b.TypeInto("#code", "2012345000000\ue007")
	b.WaitFor("embedded zero", textHas("msg", "L'etichetta della riga 2 indica 0"))
	b.WaitFor("one line left", `return document.querySelectorAll("#basket tbody tr").length === 1;`)
	shot("pos-weighed")

	// A double tap on card sends one sale.
	b.Eval(`document.getElementById("card").click(); document.getElementById("card").click(); return true;`, nil)
	b.WaitFor("card paid", `return !document.getElementById("done").hidden;`)
	if n := e.count(`SELECT count(*) FROM sales WHERE total_minor = 1047`); n != 1 {
		t.Errorf("card sales of 10,47 €: %d, want 1", n)
	}
	b.TypeInto("#new-sale", "\ue039")

	// Close: expected 137,50 + 4,98 = 142,48 €; 130 € counted is 12,48 € short, over the 5 € limit.
	b.TypeInto("#code", "\ue03a") // F10
	b.WaitFor("close form", `return !document.getElementById("tillp").hidden && !document.getElementById("open-view").hidden;`)
	b.WaitFor("expected", textIs("close-expected", "142,48 €"))
	b.TypeInto("#close-10000", "1")
	b.TypeInto("#close-1000", "3")
	b.WaitFor("live difference", textIs("close-diff", "-12,48 €"))
	b.Click("#close-form button[type=submit]")
	b.WaitFor("reason required", textHas("till-msg", "La differenza supera 5,00 €"))
	shot("till-close")
	if n := e.count(`SELECT count(*) FROM till_sessions WHERE status = 'closed'`); n != 0 {
		t.Errorf("closed without a reason: %d", n)
	}
	b.TypeInto("#close-reason", "resto sbagliato\ue007")
	b.WaitFor("Z", `return !document.getElementById("z-view").hidden;`)
	b.WaitFor("Z number", textHas("z-h", "Chiusura Z n. 1"))
	b.WaitFor("Z difference", textIs("z-diff", "-12,48 €"))
	b.WaitFor("session closed again", `return document.getElementById("session").getAttribute("data-state") === "closed";`)
	b.WaitFor("Z preview", `var i = document.getElementById("z-png"); return i.complete && i.naturalWidth > 0;`)
	b.Click("#z-print")
	b.WaitFor("printed", textHas("till-msg", "inviato alla stampante"))
	shot("till-z")
	var id string
	if err := e.db.W.QueryRow(`SELECT session_id FROM till_sessions WHERE status = 'closed' AND closed_by = 'anna'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	code, body := e.do("GET", "/api/v1/till/sessions/"+id, tokenLane1, nil)
	z := decode[TillReport](t, body)
	if code != 200 || z.Reason != "resto sbagliato" || z.ZNo != 1 {
		t.Errorf("stored Z: %d %s", code, body)
	}
}

// TestBrowser_POSPayRetry: the connection drops after the agent stored the sale; the page sends
// the same sale_id again and shows the stored result, and only one sale exists.
func TestBrowser_POSPayRetry(t *testing.T) {
	e := newPageEnv(t)
	var mu stdsync.Mutex
	var ids []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && r.URL.Path == "/api/v1/sales" {
			raw, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(raw))
			var req struct {
				SaleID string `json:"sale_id"`
			}
			json.Unmarshal(raw, &req)
			mu.Lock()
			ids = append(ids, req.SaleID)
			first := len(ids) == 1
			mu.Unlock()
			if first {
				e.api.ServeHTTP(httptest.NewRecorder(), r) // stored …
				if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
					conn.Close() // … but the answer never arrives
				}
				return
			}
		}
		e.api.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	b := browsertest.New(t, 1024, 768)
	posLogin(b, proxy.URL)
	b.TypeInto("#code", "8001234567903\ue007")
	b.WaitFor("total", textIs("total", "4,98 €"))
	b.TypeInto("#code", "\ue034") // F4
	b.TypeInto("#cash", "20\ue007")
	b.WaitFor("stored result shown", `return !document.getElementById("done").hidden;`)
	b.WaitFor("change", textIs("change", "15,02 €"))
	if n := e.count(`SELECT count(*) FROM sales WHERE total_minor = 498`); n != 1 {
		t.Errorf("sales stored: %d, want 1", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ids) < 2 || ids[0] == "" || ids[0] != ids[1] {
		t.Errorf("sale ids sent %q, want the same one at least twice", ids)
	}
}

// TestBrowser_POSSplitPayment: 9,96 € paid 3 € by card, 2 € by voucher and the rest in cash
// from 10 €; the stored sale holds the three payments and 5,04 € change.
func TestBrowser_POSSplitPayment(t *testing.T) {
	e := newPageEnv(t)
	b := browsertest.New(t, 1366, 768)
	posLogin(b, e.srv.URL)
	// A weight-embedded label: + and − say why its quantity cannot change and charge nothing more.
	b.TypeInto("#code", "2012345012342\ue007")
	b.WaitFor("label line", `var r = document.querySelector("#basket tbody tr"); return !!r &&
		r.children[0].innerText.replace(/\s/g, " ").indexOf("1,234 kg × 29,90 €/kg") > 0;`)
	b.WaitFor("label total", textIs("total", "36,90 €"))
	b.Click("#plus")
	b.WaitFor("label refusal", textHas("msg", "si paga secondo il peso o il prezzo della sua etichetta"))
	b.Click("#minus")
	b.WaitFor("still one line", `return document.querySelectorAll("#basket tbody tr").length === 1;`)
	b.WaitFor("total unchanged", textIs("total", "36,90 €"))
	b.TypeInto("#code", "2012345012342\ue007") // the same label scanned twice: two items
	b.WaitFor("two labels", `return document.querySelectorAll("#basket tbody tr").length === 2;`)
	b.WaitFor("two labels' total", textIs("total", "73,80 €"))
	b.Click("#void")
	b.WaitFor("one voided", textIs("total", "36,90 €"))
	b.Click("#void")
	b.WaitFor("voided", textIs("total", "0,00 €"))
	b.TypeInto("#code", "8001234567903\ue007")
	b.WaitFor("one line", textIs("total", "4,98 €"))
	b.TypeInto("#code", "8001234567903\ue007")
	b.WaitFor("two", textIs("total", "9,96 €"))
	b.TypeInto("#cash", "3")
	b.Click("#part-card")
	b.WaitFor("left after card", textHas("msg", "Restano 6,96 €"))
	b.TypeInto("#cash", "2")
	b.Click("#part-voucher")
	b.WaitFor("left after voucher", textHas("msg", "Restano 4,96 €"))
	b.WaitFor("cash due less the parts", textIs("cashdue", "4,96 €"))
	b.WaitFor("exact preset on what is left", `var p = document.querySelector("#presets button"); return !!p && p.getAttribute("data-minor") === "496";`)
	b.Screenshot("pos-split")
	b.TypeInto("#cash", "10\ue007")
	b.WaitFor("paid", `return !document.getElementById("done").hidden;`)
	b.WaitFor("change", textIs("change", "5,04 €"))
	if n := e.count(`SELECT count(*) FROM sales WHERE total_minor = 996 AND change_minor = 504`); n != 1 {
		t.Errorf("split sale stored %d times, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM sale_payments`); n != 3 {
		t.Errorf("payments stored %d, want 3", n)
	}
}

// TestBrowser_POSReprintRefund: a sale found again by its printed number (or just its sequence)
// is reprinted and one unit refunded in cash from the screen.
func TestBrowser_POSReprintRefund(t *testing.T) {
	e, _ := newDemoEnv(t)
	if err := RegisterPages(e.api, e.svc, PageOptions{StoreName: "Negozio", Locale: "it-IT", Currency: "EUR", RatePerIP: -1}); err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, 1024, 768)
	posLogin(b, e.srv.URL)
	b.TypeInto("#code", "8001234567903\ue007")
	b.WaitFor("line", textIs("total", "4,98 €"))
	b.TypeInto("#code", "8001234567903\ue007")
	b.WaitFor("two", textIs("total", "9,96 €"))
	b.TypeInto("#code", "\ue038") // F8 card
	b.WaitFor("paid", `return !document.getElementById("done").hidden;`)
	b.TypeInto("#new-sale", "\ue039")
	b.TypeInto("#code", "\ue037") // F7
	b.WaitFor("receipts", `return !document.getElementById("rcp").hidden;`)
	b.TypeInto("#rcp-no", "999\ue007")
	b.WaitFor("unknown receipt", textHas("rcp-msg", "Nessuno scontrino 999"))
	b.Eval(`document.getElementById("rcp-no").value = ""; return true;`, nil)
	b.TypeInto("#rcp-no", "1\ue007")
	b.WaitFor("found", `return !document.getElementById("rcp-view").hidden && document.querySelectorAll("#rcp-lines tbody tr").length === 1;`)
	// The sale was paid by card: card is the only refund method offered.
	var methods []string
	b.Eval(`return Array.from(document.querySelectorAll("#rcp-method option")).map(function (o) { return o.value; });`, &methods)
	if len(methods) != 1 || methods[0] != "card" {
		t.Errorf("refund methods offered %v, want [card]", methods)
	}
	b.Click("#rcp-reprint")
	b.WaitFor("reprinted", textHas("rcp-msg", "La copia è stata inviata"))
	b.Click("#rcp-refund")
	b.WaitFor("nothing chosen", textHas("rcp-msg", "Scegli cosa rimborsare"))
	b.TypeInto("#rq-0", "1")
	b.Click("#rcp-refund")
	b.WaitFor("refunded", textHas("rcp-msg", "Reso lane1-000001: 4,98 € da restituire"))
	b.Screenshot("pos-refund")
	if n := e.count(`SELECT count(*) FROM refunds WHERE total_minor = 498 AND method = 'card'`); n != 1 {
		t.Errorf("refunds stored %d, want 1", n)
	}
}

// assertTillLayout checks the till sheet as laid out (issue 13): the X report's headers keep a
// gap between them ("Entrate/uscite" never touches "Atteso"), the cash in/out kind selector is
// wide enough for its longest choice ("Versamento in cassaforte"), and the close button is on
// screen.
func assertTillLayout(t *testing.T, b *browsertest.Browser) {
	t.Helper()
	var gaps []float64
	b.Eval(`var ths = document.querySelectorAll("#x-view thead th"), out = [];
		function box(th) { var r = document.createRange(); r.selectNodeContents(th); return r.getBoundingClientRect(); }
		for (var i = 0; i + 1 < ths.length; i++) { out.push(box(ths[i + 1]).left - box(ths[i]).right); }
		return out;`, &gaps)
	for i, g := range gaps {
		if g < 6 {
			t.Errorf("X report headers %d and %d are %.1f px apart, want at least 6", i, i+1, g)
		}
	}
	var room float64
	b.Eval(`var s = document.getElementById("mov-kind"), sp = document.createElement("span"), w = 0;
		sp.style.font = getComputedStyle(s).font; sp.style.whiteSpace = "nowrap"; sp.style.position = "absolute";
		document.body.appendChild(sp);
		Array.prototype.forEach.call(s.options, function (o) { sp.textContent = o.text; w = Math.max(w, sp.getBoundingClientRect().width); });
		sp.remove();
		return s.clientWidth - w;`, &room)
	if room < 36 { // padding and the arrow
		t.Errorf("the kind selector leaves %.0f px beside its longest choice: clipped", room)
	}
	assertInViewport(t, b, "#mov-kind", "#mov-form button[type=submit]", "#close-form button[type=submit]")
}
