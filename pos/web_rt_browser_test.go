package pos

import (
	"testing"

	"github.com/storeagent/storeagent/pos/browsertest"
)

// The POS screen of an Italian store shows the sale's RT registration: pending, then the RT's
// document and Z numbers once the worker registered it.
func TestBrowser_POSRTStatus(t *testing.T) {
	re := newRTEnv(t)
	if err := RegisterPages(re.api, re.svc, PageOptions{StoreName: "Negozio", Locale: "it-IT", Currency: "EUR", RatePerIP: -1}); err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, 1024, 768)
	b.Open(re.srv.URL + "/pos")
	b.WaitFor("login form", `return !document.getElementById("login").hidden;`)
	b.TypeInto("#token", tokenLane1)
	b.TypeInto("#cashier", "anna\ue007")
	b.WaitFor("till", `return !document.getElementById("till").hidden;`)
	b.TypeInto("#code", "8001234567903\ue007")
	b.WaitFor("basket line", `return document.querySelectorAll("#basket tbody tr").length === 1;`)
	b.TypeInto("#code", "\ue034")
	b.TypeInto("#cash", "10\ue007")
	b.WaitFor("change", `return !document.getElementById("done").hidden;`)
	b.WaitFor("RT pending", `return document.getElementById("fiscal").innerText === "RT: registrazione in corso…";`)
	re.start()
	b.WaitFor("RT registered", `return document.getElementById("fiscal").innerText === "RT: documento 1 dello Z 1";`)
	b.Screenshot("pos-rt-registered")
}
