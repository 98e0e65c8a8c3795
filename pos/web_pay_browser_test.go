package pos

import (
	"context"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/payterm/caisseap"
	"github.com/storeagent/storeagent/devices/payterm/caisseapemu"
	"github.com/storeagent/storeagent/pos/browsertest"
)

// TestBrowser_POSCardTerminal is the card button on a lane with a Caisse-AP terminal (the emulator
// over real TCP), in Italian: an approval completes the sale with its payment_id; a refused card
// says so and sells nothing; a terminal that never answers leaves the payment unknown and the
// resolve dialog settles it from the slip, which completes the sale.
func TestBrowser_POSCardTerminal(t *testing.T) {
	e := newTillPageEnv(t)
	emu, err := caisseapemu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	term, err := caisseap.New(caisseap.Config{Addr: emu.Addr(), Register: 1, AnswerTimeout: 700 * time.Millisecond, Drain: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.opts.Payments = PaymentOptions{Devices: map[string]PaymentDevice{"lane1": {Name: "lane1-ept", Profile: ProfileCaisseAP, Charger: termCharger{term}}}, CheckEvery: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.svc.RunPayments(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	b := browsertest.New(t, 1366, 768)
	posLogin(b, e.srv.URL)

	// Approved after the terminal "works" for 0.4 s: the spinner shows, then the sale completes.
	emu.Set(caisseapemu.Behaviour{Mode: caisseapemu.Success, Delay: 400 * time.Millisecond, AC: "AUT999"})
	b.TypeInto("#code", "8001234567903\ue007")
	b.WaitFor("total", textIs("total", "4,98 €"))
	b.Click("#card")
	b.WaitFor("waiting on the terminal", `return !document.getElementById("ept").hidden && !document.getElementById("ept-spinner").hidden;`)
	b.WaitFor("sale done", `return !document.getElementById("done").hidden;`)
	if n := e.count(`SELECT count(*) FROM payments WHERE status = 'approved' AND used_by IS NOT NULL AND auth_code = 'AUT999'`); n != 1 {
		t.Fatalf("%d approved payments used by a sale, want 1", n)
	}
	b.TypeInto("#new-sale", "\ue039") // F9

	// Refused: the cashier reads why, nothing is sold.
	emu.Set(caisseapemu.Behaviour{Mode: caisseapemu.Refused})
	b.TypeInto("#code", "8001234567903\ue007")
	b.WaitFor("total", textIs("total", "4,98 €"))
	b.Click("#card")
	b.WaitFor("declined said", textHas("msg", "Carta rifiutata (refused)"))
	if n := e.count(`SELECT count(*) FROM sales`); n != 1 {
		t.Fatalf("%d sales after a refused card, want 1", n)
	}

	// Silent terminal: unknown, resolved as approved from the slip with its code.
	emu.Set(caisseapemu.Behaviour{Mode: caisseapemu.Silent})
	b.Click("#card")
	b.WaitFor("resolve asked", `return !document.getElementById("ept").hidden && !document.getElementById("ept-resolve").hidden;`)
	b.WaitFor("unknown said", textHas("ept-state", "Il terminale non ha risposto"))
	b.TypeInto("#ept-auth", "SLIP42\ue007")
	b.WaitFor("sale done", `return !document.getElementById("done").hidden;`)
	if n := e.count(`SELECT count(*) FROM payments WHERE resolved_by = 'anna' AND auth_code = 'SLIP42' AND used_by IS NOT NULL`); n != 1 {
		t.Fatalf("%d resolved payments used by a sale, want 1", n)
	}
	if n := len(emu.Requests()); n != 3 {
		t.Fatalf("the terminal got %d requests for 3 card attempts, want 3", n)
	}
	b.TypeInto("#new-sale", "\ue039") // F9

	// A card refund of the first sale's item from the receipts dialog: the terminal credits the
	// card (CD 1) first, then the refund names that payment.
	emu.Set(caisseapemu.Behaviour{Mode: caisseapemu.Success, Delay: 300 * time.Millisecond})
	b.Click("#receipts")
	b.TypeInto("#rcp-no", "1\ue007")
	b.WaitFor("receipt found", `return !document.getElementById("rcp-view").hidden;`)
	b.TypeInto("#rq-0", "1")
	b.Click("#rcp-refund")
	b.WaitFor("refunded", textHas("rcp-msg", "4,98 €"))
	if n := e.count(`SELECT count(*) FROM refunds r JOIN payments p ON p.used_by = r.refund_id WHERE p.kind = 'refund' AND p.amount_minor = 498`); n != 1 {
		t.Fatalf("%d card refunds paid by a terminal refund of 4,98 €, want 1", n)
	}
	if reqs := emu.Requests(); len(reqs) != 4 || reqs[3].Fields["CD"] != "1" {
		t.Fatalf("terminal requests %d, the last with CD %q; want 4, CD 1", len(reqs), reqs[len(reqs)-1].Fields["CD"])
	}
}
