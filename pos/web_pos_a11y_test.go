package pos

import (
	"strings"
	"testing"

	"github.com/storeagent/storeagent/pos/browsertest"
)

// TestBrowser_POSAccessibility runs axe-core over the cashier's screens after login, not only
// the login form: the sale with a basket, the till panel (open form), the receipts panel, the
// display pairing panel, the customer display and a tablet's pairing form.
func TestBrowser_POSAccessibility(t *testing.T) {
	e := newTillPageEnv(t)
	axe := axeSource(t)
	// The new parts in view: quick-key tiles, a device banner and a discounted line.
	e.svc.SetQuickKeys([]string{"CAFFE-250", "PASTA-500"})
	e.svc.opts.Devices = func() []DeviceState {
		return []DeviceState{{Name: "lane1-printer", Type: "printer", State: "paper_out"}}
	}
	if err := e.svc.SeedPromotions(t.Context(), screenPromotions); err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, 1024, 768)
	posLogin(b, e.srv.URL)
	b.TypeInto("#code", "8001234567903\ue007")
	b.WaitFor("total", textIs("total", "4,98 €"))
	check := func(what string) {
		var loaded bool
		b.Eval(axe+"\n;return typeof axe !== 'undefined';", &loaded)
		if !loaded {
			t.Fatalf("%s: axe-core did not load", what)
		}
		var serious []string
		b.Eval(`return axe.run(document, {resultTypes: ["violations"]}).then(r =>
			r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => v.id + ": " + v.help + " (" + v.nodes.length + ")"));`, &serious)
		if len(serious) > 0 {
			t.Errorf("%s: serious accessibility violations:\n  %s", what, strings.Join(serious, "\n  "))
		}
	}
	b.WaitFor("tiles and banner", `return document.querySelectorAll("#tiles .tile").length === 2 && !document.getElementById("devices").hidden;`)
	b.TypeInto("#code", "8001234567897")
	b.WaitFor("discount", `return !!document.querySelector("#basket .disc");`)
	check("sale")
	b.Click("#session")
	b.WaitFor("till panel", `return !document.getElementById("tillp").hidden;`)
	check("till panel")
	b.Click("#tillp-back")
	b.Click("#receipts")
	b.WaitFor("receipts panel", `return !document.getElementById("rcp").hidden;`)
	check("receipts panel")
	b.Click("#rcp-back")
	b.Click("#pair")
	b.WaitFor("pairing panel", `return !document.getElementById("pairp").hidden && document.getElementById("pair-code").innerText !== "";`)
	check("pairing panel")
	b.Click("#pairp-back")
	b.SwitchTo(b.NewWindow())
	b.Open(e.srv.URL + "/pos/display")
	b.WaitFor("display", `return document.getElementById("screen").getAttribute("data-state") === "basket";`)
	check("customer display")

	// A tablet not paired yet: the code form.
	tablet := browsertest.New(t, 1024, 768)
	tablet.Open(e.srv.URL + "/pos/display")
	tablet.WaitFor("code form", `return !!document.getElementById("pair-code");`)
	b = tablet
	check("display pairing form")
}
