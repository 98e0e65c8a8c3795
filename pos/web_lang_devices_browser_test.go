package pos

import (
	"fmt"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/pos/browsertest"
)

// TestBrowser_POSLanguageDevicesAndBadInput: the screen starts in the store's language (Italian)
// and a cashier switches it to Finnish for their session (kept over a reload, the basket's money
// still in the store's format); device trouble from /api/v1/status shows as sentences (printer
// out of paper, scanner reconnecting, drawer open), never a connected device; a garbage scan,
// an unknown code and an inactive item are each said in a sentence and add nothing.
func TestBrowser_POSLanguageDevicesAndBadInput(t *testing.T) {
	for _, size := range screenSizes() {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) { langDevicesBadInput(t, size) })
	}
}

func langDevicesBadInput(t *testing.T, size [2]int) {
	e := newPageEnv(t)
	e.svc.opts.Devices = func() []DeviceState {
		return []DeviceState{
			{Name: "lane1-printer", Type: "printer", State: "paper_out"},
			{Name: "lane1-scanner", Type: "scanner", State: "reconnecting", Reason: "dial tcp: refused"},
			{Name: "lane1-printer", Type: "drawer", State: "drawer_open"},
			{Name: "lane1-display", Type: "display", State: "connected"},
		}
	}
	b := browsertest.New(t, size[0], size[1])
	posLogin(b, e.srv.URL)
	b.WaitFor("device banner", `return !document.getElementById("devices").hidden;`)
	var states []string
	b.Eval(`return Array.prototype.map.call(document.querySelectorAll("#devices p"), function (p) { return p.getAttribute("data-state") + ": " + p.innerText; });`, &states)
	want := []string{
		"paper_out: La stampante lane1-printer è senza carta: inserisci un rotolo; gli scontrini attendono e saranno stampati.",
		"reconnecting: lane1-scanner si sta ricollegando…",
		"drawer_open: Il cassetto (lane1-printer) è aperto.",
	}
	if strings.Join(states, "\n") != strings.Join(want, "\n") {
		t.Errorf("device lines:\n%s\nwant:\n%s", strings.Join(states, "\n"), strings.Join(want, "\n"))
	}

	// Bad input: nothing is added, the cashier reads why.
	deadlineSubs(t, b, e)
	e.svc.Events().Publish("lane1", Event{Name: "scan", Data: map[string]any{"device": "lane1-scanner", "symbology": "unknown", "data": "\x1b[?garbage", "valid": false}})
	b.WaitFor("garbage said", textHas("msg", "Scansione illeggibile: riprova."))
	b.TypeInto("#code", "9999999999994\ue007")
	b.WaitFor("unknown said", textHas("msg", "Codice sconosciuto 9999999999994."))
	b.TypeInto("#code", "8001234567934\ue007")
	b.WaitFor("inactive said", textHas("msg", "Articolo ritirato (8001234567934) non è più in vendita."))
	var rows int
	b.Eval(`return document.querySelectorAll("#basket tbody tr").length;`, &rows)
	if rows != 0 {
		t.Errorf("%d basket lines after bad input, want 0", rows)
	}
	b.Screenshot(sizeName("pos-devices-bad-input", size))

	// The cashier switches to Finnish: labels change in place, the basket stays, money keeps the
	// store's format; a reload keeps the choice for this session.
	b.TypeInto("#code", "8001234567903\ue007")
	b.WaitFor("coffee", textIs("total", "4,98 €"))
	b.Eval(`var s = document.getElementById("lang"); s.value = "fi"; s.dispatchEvent(new Event("change")); return true;`, new(bool))
	b.WaitFor("finnish", `return document.documentElement.lang === "fi" && document.querySelector("[data-t=total]").innerText === "Yhteensä";`)
	if got := b.Text("#devices p"); !strings.HasPrefix(got, "Tulostimesta lane1-printer on paperi loppu") {
		t.Errorf("device line after the switch %q", got)
	}
	if got := b.Text("#taxes"); !strings.HasPrefix(got, "ALV 22 %") {
		t.Errorf("VAT line after the switch %q", got)
	}
	if got := b.Text("#total"); strings.ReplaceAll(got, "\u00a0", " ") != "4,98 €" {
		t.Errorf("total after the switch %q", got)
	}
	b.Screenshot(sizeName("pos-finnish", size))
	b.Open(e.srv.URL + "/pos")
	b.WaitFor("till again", `return !document.getElementById("till").hidden;`)
	b.WaitFor("still finnish", `return document.documentElement.lang === "fi" && document.getElementById("lang").value === "fi" && document.querySelector("[data-t=pay_cash]").innerText === "Maksa käteisellä";`)
	// Logging out clears the session: the next cashier starts in the store's language.
	b.Click("#logout")
	b.WaitFor("login in italian", `return !document.getElementById("login").hidden && document.documentElement.lang === "it";`)
}

// deadlineSubs waits until the page has its /api/v1/events stream open.
func deadlineSubs(t *testing.T, b *browsertest.Browser, e *testEnv) {
	t.Helper()
	for i := 0; !hasSubscriber(e.svc.Events(), "lane1"); i++ {
		if i > 400 {
			t.Fatal("the page never opened /api/v1/events")
		}
		b.Eval(`return true;`, new(bool))
	}
}
