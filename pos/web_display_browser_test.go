package pos

import (
	"fmt"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/pos/browsertest"
)

// TestBrowser_POSCustomerDisplay: the lane's browser has the POS screen in one window and
// /pos/display in a second (the customer's screen, same session). The display follows the
// basket live (lines, discounts, saving, total), shows the change after cash, goes idle when the
// basket is voided to nothing, and never shows the cashier, the loyalty customer or a control.
// A display in a browser that is not logged in says so and shows no basket.
func TestBrowser_POSCustomerDisplay(t *testing.T) {
	for _, size := range screenSizes() {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) { customerDisplay(t, size) })
	}
}

func customerDisplay(t *testing.T, size [2]int) {
	e := newPageEnv(t)
	e.svc.opts.Lang = "it"
	if err := e.svc.SeedPromotions(t.Context(), screenPromotions); err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, size[0], size[1])
	posLogin(b, e.srv.URL)
	till := b.Window()
	disp := b.NewWindow()
	b.SwitchTo(disp)
	b.Open(e.srv.URL + "/pos/display")
	b.WaitFor("idle display", `return document.getElementById("screen").getAttribute("data-state") === "idle" && document.getElementById("link").hidden;`)
	b.WaitFor("display stream", `return window.POS_DISPLAY_OPEN === true;`)
	b.Screenshot(sizeName("display-idle", size))

	b.SwitchTo(till)
	for range 3 {
		b.TypeInto("#code", "8001234567903\ue007")
	}
	b.WaitFor("till total", textIs("total", "9,96 €"))
	b.SwitchTo(disp)
	b.WaitFor("display basket", textIs("total", "9,96 €"))
	b.WaitFor("display saving", textIs("saving", "−4,98 €"))
	if got := b.Text("#lines"); !strings.Contains(got, "Caffè espresso 250 g") || !strings.Contains(got, "3 × 4,98") || !strings.Contains(got, "Caffè 3x2 −4,98") {
		t.Errorf("display lines %q", got)
	}
	b.Screenshot(sizeName("display-basket", size))
	var controls int
	b.Eval(`return document.querySelectorAll("button, input, select, a, form").length;`, &controls)
	page := b.Text("body")
	if controls != 0 || strings.Contains(page, "anna") || strings.Contains(page, "lane1") {
		t.Errorf("display has %d controls, text %q", controls, page)
	}

	b.SwitchTo(till)
	b.TypeInto("#code", "\ue034")
	b.TypeInto("#cash", "20\ue007")
	b.WaitFor("till change", textIs("change", "10,04 €"))
	b.SwitchTo(disp)
	b.WaitFor("display change", `return !document.getElementById("paid").hidden && document.getElementById("change").innerText.replace(/\s/g, " ") === "10,04 €";`)
	b.Screenshot(sizeName("display-paid", size))

	b.SwitchTo(till)
	b.TypeInto("#new-sale", "\ue039") // F9
	b.TypeInto("#code", "8001234567897\ue007")
	b.WaitFor("pasta", textIs("total", "1,16 €"))
	b.SwitchTo(disp)
	b.WaitFor("display pasta", textIs("total", "1,16 €"))
	b.SwitchTo(till)
	b.TypeInto("#code", "\ue017") // Delete: the basket is empty
	b.SwitchTo(disp)
	b.WaitFor("display idle again", `return document.getElementById("screen").getAttribute("data-state") === "idle";`)

	// Another browser, not logged in: no basket, a sentence saying why.
	other := browsertest.New(t, 800, 600)
	other.Open(e.srv.URL + "/pos/display")
	other.WaitFor("not connected", `return !document.getElementById("link").hidden;`)
	if got := other.Text("#lines"); got != "" {
		t.Errorf("an unpaired display shows %q", got)
	}
}
