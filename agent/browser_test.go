//go:build linux || darwin || freebsd

package agent

import (
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/devtest"
	"github.com/storeagent/storeagent/pos/browsertest"
)

// TestBrowser_ScannerToPOSScreen is the cashier's path end to end: a barcode read by the lane's
// serial scanner (a pseudo-terminal) appears in the basket of the web POS screen in Chromium, the
// card payment completes the sale, and the receipt preview is shown.
func TestBrowser_ScannerToPOSScreen(t *testing.T) {
	pty := devtest.NewPTYScanner(t)
	cfg := testConfig(t)
	cfg.Devices = []Device{{Name: "lane1-scanner", Type: "scanner", Transport: "serial", Path: pty.Path}}
	cfg.Terminals[0].Scanners = []string{"lane1-scanner"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, cfg)
	b := browsertest.New(t, 1024, 768)
	b.Open(a.URL() + "/pos")
	b.WaitFor("login form", `return !document.getElementById("login").hidden;`)
	b.TypeInto("#token", testToken)
	b.TypeInto("#cashier", "marta\ue007")
	b.WaitFor("till", `return !document.getElementById("till").hidden;`)
	for deadline := time.Now().Add(10 * time.Second); a.POS.Events().Subscribers("lane1") == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the POS screen never opened its event stream")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		if st := a.Devices.States(); len(st) == 1 && st[0].State == "connected" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("scanner never connected")
		}
		time.Sleep(10 * time.Millisecond)
	}
	pty.Write([]byte("8005510000030\r")) // Caffè espresso, from the lane's scanner
	b.WaitFor("scanned line", `var td = document.querySelector("#basket tbody td");
		return !!td && td.innerText.indexOf("Caffè espresso") === 0 && document.getElementById("total").innerText.indexOf("4,98") >= 0;`) // the store's it-IT money
	pty.Write([]byte("8005510000030\r")) // the same again: quantity 2
	b.WaitFor("quantity 2", `var r = document.querySelector("#basket tbody tr"); return !!r && r.children[1].innerText === "2";`)
	b.TypeInto("#code", "\ue038") // F8: card
	b.WaitFor("paid", `return !document.getElementById("done").hidden;`)
	var n int
	if err := a.DB.R.QueryRow(`SELECT count(*) FROM sales WHERE cashier = 'marta' AND total_minor = 996`).Scan(&n); err != nil || n != 1 {
		t.Errorf("stored sale: %d %v", n, err)
	}
	b.WaitFor("receipt preview", `var i = document.getElementById("receipt"); return i.complete && i.naturalWidth > 0;`)
	// The agent has no link to central here: the screen says so in the store's language, with the
	// queued events counted.
	b.WaitFor("offline banner with the outbox depth", `var o = document.getElementById("offline");
		return !o.hidden && o.innerText.indexOf("non in linea — le vendite sono conservate") === 0 &&
			parseInt(document.getElementById("pending").innerText, 10) >= 2;`)
	b.Screenshot("pos-scanned-and-paid")
}
