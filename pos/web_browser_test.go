package pos

import (
	"github.com/storeagent/storeagent/pos/browsertest"
	"strings"
	"testing"
	"time"
)

// The pages in headless Chromium (Debian chromium + chromium-driver). Skipped when they are not
// installed, failed then when STOREAGENT_REQUIRE_BROWSER=1. Screenshots go to the test's temp dir.

func TestBrowser_AislePhone(t *testing.T) {
	e := newPageEnv(t)                // first, so the browser is gone before the server closes
	b := browsertest.New(t, 412, 915) // a common Android phone viewport
	b.Open(e.srv.URL + "/p/8001234567903")
	b.WaitFor("price", `return !!document.querySelector(".price");`)
	if got := b.Text("h1"); got != "Caffè espresso 250 g" {
		t.Errorf("name got %q", got)
	}
	// Chromium asks for en-US, so the page is English.
	if got := b.Text("dd.price"); !strings.Contains(got, "€4.98") || !strings.Contains(got, "€19.92 per kg") {
		t.Errorf("price got %q", got)
	}
	if got := b.Text("dd.stock"); got != "In stock" {
		t.Errorf("stock got %q", got)
	}
	var vw struct {
		Inner  int `json:"inner"`
		Scroll int `json:"scroll"`
	}
	b.Eval(`return {inner: window.innerWidth, scroll: document.documentElement.scrollWidth};`, &vw)
	if vw.Inner != 412 || vw.Scroll > vw.Inner {
		t.Errorf("viewport %d px wide with %d px of content, want 412 and no sideways scroll", vw.Inner, vw.Scroll)
	}
	var capture string
	b.Eval(`return document.querySelector("input[type=file]").getAttribute("capture");`, &capture)
	if capture != "environment" {
		t.Errorf("scan input capture got %q", capture)
	}
	b.Screenshot("aisle-phone")

	b.Open(e.srv.URL + "/p/nothing-here")
	b.WaitFor("not-found page", `return !!document.querySelector(".notfound");`)
	if got := b.Text("h1"); got != "Product not found" {
		t.Errorf("not-found heading got %q", got)
	}
	b.Screenshot("aisle-not-found")
}

func TestBrowser_POSCashSale(t *testing.T) {
	// The server first: cleanups run in reverse, and httptest's Close waits for the open
	// /api/v1/events stream, which only ends when the browser has gone.
	e := newPageEnv(t)
	b := browsertest.New(t, 1024, 768)
	b.Open(e.srv.URL + "/pos")
	b.WaitFor("login form", `return !document.getElementById("login").hidden;`)
	b.Screenshot("pos-login")
	b.TypeInto("#token", tokenLane1)
	b.TypeInto("#cashier", "anna\ue007")
	b.WaitFor("till", `return !document.getElementById("till").hidden;`)

	t.Run("typed code", func(t *testing.T) {
		b.T = t
		b.TypeInto("#code", "8001234567903\ue007")
		b.WaitFor("basket line", `return document.querySelectorAll("#basket tbody tr").length === 1 &&
			document.querySelector("#basket tbody td").innerText.indexOf("Caffè") === 0;`)
		if got := b.Text("#total"); got != "4,98\u00a0€" {
			t.Errorf("total got %q", got)
		}
	})
	t.Run("scanner event", func(t *testing.T) {
		b.T = t
		// The lane's scanner arrives through /api/v1/events: wait for the page's stream, then
		// publish one scan as the agent's scan router does.
		deadline := time.Now().Add(10 * time.Second)
		for !hasSubscriber(e.svc.Events(), "lane1") {
			if time.Now().After(deadline) {
				t.Fatal("the page never opened /api/v1/events")
			}
			time.Sleep(20 * time.Millisecond)
		}
		e.svc.Events().Publish("lane1", Event{Name: "scan", Data: map[string]any{
			"device": "lane1-scanner", "symbology": "ean13", "data": "8001234567927", "valid": true,
			"product": map[string]any{"sku": "VINO-ROSSO"}}})
		b.WaitFor("scanned line", `return document.querySelectorAll("#basket tbody tr").length === 2;`)
		b.WaitFor("quoted total", `return document.getElementById("total").innerText !== "4,98\u00a0€";`)
	})
	t.Run("quantity and void by keyboard", func(t *testing.T) {
		b.T = t
		b.TypeInto("#code", "+")
		b.WaitFor("qty 2", `var r = document.querySelector("#basket tbody tr.sel"); return !!r && r.children[1].innerText === "2";`)
		b.TypeInto("#code", "\ue017") // Delete voids the selected line
		b.WaitFor("one line", `return document.querySelectorAll("#basket tbody tr").length === 1 &&
			document.getElementById("total").innerText === "4,98\u00a0€";`)
	})
	b.T = t
	b.Screenshot("pos-basket")
	t.Run("cash with change", func(t *testing.T) {
		b.T = t
		b.TypeInto("#code", "\ue034") // F4 focuses the cash field
		var focused string
		b.Eval(`return document.activeElement.id;`, &focused)
		if focused != "cash" {
			t.Errorf("F4 focused %q, want cash", focused)
		}
		b.TypeInto("#cash", "10\ue007")
		b.WaitFor("change", `return !document.getElementById("done").hidden;`)
		if got := b.Text("#change"); got != "5,02\u00a0€" {
			t.Errorf("change got %q, want 5,02 €", got)
		}
		if n := e.count(`SELECT count(*) FROM sales WHERE cashier = 'anna' AND total_minor = 498 AND change_minor = 502`); n != 1 {
			t.Errorf("stored sales got %d, want 1", n)
		}
		var src string
		b.Eval(`return document.getElementById("receipt").getAttribute("src");`, &src)
		if !strings.HasPrefix(src, "/api/v1/sales/") || !strings.HasSuffix(src, "/receipt.png") {
			t.Errorf("receipt preview src got %q", src)
		}
	})
	b.T = t
	b.Screenshot("pos-paid")
	t.Run("item sold by weight", func(t *testing.T) {
		b.T = t
		b.TypeInto("#code", "\ue039") // F9: new sale
		b.TypeInto("#code", "PARMIGIANO\ue007")
		b.WaitFor("weight hint", `return document.getElementById("msg").innerText.indexOf("grammi*codice") >= 0 &&
			document.querySelectorAll("#basket tbody tr").length === 0;`)
		b.TypeInto("#code", "500*PARMIGIANO\ue007")
		b.WaitFor("weighed line", `return document.getElementById("total").innerText === "14,95\u00a0€";`)
	})
	b.T = t
}

