//go:build linux || darwin || freebsd

package agent

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/devtest"
)

// magellanEmu answers the scale monitor request S14 CR of a Magellan scanner-scale in Single
// Cable mode on a pty with the answer set (Datalogic KB KA-01089), on the port labels use.
type magellanEmu struct {
	pty    *devtest.PTYScanner
	mu     sync.Mutex
	answer string
	done   chan struct{}
}

func newMagellanEmu(t *testing.T, pty *devtest.PTYScanner) *magellanEmu {
	e := &magellanEmu{pty: pty, answer: "S143\r", done: make(chan struct{})}
	go func() {
		answered := 0
		for {
			select {
			case <-e.done:
				return
			case <-time.After(2 * time.Millisecond):
			}
			n := bytes.Count(pty.Received(), []byte("S14\r"))
			for ; answered < n; answered++ {
				e.mu.Lock()
				a := e.answer
				e.mu.Unlock()
				pty.Write([]byte(a))
			}
		}
	}()
	t.Cleanup(func() { close(e.done) })
	return e
}

func (e *magellanEmu) set(answer string) {
	e.mu.Lock()
	e.answer = answer
	e.mu.Unlock()
}

// TestAgent_ScannerScale: a Magellan 3410VSi on one serial line gives labels (S08 + label id) as
// scans, and weights to GET /api/v1/scale; a line sold by weight is refused while the scale is
// unstable (422 scale_unstable) or negative (422 scale_negative). The agent sends nothing but
// S14 CR requests.
func TestAgent_ScannerScale(t *testing.T) {
	pty := devtest.NewPTYScanner(t)
	emu := newMagellanEmu(t, pty)
	cfg := testConfig(t)
	cfg.Devices = []Device{{Name: "lane1-magellan", Type: "scanner", Transport: "serial", Path: pty.Path, Profile: "datalogic-magellan-3410vsi"}}
	cfg.Terminals[0].Scanners = []string{"lane1-magellan"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, cfg)
	ev := openEvents(t, a)
	deadline := time.Now().Add(10 * time.Second)
	for a.Devices.States()[0].State != "connected" {
		if time.Now().After(deadline) {
			t.Fatal("scanner-scale never connected")
		}
		time.Sleep(10 * time.Millisecond)
	}

	pty.Write([]byte("S08F8005510000030\r"))
	var scan ScanEvent
	json.Unmarshal(ev.next(t, "scan"), &scan)
	if !scan.Valid || scan.Symbology != "ean13" || scan.Product == nil || scan.Product.SKU != "IT-CAFFE-ESPR" {
		t.Fatalf("label: %+v", scan)
	}

	emu.set("S14401250\r")
	var rd struct {
		Device  string `json:"device"`
		Status  string `json:"status"`
		WeightG int64  `json:"weight_g"`
		Stable  bool   `json:"stable"`
	}
	getJSON(t, a, "/api/v1/scale", &rd)
	if rd.Device != "lane1-magellan" || rd.Status != "stable" || rd.WeightG != 1250 || !rd.Stable {
		t.Errorf("scale reading %+v, want stable 1250 g", rd)
	}

	weighed := `{"terminal":"lane1","lines":[{"code":"IT-PASTA-SPAGH5"},{"code":"IT-PARMIGIANO","weight_g":1250}]}`
	if code, b := post(t, a, "/api/v1/sales/quote", weighed); code != http.StatusOK {
		t.Errorf("quote with a stable scale: %d %s", code, b)
	}
	for _, tc := range []struct{ answer, code string }{
		{"S141\r", "scale_unstable"}, {"S145\r", "scale_negative"}, {"S142\r", "scale_over_capacity"}, {"S140\r", "scale_not_zeroed"},
	} {
		emu.set(tc.answer)
		code, b := post(t, a, "/api/v1/sales/quote", weighed)
		if code != http.StatusUnprocessableEntity || !strings.Contains(b, `"`+tc.code+`"`) || !strings.Contains(b, `"line":1`) {
			t.Errorf("scale %q: %d %s, want 422 %s on line 1", tc.answer, code, b, tc.code)
		}
	}
	emu.set("S141\r")
	sale := `{"sale_id":"9d0e1f2a-3b4c-4d5e-8f60-718293a4b5c6","terminal":"lane1","cashier":"anna",
		"lines":[{"code":"IT-PARMIGIANO","weight_g":1250}],"payments":[{"method":"card","amount_minor":3738}]}`
	if code, b := post(t, a, "/api/v1/sales", sale); code != http.StatusUnprocessableEntity || !strings.Contains(b, "scale_unstable") {
		t.Errorf("sale with an unstable scale: %d %s", code, b)
	}
	// A line weighed earlier is not refused because the next item is moving on the platter: only
	// the newest line is on the scale now (the scale still says unstable here).
	earlier := `{"terminal":"lane1","lines":[{"code":"IT-PARMIGIANO","weight_g":1250},{"code":"IT-PASTA-SPAGH5"}]}`
	if code, b := post(t, a, "/api/v1/sales/quote", earlier); code != http.StatusOK {
		t.Errorf("quote with a line weighed earlier while the scale moves: %d %s, want 200", code, b)
	}
	// A basket without weighed lines does not ask the scale.
	before := bytes.Count(pty.Received(), []byte("S14\r"))
	if code, b := post(t, a, "/api/v1/sales/quote", `{"terminal":"lane1","lines":[{"code":"IT-PASTA-SPAGH5"}]}`); code != http.StatusOK {
		t.Errorf("quote without weight: %d %s", code, b)
	}
	if got := pty.Received(); bytes.Count(got, []byte("S14\r")) != before || len(bytes.ReplaceAll(got, []byte("S14\r"), nil)) != 0 {
		t.Errorf("the agent sent %q; want only S14 CR requests, none for a basket without weight", got)
	}
}
