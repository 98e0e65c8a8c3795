package pos

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/scale"
	"github.com/storeagent/storeagent/pos/browsertest"
)

// magellanLane is lane1's scanner-scale for the screen tests: devices/scale's Magellan driver
// over a wire whose answers the test sets (the S14 scale monitor request is answered with the
// bytes a Datalogic Magellan sends: S144 + 5 digits of grams, S141 unstable, …), adapted to the
// selling domain as the agent does (agent/scale.go).
type magellanLane struct {
	sc *scale.Scale

	mu     stdsync.Mutex
	answer string
	asked  int
}

func newMagellanLane(answer string) *magellanLane {
	m := &magellanLane{answer: answer}
	m.sc = &scale.Scale{Timeout: 500 * time.Millisecond, Write: func(b []byte) error {
		m.mu.Lock()
		a := m.answer
		m.asked++
		m.mu.Unlock()
		if string(b) == string(scale.Request) && a != "" {
			go m.sc.Deliver([]byte(a))
		}
		return nil
	}}
	return m
}

func (m *magellanLane) set(answer string) {
	m.mu.Lock()
	m.answer = answer
	m.mu.Unlock()
}

func (m *magellanLane) ReadScale(ctx context.Context, terminal string) (ScaleReading, error) {
	if terminal != "lane1" {
		return ScaleReading{}, ErrNoScale
	}
	r, err := m.sc.Read(ctx)
	if err != nil {
		return ScaleReading{}, err
	}
	return ScaleReading{Device: "lane1-magellan", Status: r.Status, WeightG: r.WeightG, Stable: r.Status == scale.Stable || r.Status == scale.Zero}, nil
}

// TestBrowser_POSScaleWeight (issues 13 and 21): on a lane with a scanner-scale, an item sold by
// weight scanned by its plain code takes its weight from the scale: a steady 350 g adds
// "0,350 kg × 29,90 €/kg"; while the scale is unsteady the screen says so and adds the line once
// it settles; negative, over capacity and not zeroed are said as sentences and add nothing; the
// stored sale charges the weights shown, to the cent. A lane without a scale still asks for
// grams*code.
func TestBrowser_POSScaleWeight(t *testing.T) {
	for _, size := range screenSizes() {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) { scaleWeight(t, size) })
	}
}

func scaleWeight(t *testing.T, size [2]int) {
	e := newPageEnv(t)
	lane := newMagellanLane("S14400350")
	e.svc.opts.Scale = lane
	RegisterScaleRoute(e.api)
	b := browsertest.New(t, size[0], size[1])
	posLogin(b, e.srv.URL)
	rows := func() int {
		var n int
		b.Eval(`return document.querySelectorAll("#basket tbody tr").length;`, &n)
		return n
	}

	// A steady 350 g: the line carries the scale's weight.
	b.TypeInto("#code", "PARMIGIANO\ue007")
	b.WaitFor("weighed line", textHas("basket", "0,350 kg × 29,90 €/kg"))
	b.WaitFor("total", textIs("total", "10,47 €"))
	b.Screenshot(sizeName("pos-scale-weighed", size))

	// Unsteady: the screen says it is weighing, then adds the line once the weight settles.
	lane.set("S141")
	b.Eval(`document.getElementById("msg").textContent = ""; return true;`, new(bool))
	b.TypeInto("#code", "PARMIGIANO\ue007")
	b.WaitFor("weighing said", textHas("msg", "La bilancia non è stabile"))
	if n := rows(); n != 1 {
		t.Errorf("%d lines while the scale settles, want 1", n)
	}
	b.Screenshot(sizeName("pos-scale-unstable", size))
	lane.set("S14400500")
	b.WaitFor("settled line", textHas("basket", "0,500 kg × 29,90 €/kg"))
	b.WaitFor("total of both", textIs("total", "25,42 €"))

	// Refusals: a sentence each, nothing added, the lines weighed before stay.
	for _, c := range []struct{ answer, want string }{
		{"S145", "La bilancia indica un peso negativo: svuotala e azzerala. Parmigiano Reggiano 24 mesi non è stato aggiunto"},
		{"S142", "La bilancia è oltre la portata: togli l'articolo. Parmigiano Reggiano 24 mesi non è stato aggiunto"},
		{"S140", "La bilancia non trova lo zero: svuotala, riavviala o calibrala. Parmigiano Reggiano 24 mesi non è stato aggiunto"},
	} {
		lane.set(c.answer)
		b.Eval(`document.getElementById("msg").textContent = ""; return true;`, new(bool))
		b.TypeInto("#code", "PARMIGIANO\ue007")
		b.WaitFor("refusal "+c.answer, textHas("msg", c.want))
		if n := rows(); n != 2 {
			t.Errorf("%s: %d lines, want the 2 weighed before", c.answer, n)
		}
	}
	b.Screenshot(sizeName("pos-scale-refused", size))
	assertInViewport(t, b, "#msg", "#card")

	// Paid by card with the item off the scale (zero): the sale charges the weights shown.
	lane.set("S14300000")
	b.WaitFor("basket quoted again", textIs("total", "25,42 €"))
	b.TypeInto("#code", "\ue038") // F8
	b.WaitFor("paid", `return !document.getElementById("done").hidden;`)
	var saleID string
	b.Eval(`return window.POS.st.saleId;`, &saleID)
	var body []byte
	if err := e.db.R.QueryRow(`SELECT body FROM sales WHERE sale_id = ?1`, saleID).Scan(&body); err != nil {
		t.Fatal(err)
	}
	var s Sale
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	var weights []string
	for _, l := range s.Lines {
		w := int64(0)
		if l.WeightG != nil {
			w = *l.WeightG
		}
		weights = append(weights, fmt.Sprintf("%s %d g %d", l.SKU, w, l.AmountMinor))
	}
	if got := strings.Join(weights, ", "); got != "PARMIGIANO 350 g 1047, PARMIGIANO 500 g 1495" || s.TotalMinor != 2542 {
		t.Errorf("stored sale lines %s, total %d; want 350 g 10,47 € and 500 g 14,95 €, 25,42 €", got, s.TotalMinor)
	}

	// A lane without a scale: the cashier is asked for grams*code, nothing is added.
	e.svc.opts.Scale = nil
	b.TypeInto("#new-sale", "\ue039") // F9
	b.TypeInto("#code", "PARMIGIANO\ue007")
	b.WaitFor("no scale", textHas("msg", "si vende a peso: scrivi grammi*codice"))
	if n := rows(); n != 0 {
		t.Errorf("%d lines without a scale, want 0", n)
	}
}
