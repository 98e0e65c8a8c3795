package pos

import (
	"fmt"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/pos/browsertest"
)

// TestBrowser_POSDisplayPairing: a tablet (its own browser, never logged in) opens /pos/display,
// is asked for a code, refuses a wrong one in a sentence, and pairs with the code the cashier's
// screen shows under "Customer display"; it then follows the lane's basket live with no control
// on it, and the till sees one display paired. "Unpair all displays" sends the tablet back to the
// code form at once.
func TestBrowser_POSDisplayPairing(t *testing.T) {
	for _, size := range screenSizes() {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) { tabletPairing(t, size) })
	}
}

func tabletPairing(t *testing.T, size [2]int) {
	e := newPageEnv(t)
	e.svc.opts.Lang = "it"
	till := browsertest.New(t, size[0], size[1])
	posLogin(till, e.srv.URL)
	till.Click("#pair")
	till.WaitFor("code shown", `return !document.getElementById("pairp").hidden && /^\d{3} \d{3}$/.test(document.getElementById("pair-code").innerText);`)
	till.WaitFor("none paired", textHas("pair-count", "Nessun display collegato"))
	assertInViewport(t, till, "#pair", "#pair-code", "#pair-new", "#pair-unpair", "#pairp-back")
	till.Screenshot(sizeName("pos-pair-code", size))
	code := strings.ReplaceAll(till.Text("#pair-code"), " ", "")

	tablet := browsertest.New(t, 1280, 800)
	tablet.Open(e.srv.URL + "/pos/display")
	tablet.WaitFor("code form", `return !!document.getElementById("pair-code") && !document.getElementById("link").hidden;`)
	tablet.Screenshot("display-pair-form")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	tablet.TypeInto("#pair-code", wrong+"\ue007")
	tablet.WaitFor("wrong code said", textHas("pair-msg", "Il codice è errato o scaduto"))
	tablet.TypeInto("#pair-code", code+"\ue007")
	tablet.WaitFor("paired", `return !document.getElementById("pair-form") && document.getElementById("link").hidden && window.POS_DISPLAY_OPEN === true;`)
	till.WaitFor("one paired", textHas("pair-count", "Display collegati a questa cassa: 1"))
	till.WaitFor("used code taken off", textIs("pair-code", ""))
	till.Click("#pairp-back")

	till.TypeInto("#code", "8001234567903\ue007")
	till.WaitFor("till total", textIs("total", "4,98 €"))
	tablet.WaitFor("tablet total", textIs("total", "4,98 €"))
	if got := tablet.Text("#lines"); !strings.Contains(got, "Caffè espresso 250 g") {
		t.Errorf("tablet lines %q", got)
	}
	var controls int
	tablet.Eval(`return document.querySelectorAll("button, input, select, a, form").length;`, &controls)
	if page := tablet.Text("body"); controls != 0 || strings.Contains(page, "anna") {
		t.Errorf("paired tablet has %d controls, text %q", controls, page)
	}
	tablet.Screenshot("display-paired-basket")

	till.Click("#pair")
	till.WaitFor("dialog", `return !document.getElementById("pairp").hidden;`)
	till.Click("#pair-unpair")
	till.WaitFor("unpaired", textHas("pair-count", "1 display scollegati"))
	tablet.WaitFor("back to the form", `return !!document.getElementById("pair-code") && !document.getElementById("link").hidden && document.getElementById("lines").innerText === "";`)
}