// hasSubscriber reports whether terminal term has an open event stream.
func hasSubscriber(h *Hub, term string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[term]) > 0
}

// TestBrowser_POSClickAndCollect: the cashier opens the orders with F6, hands a paid order over
// (no sale, stock leaves, the order is collected) and sells an unpaid one at the order's prices.
func TestBrowser_POSClickAndCollect(t *testing.T) {
	e := newPageEnv(t)
	for _, q := range []string{
		`INSERT INTO reservations (reservation_id, order_ref, customer_name, paid, expires_at, status, created_at, updated_at)
		 VALUES ('r-paid', 'WEB-1', 'Giulia Rossi', 1, '2099-01-01T00:00:00Z', 'open', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
		        ('r-unpaid', 'APP-2', 'Aino Virtanen', 0, '2099-01-02T00:00:00Z', 'open', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
		`INSERT INTO reservation_lines (reservation_id, sku, qty, unit_price_minor) VALUES
		 ('r-paid', 'VINO-ROSSO', 2, 1190), ('r-unpaid', 'CAFFE-250', 1, 450)`,
		`UPDATE stock SET reserved = 2 WHERE sku = 'VINO-ROSSO'`,
		`UPDATE stock SET reserved = 1 WHERE sku = 'CAFFE-250'`,
	} {
		if _, err := e.db.W.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	b := browsertest.New(t, 1024, 768)
	b.Open(e.srv.URL + "/pos")
	b.WaitFor("login form", `return !document.getElementById("login").hidden;`)
	b.TypeInto("#token", tokenLane1)
	b.TypeInto("#cashier", "anna\ue007")
	b.WaitFor("till", `return !document.getElementById("till").hidden;`)
	b.TypeInto("#code", "\ue036") // F6: open orders
	b.WaitFor("orders", `return document.querySelectorAll("#orders-list button").length === 2;`)
	b.Click(`#orders-list button.collect`)
	b.WaitFor("handed over", `return document.getElementById("msg").innerText.indexOf("consegnato") >= 0;`)
	if n := e.count(`SELECT count(*) FROM reservations WHERE reservation_id = 'r-paid' AND status = 'collected'`); n != 1 {
		t.Errorf("paid order not collected")
	}
	if st, _ := e.svc.StockOf(t.Context(), "VINO-ROSSO"); st.OnHand != 10 || st.Reserved != 0 {
		t.Errorf("after hand-over VINO-ROSSO %+v, want on_hand 10 reserved 0", st)
	}
	b.WaitFor("one open order left", `return document.querySelectorAll("#orders-list button").length === 1;`)
	b.Click(`#orders-list button.sell`)
	b.WaitFor("order in basket at its price", `return document.getElementById("total").innerText === "4,50\u00a0€";`)
	b.TypeInto("#code", "\ue038") // F8: card
	b.WaitFor("paid", `return !document.getElementById("done").hidden;`)
	if n := e.count(`SELECT count(*) FROM sales WHERE reservation_id = 'r-unpaid' AND total_minor = 450`); n != 1 {
		t.Errorf("the unpaid order was not sold at its price")
	}
	if n := e.count(`SELECT count(*) FROM reservations WHERE reservation_id = 'r-unpaid' AND status = 'collected'`); n != 1 {
		t.Errorf("the sold order is not collected")
	}
	b.Screenshot("pos-click-and-collect")
}
